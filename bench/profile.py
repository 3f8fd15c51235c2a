"""Where the job's time goes: a Java Flight Recorder profile of one bounded run of the job over
a preloaded topic, summarised by what the sampled code was doing.

    python -m bench.profile                          # 300,000 tweets, the peers' queries
    python -m bench.profile --queries tweet_rate     # one query: the cost of the common path
    python -m bench.profile --queries job --per-second 50   # the whole default job
    python -m bench.profile --smoke                  # 5,000 tweets, for CI

Prints the share of CPU samples per activity (JSON functions, Kafka, windows, top-N,
duplicate filter, Elasticsearch sink...), per thread, and the hottest methods; writes the
collapsed stacks (`bench/results/profile.collapsed`, the input of flamegraph.pl or speedscope).
"""

from __future__ import annotations

import argparse
import re
import subprocess
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from bench import measured, report
from bench.common import PEER_QUERIES, RESULTS, TWITTER_AVERAGE_RATE, preloaded_stack, write
from bench.query_cost import bounded_config
from flink_jobs import catalog
from tweetflow.stack.stack import LocalStack

# What a sample was doing: the first of these that matches any frame of its stack (so
# Jackson under JSON_VALUE counts as JSON functions, a window emitting its results to the next
# operator as records between operators).
ACTIVITIES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern))
    for name, pattern in (
        ("JSON functions (JSON_VALUE, JSON_QUERY, IS JSON)", r"SqlJsonUtils|jsonpath"),
        (
            "tweet parsing (TWEET_FIELDS, TWEET_TIMESTAMP)",
            r"^tweetflow\.flink\.Tweet(Fields|Timestamp|Json)",
        ),
        ("trending: a tweet's keys (TREND_KEYS)", r"^tweetflow\.flink\.TrendKeys"),
        ("trending: scores and phases (TRENDING)", r"^tweetflow\.flink\.Trend(ing|\$)"),
        ("Elasticsearch sink", r"elasticsearch"),
        ("checkpointing", r"[Cc]heckpoint|snapshotState"),
        ("window top-N", r"WindowRank|TopNBuffer"),
        ("records between operators", r"RecordWriter|SpanningRecordDeserializer|NonSpanningWr"),
        ("window firing (merging slices)", r"onEventTime|fireWindow"),
        ("window aggregation (accumulating)", r"WindowAggOperator|WindowBuffer"),
        # Chained after the duplicate filter in the whole job: charged to themselves.
        # Before TWEET_WORDS, SPLIT in SQL; TREND_KEYS' own call of it is charged above.
        (
            "words of word_counts (TWEET_WORDS)",
            r"splitByWholeSeparator|^tweetflow\.flink\.TweetWords",
        ),
        ("UNNEST of hashtags, words, mentions, urls (Correlate)", r"StreamExecCorrelate"),
        ("duplicate filter", r"Deduplicat|FirstSeen"),
        (
            "Kafka source (fetch, raw format)",
            r"connector\.kafka|kafka\.shaded|RawFormat|SourceReader",
        ),
        ("other SQL expressions (Calc)", r"StreamExecCalc|Calc\$"),
    )
)
OTHER = "other (JVM, Flink runtime)"


@dataclass(frozen=True)
class Sample:
    thread: str
    frames: tuple[str, ...]  # innermost first


def record(
    stack: LocalStack, topic: str, tmp: Path, queries: tuple[str, ...]
) -> tuple[Path, float]:
    """One bounded run in a child process (its JVM ends with it, writing the recording)."""
    recording = tmp / f"job-{uuid.uuid4().hex[:6]}.jfr"
    config = bounded_config(
        stack, topic, queries, tmp,
        jvm_args=f"-XX:StartFlightRecording=filename={recording},settings=profile,dumponexit=true",
    )  # fmt: skip
    began = time.monotonic()
    child = measured.spawn(config)
    child.join()
    seconds = time.monotonic() - began
    if child.exitcode != 0 or not recording.exists():
        raise RuntimeError(f"the profiled run failed (exit {child.exitcode}); logs in {tmp}/logs")
    return recording, seconds


def samples(recording: Path, jfr_tool: Path) -> list[Sample]:
    if not jfr_tool.exists():
        raise RuntimeError(f"no {jfr_tool}: reading the recording needs a JDK's jfr tool")
    printed = subprocess.run(
        [str(jfr_tool), "print", "--json", "--stack-depth", "128",
         "--events", "jdk.ExecutionSample", str(recording)],
        capture_output=True, check=True, timeout=600,
    )  # fmt: skip
    out = []
    for event in orjson.loads(printed.stdout)["recording"]["events"]:
        values = event["values"]
        trace = values.get("stackTrace") or {"frames": []}
        frames = tuple(
            f"{f['method']['type']['name'].replace('/', '.')}.{f['method']['name']}"
            for f in trace["frames"]
        )
        out.append(Sample(values["sampledThread"]["javaName"] or "?", frames))
    return out


def activity(sample: Sample) -> str:
    for name, pattern in ACTIVITIES:
        if any(pattern.search(frame) for frame in sample.frames):
            return name
    return OTHER


def thread_group(name: str) -> str:
    """Task threads are named after their operator chain and subtask: keep the chain."""
    return re.sub(r" \(\d+/\d+\)#\d+$", "", re.sub(r"\[\d+\]", "", name))[:110]


def summary(found: list[Sample], top: int) -> dict[str, Any]:
    total = len(found) or 1
    return {
        "samples": len(found),
        "activities": {k: v / total for k, v in Counter(map(activity, found)).most_common()},
        "threads": {
            k: v / total for k, v in Counter(thread_group(s.thread) for s in found).most_common(top)
        },
        "hot_methods": {
            k: v / total
            for k, v in Counter(s.frames[0] for s in found if s.frames).most_common(top)
        },
    }


def collapsed(found: list[Sample]) -> str:
    """One line per distinct stack, root first, with its sample count (flamegraph.pl input)."""
    stacks = Counter(";".join((thread_group(s.thread), *reversed(s.frames))) for s in found)
    return "".join(f"{stack} {n}\n" for stack, n in stacks.most_common())


def print_summary(title: str, figures: dict[str, Any]) -> None:
    print(f"\n{title}: {figures['samples']:,} CPU samples")
    for section in ("activities", "threads", "hot_methods"):
        print(f"  {section.replace('_', ' ')}:")
        for name, share in figures[section].items():
            print(f"    {share:6.1%}  {name}")


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=300_000)
    parser.add_argument(
        "--queries",
        default=",".join(PEER_QUERIES),
        help="comma-separated, or job: the whole default job (enrichment off)",
    )
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument(
        "--per-second",
        type=float,
        default=TWITTER_AVERAGE_RATE,
        help="event-time density of the input, tweets per second",
    )
    parser.add_argument("--smoke", action="store_true")
    args = parser.parse_args(argv)
    count = 5_000 if args.smoke else args.count
    whole_job = args.queries == "job"
    queries = (
        catalog.CORE_QUERIES
        if whole_job
        else tuple(q.strip() for q in args.queries.split(",") if q.strip())
    )
    with preloaded_stack("profile", count, per_second=args.per_second) as (stack, topic, tmp):
        recording, seconds = record(stack, topic, tmp, queries)
        found = samples(recording, stack.java().home / "bin" / "jfr")
    figures = summary(found, args.top)
    figures |= {
        "count": count, "per_second": args.per_second, "queries": queries, "seconds": seconds
    }  # fmt: skip
    print_summary(
        f"job profile, {count:,} tweets ({args.per_second:,.0f} per second of event time), "
        f"{', '.join(queries)}: {seconds:.1f} s "
        f"({count / seconds:,.0f} tweets/s, start-up included)",
        figures,
    )
    name = "profile_smoke" if args.smoke else "profile_job" if whole_job else "profile"
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{name}.collapsed").write_text(collapsed(found), encoding="utf-8")
    print(f"results: {write(name, figures)}; stacks: {RESULTS / f'{name}.collapsed'}")
    if not args.smoke:
        print(f"report: {report.write()}")
    return figures


if __name__ == "__main__":
    main()
