"""bench/RESULTS.md, assembled from the newest full runs of the benchmarks that feed it
(bench/results/peers.json, profile.json, sustained.json): each of them rewrites the report when
it finishes, so the file always shows the machine, the versions and every figure measured."""

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

Quix Streams and Spark Structured Streaming as peers, the catch-up of 5,000,000 tweets, cost
growth with cardinality, window size, parallelism and the state backend. Earlier figures:
README, "Benchmarks".
""",
        encoding="utf-8",
    )
    return REPORT


def peers_section(figures: dict[str, Any]) -> str:
    rates, equal = figures["tweets_per_s"], figures["results_equal"]
    flink = rates["tweetflow (Flink SQL)"]
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

![catch-up throughput](plots/peers.png)

tweetflow's figure includes its start-up (JVM, planning, about 10 s): the mini-cluster run of
`tweetflow job run --bounded`, as a user runs it. The topic holds {TWITTER_AVERAGE_RATE:,.0f}
tweets per second of event time (Twitter's 2013 average): window costs grow with event time,
so a sparser stream charges them to fewer tweets.
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
