"""What each tuning knob does to tweetflow's catch-up: the peers' job (bench.peers' queries)
over one preloaded topic, once per setting, between two runs with the defaults:

    python -m bench.tuning                    # 2,000,000 tweets
    python -m bench.tuning --only gc-g1,gc-g1+checkpoint-10s   # "+" combines settings
    python -m bench.tuning --smoke            # 5,000 tweets, one setting, for CI
    python -m bench.tuning --queries live_tweets --only parallelism-2 --count 300000

Each run is a bounded one from the earliest offset in a process of its own (the JVM's start-up
included, and a setting of the JVM takes effect), stopped after 5 minutes; each figure is
its tweets/s, its ratio to the mean of the two runs with the defaults (their difference is the
noise), and its peak resident memory and live heap.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from bench.common import PEER_QUERIES, TWITTER_AVERAGE_RATE, preloaded_stack, write
from bench.cost_growth import figures, summary
from bench.measured import measure
from bench.query_cost import bounded_config
from tweetflow.stack.stack import LocalStack

LIMIT_S = 300.0

# JobConfig fields per setting: Flink options (what `job run --set` gives), the JVM's options,
# the state backend.
SETTINGS: dict[str, dict[str, Any]] = {
    # A bounded run checkpoints every 60 s (job.session_options); this is the live job's 10 s.
    # Every checkpoint copies the whole keyed state, the duplicate filter's ids of its horizon
    # included.
    "checkpoint-10s": {"flink_options": (("execution.checkpointing.interval", "10 s"),)},
    # Bundles rows before state access in the aggregations.
    "mini-batch": {
        "flink_options": (
            ("table.exec.mini-batch.enabled", "true"),
            ("table.exec.mini-batch.allow-latency", "1 s"),
            ("table.exec.mini-batch.size", "5000"),
        )
    },
    # A bounded run gets the parallel collector (job.gateway_jvm_args); this is the live job's
    # G1 (Java's default) instead, whose concurrent marking and barriers cost throughput.
    "gc-g1": {"jvm_args": "-XX:+UseG1GC"},
    # Two of every operator on two cores; for the Elasticsearch sink, two bulks in flight.
    "parallelism-2": {"flink_options": (("parallelism.default", "2"),)},
    # Off the heap, snapshots only what changed; every state access (de)serializes.
    # How much event time of tweet ids the duplicate filter holds (default 5 min): a long one
    # holds every id of the catch-up, a short one little; their heaps differ by the ids.
    "dedup-1s": {"dedup_horizon": "1 s"},
    "dedup-60min": {"dedup_horizon": "60 min"},
    "rocksdb": {
        "state_backend": "rocksdb",
        "flink_options": (("state.backend.incremental", "true"),),
    },
}


def combined(name: str) -> dict[str, Any]:
    """The JobConfig fields of settings joined by "+" (their Flink options together)."""
    fields: dict[str, Any] = {}
    for part in name.split("+"):
        for key, value in SETTINGS[part].items():
            fields[key] = fields.get(key, ()) + value if key == "flink_options" else value
    return fields


def run(
    stack: LocalStack, topic: str, tmp: Path, count: int, name: str,
    queries: tuple[str, ...] = PEER_QUERIES, **overrides: Any,
) -> dict[str, Any]:  # fmt: skip
    """One bounded run of the queries with these JobConfig fields, in a process (and so a JVM)
    of its own: tweets/s (None when not finished within LIMIT_S), peak RSS and live heap in
    MiB."""
    config = bounded_config(stack, topic, queries, tmp, **overrides)
    found = figures(measure(config, tmp, stack.java().home / "bin" / "jfr", LIMIT_S), count)
    print(f"  {name:<16}{summary(found)}", flush=True)
    return found


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=2_000_000)
    parser.add_argument(
        "--only", default="", help="comma-separated settings, each may join some by +"
    )
    parser.add_argument(
        "--queries",
        default=",".join(PEER_QUERIES),
        help="the job's queries; other than the peers' ones, the results are not the report's",
    )
    parser.add_argument("--smoke", action="store_true")
    args = parser.parse_args(argv)
    count = 5_000 if args.smoke else args.count
    queries = tuple(args.queries.split(","))
    names = [n for n in args.only.split(",") if n] or list(SETTINGS)
    if args.smoke:
        names = names[:1]
    unknown = sorted({part for n in names for part in n.split("+")} - set(SETTINGS))
    if unknown:
        parser.error(f"unknown settings {unknown}; known: {', '.join(SETTINGS)}")
    with preloaded_stack("tuning", count, per_second=TWITTER_AVERAGE_RATE) as (stack, topic, tmp):
        heap = stack.settings.flink_heap
        first = run(stack, topic, tmp, count, "defaults", queries)
        runs = {
            name: run(stack, topic, tmp, count, name, queries, **combined(name)) for name in names
        }
        last = run(stack, topic, tmp, count, "defaults", queries)
    defaults = [first["tweets_per_s"], last["tweets_per_s"]]
    if None in defaults:
        raise RuntimeError(f"the job with its defaults did not finish in {LIMIT_S:.0f} s")
    default = sum(defaults) / 2
    noise = abs(defaults[0] - defaults[1]) / default
    print(f"\ncatch-up, {count:,} tweets, heap {heap}: defaults {defaults[0]:,.0f} and "
          f"{defaults[1]:,.0f} tweets/s (noise {noise:.1%})")  # fmt: skip
    ratios = {}
    for name, found in runs.items():
        rate = found["tweets_per_s"]
        ratios[name] = None if rate is None else rate / default
        shown = f"not finished in {LIMIT_S:.0f} s" if rate is None else f"x{rate / default:.3f}"
        print(f"  {name:<16}{shown}")
    results = {
        "count": count, "heap": heap, "queries": list(queries), "limit_s": LIMIT_S,
        "defaults": [first, last],
        "noise": noise, "runs": runs, "ratio": ratios,
        "settings": {name: combined(name) for name in names},
    }  # fmt: skip
    # RESULTS.md's section is the peers' job; another query set is kept beside it.
    name = "tuning" if queries == PEER_QUERIES else f"tuning_{'_'.join(queries)}"
    path = write(f"{name}_smoke" if args.smoke else name, results)
    print(f"results: {path}")
    return results


if __name__ == "__main__":
    main()
