"""Trending against plain top-N by volume, on a stream with labelled events planted in it:

    python -m bench.trending               # 240 minutes of event time, 50 tweets/s behind
    python -m bench.trending --smoke       # 65 minutes at 2 tweets/s, events at 40%, for CI

The stream is `tweetflow produce --planted-labels`'s: the default generator (its own trending
tag left out) with producer/planted.py's scenario on top: after a 30-minute warm-up a burst
every 12 minutes (hashtags and two-word phrases alternating, ramps of 1 to 10 minutes, peaks
of 30 to 300 tweets a minute from as many authors), three evergreen tags at 150 tweets a
minute all along, single-account spam floods and copy-paste campaigns of new accounts.

Two bounded runs of the job over it, each in a process of its own: `trending` beside
`top_hashtags` (the default hour sliding by the minute), then `top_hashtags` over the last
5 minutes (sliding by the minute). For each ranking, its top 10 per minute after the warm-up:
- recall: planted bursts ranked while they last (hashtag bursts: the only ones top_hashtags
  can rank; trending also over the phrase bursts);
- precision at 10: ranked rows that are a planted burst within its life (onset to 5 minutes
  past its end; for top-N, a window that overlaps that);
- lead time: from a burst's onset to the end of the first minute that ranks it (median, p90);
- false positives: rows of evergreen tags, of spam floods; campaigns ranked (reported apart).
"""

from __future__ import annotations

import argparse
import itertools
import re
import statistics
import uuid
from dataclasses import dataclass
from typing import Any

from elasticsearch import Elasticsearch
from elasticsearch.helpers import scan

import bench.tuning
from bench import report
from bench.common import load_topic, private_stack, write
from flink_jobs.config import STOP_WORDS
from producer.planted import CAMPAIGN_TEXT, MINUTE_MS, PlantedEvent, scenario
from producer.synthetic import SyntheticConfig, generate
from tweetflow.ops.watch import ms
from tweetflow.stack.stack import LocalStack

START_MS = 1_767_225_600_000
WARM_UP_MS = 30 * MINUTE_MS
GRACE_MS = 5 * MINUTE_MS  # a burst past its end may still fade in the ranking
TOP = 10


@dataclass(frozen=True)
class Ranked:
    window_start: int
    window_end: int
    key: str


def labelled_stream(
    minutes: int, per_second: float, scale: float = 1.0
) -> tuple[list[PlantedEvent], Any]:
    events = scenario(START_MS, minutes, scale=scale)
    config = SyntheticConfig(
        seed=5,
        count=int(minutes * 60 * per_second),
        start_ms=START_MS,
        per_second=per_second,
        trending_tag="",
        events=events,
    )
    return list(events), generate(config)


def rankings(es: Elasticsearch, index: str, key: str, prefix: str = "") -> list[Ranked]:
    es.indices.refresh(index=index)
    return [
        Ranked(ms(d["window_start"]), ms(d["window_end"]), prefix + d[key])
        for d in (h["_source"] for h in scan(es, index=index))
        if d["rank"] <= TOP
    ]


def event_keys(event: PlantedEvent) -> set[str]:
    """What trending may rank of an event: its key, and a phrase's words; a campaign's words
    and phrases too (its text is always the same)."""
    if event.kind == "campaign":
        stop = set(STOP_WORDS.split(","))
        words = [w for w in re.findall(r"\w+", CAMPAIGN_TEXT.lower()) if w not in stop]
        return {event.key, *words, *(f"{a} {b}" for a, b in itertools.pairwise(words))}
    return {event.key, *([] if event.key.startswith("#") else event.key.split())}


def about(key: str, event: PlantedEvent) -> bool:
    """Whether a ranked key is the event's: one of its keys, or a phrase with one of its
    words (the words around a phrase burst pair up with it: "outage tonight")."""
    keys = event_keys(event)
    return key in keys or (" " in key and bool(set(key.split()) & keys))


def measures(rows: list[Ranked], events: list[PlantedEvent], kinds: str) -> dict[str, Any]:
    """Recall, precision at 10, lead times and false positives of one ranking. kinds:
    "hashtags" counts only hashtag bursts (what top_hashtags can rank), "all" every burst."""
    rows = all_rows = [
        r
        for r in rows
        if r.window_end > START_MS + WARM_UP_MS and (kinds == "all" or r.key.startswith("#"))
    ]
    bursts = [e for e in events if e.kind == "burst"]
    if kinds == "hashtags":
        bursts = [e for e in bursts if e.key.startswith("#")]
    by_key: dict[str, list[Ranked]] = {}
    for row in rows:
        by_key.setdefault(row.key, []).append(row)
    leads = []
    for burst in bursts:
        during = [
            r.window_end
            for r in by_key.get(burst.key, [])
            if burst.onset_ms < r.window_end and r.window_start < burst.end_ms
        ]
        if during:
            leads.append((min(during) - burst.onset_ms) / 1000)

    def relevant(row: Ranked) -> bool:
        return any(
            about(row.key, b)
            and row.window_start < b.end_ms + GRACE_MS
            and b.onset_ms < row.window_end
            for b in bursts
        )

    of_kind = lambda kind: {k for e in events if e.kind == kind for k in event_keys(e)}  # noqa: E731
    evergreen, spam, campaign = of_kind("evergreen"), of_kind("spam"), of_kind("campaign")
    # A campaign is neither a burst nor noise: its rows are reported apart.
    rows = [r for r in rows if r.key not in campaign or relevant(r)]
    ordered = sorted(leads)
    ranked_keys = {r.key for r in all_rows}
    return {
        "bursts": len(bursts),
        "found": len(leads),
        "recall": len(leads) / len(bursts) if bursts else None,
        "rows": len(rows),
        "precision": sum(map(relevant, rows)) / len(rows) if rows else None,
        "lead_median_s": statistics.median(ordered) if ordered else None,
        "lead_p90_s": ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))] if ordered else None,
        "evergreen_rows": sum(r.key in evergreen for r in rows),
        "spam_rows": sum(r.key in spam for r in rows),
        "campaigns_ranked": len(
            {e.key for e in events if e.kind == "campaign" and event_keys(e) & ranked_keys}
        ),
        "campaigns": sum(e.kind == "campaign" for e in events),
        "other_keys": sorted(
            {r.key for r in rows if not relevant(r)} - evergreen - spam - campaign
        )[:20],
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=int, default=240, help="event time of the stream")
    parser.add_argument("--per-second", type=float, default=50.0, help="background density")
    parser.add_argument("--smoke", action="store_true")
    args = parser.parse_args(argv)
    # The smoke run: the scenario's events at 40% of their rates over 2 tweets a second.
    minutes, per_second, scale = (
        (65, 2.0, 0.4) if args.smoke else (args.minutes, args.per_second, 1.0)
    )
    events, stream = labelled_stream(minutes, per_second, scale)
    results: dict[str, Any] = {
        "minutes": minutes,
        "per_second": per_second,
        "labels": [e.label() for e in events],
    }
    bench.tuning.LIMIT_S = 3600.0
    run = bench.tuning.run
    with private_stack("trending") as (stack, tmp):
        topic = f"trending-{uuid.uuid4().hex[:6]}"
        count = load_counted(stack, topic, stream)
        results["tweets"] = count
        print(f"{count:,} tweets over {minutes} minutes, {len(events)} planted events")
        es = Elasticsearch(stack.settings.es_url)
        first, second = f"tr{uuid.uuid4().hex[:6]}_", f"tn{uuid.uuid4().hex[:6]}_"
        results["runs"] = {
            "trending": run(stack, topic, tmp, count, "trending+top_hashtags",
                            ("trending", "top_hashtags"), prefix=first),
            "top_5min": run(stack, topic, tmp, count, "top_hashtags 5 min", ("top_hashtags",),
                            prefix=second, hashtag_window_s=300),
        }  # fmt: skip
        results["rankings"] = {
            "trending": measures(rankings(es, f"{first}trending", "term"), events, "all"),
            "trending_hashtags": measures(
                rankings(es, f"{first}trending", "term"), events, "hashtags"
            ),
            "top_hour": measures(
                rankings(es, f"{first}top_hashtags", "hashtag", "#"), events, "hashtags"
            ),
            "top_5min": measures(
                rankings(es, f"{second}top_hashtags", "hashtag", "#"), events, "hashtags"
            ),
        }
    for name, found in results["rankings"].items():
        print(f"  {name:<18}{line(found)}")
    print(f"results: {write('trending_smoke' if args.smoke else 'trending', results)}")
    if not args.smoke:
        report.write()
    return results


def load_counted(stack: LocalStack, topic: str, stream: Any) -> int:
    count = 0

    def counted() -> Any:
        nonlocal count
        for tweet in stream:
            count += 1
            yield tweet

    load_topic(stack, topic, counted())
    return count


def line(found: dict[str, Any]) -> str:
    pct = lambda v: "-" if v is None else f"{v:.0%}"  # noqa: E731
    sec = lambda v: "-" if v is None else f"{v:.0f} s"  # noqa: E731
    return (
        f"recall {pct(found['recall'])} ({found['found']}/{found['bursts']}), precision@10 "
        f"{pct(found['precision'])}, lead median {sec(found['lead_median_s'])} p90 "
        f"{sec(found['lead_p90_s'])}, evergreen rows {found['evergreen_rows']}, spam rows "
        f"{found['spam_rows']}, campaigns {found['campaigns_ranked']}/{found['campaigns']}"
    )


if __name__ == "__main__":
    main()
