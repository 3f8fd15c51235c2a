"""What the sentiment UDF costs: the whole job on the same preloaded topic with enrichment
off, scalar (one Python call per tweet) and vectorized (pandas batches), back to back; then the
two sentiment queries alone in each mode, so the UDF stage is measured without the rest.

    python -m bench.enrichment_cost             # 20,000 tweets
    python -m bench.enrichment_cost --smoke     # 1,000 tweets, for CI

Bounded runs from the earliest offset, start-up included in every figure (about 10 s of JVM
and planning, plus the Python workers' start when enrichment is on).
"""

from __future__ import annotations

import argparse
import tempfile
import uuid
from pathlib import Path
from typing import Any

from bench.common import write
from bench.query_cost import timed_run
from flink_jobs import job
from producer.kafka_sink import open_sink
from producer.synthetic import SyntheticConfig, generate
from tweetflow.stack.ports import private_settings
from tweetflow.stack.stack import LocalStack

MODES = ("off", "scalar", "vectorized")


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=20_000)
    parser.add_argument("--smoke", action="store_true")
    args = parser.parse_args(argv)
    count = 1_000 if args.smoke else args.count
    whole: dict[str, float] = {}
    stage: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="tweetflow-enrich-") as state:
        stack = LocalStack(private_settings(Path(state)))
        stack.up()
        try:
            topic = f"enrich-{uuid.uuid4().hex[:6]}"
            sink = open_sink("confluent-kafka", stack.settings.kafka_bootstrap, topic)
            for tweet in generate(SyntheticConfig(seed=3, count=count, per_second=50.0)):
                sink.send(tweet)
            sink.close()
            tmp = Path(state)
            for mode in MODES:
                whole[mode] = timed_run(stack, topic, job.CORE_QUERIES, tmp, mode)
            for mode in MODES[1:]:
                stage[mode] = timed_run(stack, topic, (), tmp, mode)
        finally:
            stack.down()
    rate = {mode: count / seconds for mode, seconds in whole.items()}
    print(f"\nsentiment enrichment, {count:,} tweets, whole job from the earliest offset")
    for mode in MODES:
        print(
            f"  enrichment {mode:<11} {whole[mode]:6.1f} s {rate[mode]:8,.0f} tweets/s"
            f"   x{rate[mode] / rate['off']:.2f} of off"
        )
    print("the sentiment queries alone (UDF stage, start-up included)")
    for mode, seconds in stage.items():
        print(f"  {mode:<22} {seconds:6.1f} s {count / seconds:8,.0f} tweets/s")
    ratio = stage["scalar"] / stage["vectorized"]
    print(f"  vectorized is x{ratio:.2f} the speed of scalar")
    results = {
        "count": count,
        "whole_s": whole,
        "tweets_per_s": rate,
        "ratio_to_off": {m: rate[m] / rate["off"] for m in MODES},
        "udf_stage_s": stage,
        "vectorized_over_scalar": ratio,
    }
    print(
        f"results: {write('enrichment_cost_smoke' if args.smoke else 'enrichment_cost', results)}"
    )
    return results


if __name__ == "__main__":
    main()
