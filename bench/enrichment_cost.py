"""What the sentiment UDF costs: the whole job on the same preloaded topic with enrichment
off, scalar (one Python call per tweet) and vectorized (pandas batches); then the UDF stage on
its own: the two sentiment queries in each mode against a job of one cheap query without the
UDF (tweets per language), so the difference is the UDF's.

    python -m bench.enrichment_cost             # 20,000 tweets
    python -m bench.enrichment_cost --smoke     # 1,000 tweets, one round, for CI

Bounded runs from the earliest offset, start-up included. A first, discarded run warms the
JVM, the page cache and Elasticsearch; then two rounds in alternating order, the better time
of each configuration counts.
"""

from __future__ import annotations

import argparse
from typing import Any

from bench.common import preloaded_stack, write
from bench.query_cost import timed_run
from flink_jobs import catalog

MODES = ("off", "scalar", "vectorized")


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=20_000)
    parser.add_argument("--smoke", action="store_true")
    args = parser.parse_args(argv)
    count = 1_000 if args.smoke else args.count
    whole: dict[str, float] = {}
    stage: dict[str, float] = {}
    stages = {"no UDF (languages)": (("languages",), "off"), "scalar": ((), "scalar")}
    stages["vectorized"] = ((), "vectorized")
    with preloaded_stack("enrich", count) as (stack, topic, tmp):
        if not args.smoke:
            timed_run(stack, topic, catalog.CORE_QUERIES, tmp, "off")  # warm-up, discarded
        for n in range(1 if args.smoke else 2):
            for mode in MODES if n % 2 == 0 else tuple(reversed(MODES)):
                t = timed_run(stack, topic, catalog.CORE_QUERIES, tmp, mode)
                whole[mode] = min(whole.get(mode, t), t)
            for name, (queries, mode) in stages.items():
                t = timed_run(stack, topic, queries, tmp, mode)
                stage[name] = min(stage.get(name, t), t)
    rate = {mode: count / seconds for mode, seconds in whole.items()}
    print(f"\nsentiment enrichment, {count:,} tweets, whole job from the earliest offset")
    for mode in MODES:
        print(
            f"  enrichment {mode:<11} {whole[mode]:6.1f} s {rate[mode]:8,.0f} tweets/s"
            f"   x{rate[mode] / rate['off']:.2f} of off"
        )
    print("the UDF stage alone (start-up included)")
    for name, seconds in stage.items():
        print(f"  {name:<22} {seconds:6.1f} s {count / seconds:8,.0f} tweets/s")
    base = stage["no UDF (languages)"]
    udf = {m: max(stage[m] - base, 1e-3) for m in MODES[1:]}
    per_tweet = {m: udf[m] / count * 1e6 for m in MODES[1:]}
    for mode in MODES[1:]:
        print(f"  the UDF, {mode:<12}  {udf[mode]:6.1f} s  {per_tweet[mode]:6.0f} us per tweet")
    ratio = udf["scalar"] / udf["vectorized"]
    print(f"  vectorized is x{ratio:.2f} the speed of scalar")
    results = {
        "count": count,
        "whole_s": whole,
        "tweets_per_s": rate,
        "ratio_to_off": {m: rate[m] / rate["off"] for m in MODES},
        "udf_stage_s": stage,
        "udf_us_per_tweet": per_tweet,
        "vectorized_over_scalar": ratio,
    }
    print(
        f"results: {write('enrichment_cost_smoke' if args.smoke else 'enrichment_cost', results)}"
    )
    return results


if __name__ == "__main__":
    main()
