"""bench/RESULTS.md, assembled from the newest full runs of the benchmarks that feed it
(bench/results/peers.json, profile.json, sustained.json, cost_growth.json): each of them
rewrites the report when it finishes, so the file always shows the machine, the versions and
every figure measured."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson

from bench.common import RESULTS, TWITTER_AVERAGE_RATE, machine

# The report and its plots are kept in the repository; the raw JSON (results/) is not.
REPORT = RESULTS.parent / "RESULTS.md"
PLOTS = RESULTS.parent / "plots"


def _load(name: str) -> dict[str, Any] | None:
    path = RESULTS / f"{name}.json"
    return orjson.loads(path.read_bytes()) if path.exists() else None


def write() -> Path:
    m = machine()
    sections = [
        section(found)
        for section, found in (
            (peers_section, _load("peers")),
            (profile_section, _load("profile")),
            (sustained_section, _load("sustained")),
            (cost_growth_section, _load("cost_growth")),
        )
        if found is not None
    ]
    REPORT.write_text(
        f"""# Benchmark results

Written by the benchmarks below on {m["cpus"]} CPUs ({m["machine"]}), Python {m["python"]},
Flink {m["flink"]}, Kafka {m["kafka"]}, with Kafka, Elasticsearch and the contender on the same
machine. Absolute figures vary between runs on a shared machine; the ratios within one run are
what count.
{"".join(sections)}
## Not measured yet (issue 8)

The catch-up of 5,000,000 tweets; the peers' freshness at sustained rates. Earlier figures:
README, "Benchmarks".
""",
        encoding="utf-8",
    )
    return REPORT


def peers_section(figures: dict[str, Any]) -> str:
    rates, equal = figures["tweets_per_s"], figures["results_equal"]
    flink = rates["tweetflow (Flink SQL)"]
    late = figures.get("late_tweets", {})
    differing = "".join(
        f"\n{name}: {late.get(name, 0):,} tweets dropped as late; documents differing from "
        f"tweetflow's: {', '.join(f'{index} {n:,}' for index, n in counts.items())}.\n"
        for name, counts in figures.get("documents_differing", {}).items()
    )
    rows = "\n".join(
        f"| {name} | {rate:,.0f} | {flink / rate:.3f} | "
        f"{'equal' if equal.get(name) else 'DIFFER' if name in equal else ''} |"
        for name, rate in rates.items()
    )
    return f"""
## Catch-up: {figures["count"]:,} tweets already in Kafka

`python -m bench.peers --count {figures["count"]}`. Each contender reads the whole topic from its
first offset; the stream processors compute the same queries (tweets per 2 s and per minute, the
60 s / 5 s rolling count, top 5 authors per 5 s and per 60 s / 5 s, top 10 hashtags per hour
sliding by the minute) and write them to Elasticsearch. "results" compares each peer's
documents with tweetflow's.

| contender | tweets/s | tweetflow ÷ contender | results |
| --- | ---: | ---: | --- |
{rows}
{differing}
![catch-up throughput](plots/peers.png)

tweetflow's figure includes its start-up (JVM, planning, about 10 s): the mini-cluster run of
`tweetflow job run --bounded`, as a user runs it; so do Spark's (a local session, `local[*]`)
and Quix's. Quix Streams (`bench/quix_peer.py`) re-keys through Kafka topics (its windows are
per message key) and writes at its checkpoints; Spark (`bench/spark_peer.py`) runs one
streaming query per aggregation, `Trigger.AvailableNow`, ranking in `foreachBatch`. Neither
closes a window at the end of a topic, so one end-of-input tweet per partition, two hours
later, is appended for them (for Quix once it has read every real tweet: its windows close by
the newest event time of a partition, also of the topics it re-keys through).

The topic holds {TWITTER_AVERAGE_RATE:,.0f} tweets per second of event time (Twitter's 2013
average): window costs grow with event time, so a sparser stream charges them to fewer tweets.
"""


def profile_section(found: dict[str, Any]) -> str:
    rate = found["count"] / found["seconds"]
    rows = "\n".join(f"| {name} | {share:.1%} |" for name, share in found["activities"].items())
    return f"""
## Where tweetflow's time goes

`python -m bench.profile --count {found["count"]}` records one bounded run of the same job with
Java Flight Recorder ({found["samples"]:,} CPU samples, {rate:,.0f} tweets/s with start-up)
and charges each sample to what its stack was doing; the collapsed stacks
(`bench/results/profile.collapsed`) open in speedscope or flamegraph.pl.

| activity | share of CPU samples |
| --- | ---: |
{rows}

Before tweetflow's own JSON functions (`TWEET_FIELDS`, `TWEET_TIMESTAMP`), the same profile
of 300,000 tweets showed 46% of all samples in Flink's JSON_VALUE / JSON_QUERY, which parse
the payload again for every field (about twenty times per tweet).
"""


def sustained_section(found: dict[str, Any]) -> str:
    def s(value: float | None) -> str:
        return "-" if value is None else f"{value:.2f}"

    rows = "\n".join(
        f"| {r['offered']:,.0f} | {r['achieved']:,.0f} | {r['processed']:,.0f} | "
        f"{r['lag_max']:,} | "
        f"{'yes' if r['lag_bounded'] else 'no'} | {s(r['window_end_to_visible_p50_s'])} | "
        f"{s(r['window_end_to_visible_p99_s'])} | {s(r['produced_to_visible_p50_s'])} | "
        f"{s(r['produced_to_visible_p99_s'])} |"
        for r in found["rates"]
    )
    held = found["highest_held"]
    return f"""
## Sustained rates and freshness

`python -m bench.sustained --seconds {found["seconds"]:.0f}`: the live job (watermark
{found["watermark_s"]} s behind) fed at each rate for {found["seconds"]:.0f} s by one producer
process (confluent-kafka), one rate after the other. Lag: end offsets minus the offsets the job
commits at each checkpoint (every 2 s). Freshness in seconds, from a 2-second window's end and
from a tweet's send time to found by a search (polled every 0.2 s; Elasticsearch refreshes every
second).

| offered/s | sent/s | read/s | lag max | held | window end→seen p50 | p99 | sent→seen p50 | p99 |
| ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: |
{rows}

Highest rate held with lag bounded: {"none" if held is None else f"{held:,.0f} tweets/s"}.

![sustained rates](plots/sustained.png)
"""


def cost_growth_section(found: dict[str, Any]) -> str:
    def row(label: str, run: dict[str, Any]) -> str:
        rate = f"{run['tweets_per_s']:,.0f}" if run["finished"] else "not in 5 min"
        if run.get("out_of_memory"):
            rate += " (OutOfMemoryError, restarting)"
        return (
            f"| {label} | {rate} | {run['peak_rss_mib']:,.0f} | {run['peak_live_heap_mib']:,.0f} |"
        )

    largest = max(found["cardinality"], key=int)
    middle = sorted(found["cardinality"], key=int)[len(found["cardinality"]) // 2]
    widest = max(found["window_hours"], key=float)
    rows = [row(f"{int(n):,} distinct hashtags", r) for n, r in found["cardinality"].items()]
    rows += [
        row(f"{int(middle):,} distinct, parallelism 2", found["parallelism_2"]),
        row(f"{int(largest):,} distinct, RocksDB", found["rocksdb"]),
    ]
    windows = [row(f"{float(h):g} h window", r) for h, r in found["window_hours"].items()]
    windows.append(row(f"{float(widest):g} h window, RocksDB", found["window_rocksdb"]))
    head = "| run | tweets/s | peak RSS MiB | peak live heap MiB |\n| --- | ---: | ---: | ---: |"
    return f"""
## How cost grows

`python -m bench.cost_growth`: the top-hashtags query alone (one hour sliding by the minute,
top 10), one bounded run per line in a process of its own, heap 3 GiB, start-up included,
stopped after 5 minutes.
Peak RSS is what the mini-cluster's JVM (JobManager and TaskManager in one) took from the
machine; peak live heap is the most heap still in use after a garbage collection.

{found["count"]:,} tweets, two hashtags each, drawn in turn from N names (every window holds
min(N, 2 x tweets) distinct hashtags, all about equally frequent):

{head}
{chr(10).join(rows)}

{found["window_count"]:,} synthetic tweets over 25 hours of event time, window sliding every
minute:

{head}
{chr(10).join(windows)}

![memory and throughput vs cardinality](plots/cost_growth.png)

Reading them: the cardinality topics span 88 s of event time, inside all sixty one-hour
windows that overlap it, and nearly all of those fire together at the end of the input; each
emits a count for every distinct hashtag to the top-N step, so at 100,000 hashtags six million
rows are in flight at once (the live heap above), and at 1,000,000 the 3 GiB heap runs out and
the job restarts. A live stream fires one window a minute, a sixtieth of that. RocksDB keeps
the state off the heap (under 1 GiB resident) but serializes every access, too slow to finish
within the five minutes. A wider window costs in proportion to its slices: every minute each
hashtag's window merges window/slide slices (60 for 1 h, 360 for 6 h, 1,440 for 24 h).
Parallelism 2 helped where the work is firing and ranking (x1.30 at 100,000 hashtags), unlike
the whole job's catch-up (see README), which Kafka, Elasticsearch and two Flink threads share
on two cores.
"""
