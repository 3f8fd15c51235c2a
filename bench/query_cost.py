"""Each query's share of the job's cost: the whole job, then the job without each query, on
the same preloaded topic, back to back (bounded runs from the earliest offset).

    python -m bench.query_cost               # 20,000 tweets
    python -m bench.query_cost --smoke       # 1,000 tweets, two queries left out

A query's marginal cost is (time of the whole job - time without it) / time of the whole job.
Start-up (~10 s of JVM and planning per run) is in every figure, so small marginal costs are
noise; wide sliding windows stand out.
"""

from __future__ import annotations

import argparse
import time
import uuid
from dataclasses import replace
from pathlib import Path
from typing import Any

from bench.common import preloaded_stack, write
from flink_jobs import catalog, runtime
from flink_jobs.config import JobConfig
from tweetflow.stack.stack import LocalStack


def bounded_config(
    stack: LocalStack,
    topic: str,
    queries: tuple[str, ...],
    tmp: Path,
    prefix: str = "",
    **extra: Any,
) -> JobConfig:
    """The job over the whole topic from its earliest offset, with fresh group and indexes."""
    return replace(
        stack.job_config(),
        kafka_topic=topic,
        kafka_group_id=f"cost-{uuid.uuid4().hex[:6]}",
        bounded=True,
        es_index_prefix=prefix or f"cost{uuid.uuid4().hex[:6]}_",
        checkpoint_dir=tmp / "checkpoints",
        log_dir=tmp / "logs",
        queries=queries,
        **extra,
    )


def timed_run(
    stack: LocalStack,
    topic: str,
    queries: tuple[str, ...],
    tmp: Path,
    enrichment: str = "off",
    prefix: str = "",
) -> float:
    """Seconds of one bounded run of the job from the earliest offset, start-up included."""
    config = bounded_config(stack, topic, queries, tmp, prefix, enrichment=enrichment)
    began = time.monotonic()
    runtime.run(config)
    return time.monotonic() - began


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=20_000)
    parser.add_argument("--smoke", action="store_true")
    args = parser.parse_args(argv)
    count = 1_000 if args.smoke else args.count
    names = catalog.CORE_QUERIES
    left_out = names[:2] if args.smoke else names
    with preloaded_stack("cost", count) as (stack, topic, tmp):
        first = timed_run(stack, topic, names, tmp)
        without = {
            q: timed_run(stack, topic, tuple(n for n in names if n != q), tmp) for q in left_out
        }
        # The whole job again at the end: the better of the two is the reference, so a
        # warm-up or a disturbance during the first run does not inflate every share.
        whole = min(first, timed_run(stack, topic, names, tmp))
    print(
        f"\njob cost per query, {count:,} tweets, whole job {whole:.1f} s (first run {first:.1f} s)"
    )
    shares = {q: (whole - t) / whole for q, t in without.items()}
    for q, share in sorted(shares.items(), key=lambda kv: -kv[1]):
        print(f"  {q:<18} without it {without[q]:6.1f} s   share {share:6.1%}")
    results = {
        "count": count,
        "whole_s": whole,
        "whole_first_s": first,
        "without_s": without,
        "share": shares,
    }
    print(f"results: {write('query_cost_smoke' if args.smoke else 'query_cost', results)}")
    return results


if __name__ == "__main__":
    main()
