"""Sustained rates: the live job fed at fixed rates, one after the other, each for a while.

    python -m bench.sustained                           # 1,000 ... 143,199 tweets/s, 60 s each
    python -m bench.sustained --seconds 300             # the issue's five minutes per rate
    python -m bench.sustained --smoke                   # 1,000 tweets/s for 8 s, for CI
    python -m bench.sustained --queries job --stream zipf --name sustained_job_zipf

One unbounded job (by default the peers' queries and live_tweets; `--queries job` the whole
default job, `job_without_live` the same without live_tweets; watermark 1 s behind, results
flushed and made searchable every 200 ms) reads a topic that a producer process fills at
1,000, 5,700 (Twitter's 2013 average), 20,000, 50,000 and 143,199 (its August 2013 peak)
tweets/s, stamping each tweet with its planned send time (`--stream zipf`: hashtags from a
Zipf law over a million names, bench/streams.py), after a warm-up period at the first rate
that is not reported (a JVM's first seconds run code not yet compiled), prolonged until a
first window is visible. Per rate:
  - the rate sent (the topic's growth), the rate the job read (its committed offsets' growth)
    and its consumer lag (end offsets minus the offsets the job commits at each checkpoint,
    every 10 s by default, sampled every 2 s), held when it does not grow over the second
    half of the period and every 2-second window of the period becomes visible;
  - window end -> visible: 2-second tweet_rate windows, from their end to found by a search;
  - produced -> visible: live_tweets documents, from their send time to found by a search.
Searches run every 100 ms, so figures are good to about 0.1 s. A rate not held ends the run:
higher ones would not be either.
"""

from __future__ import annotations

import argparse
import itertools
import multiprocessing
import statistics
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

from elasticsearch import Elasticsearch
from kafka import KafkaAdminClient, KafkaConsumer, TopicPartition
from kafka.errors import (
    CoordinatorLoadInProgressError,
    CoordinatorNotAvailableError,
    NotCoordinatorError,
)

from bench import report
from bench.common import DEDUP_HORIZON, SUSTAINED_QUERIES, private_stack, write
from bench.freshness import percentile
from bench.report import PLOTS
from bench.streams import STREAMS, zipf_tagger
from flink_jobs import catalog, runtime
from flink_jobs.config import parse_flink_options
from tweetflow.stack.stack import LocalStack

RATES = (1_000.0, 5_700.0, 20_000.0, 50_000.0, 143_199.0)
WARMUP_LIMIT_S = 180.0
# --queries by name: what users run.
QUERY_SETS = {
    "job": catalog.CORE_QUERIES,
    "job_without_live": catalog.core_queries_without(["live_tweets"]),
}
SETTLE_S = 8.0  # after a period: its last windows fire and flush


def produce(
    bootstrap: str, topic: str, rate: float, seconds: float, seed: int, stream: str = "default"
) -> None:
    """The producer process: synthetic tweets stamped with their planned send time (event
    time runs as fast as the wall clock: the density is the rate). Each period needs a seed of
    its own: the same seed gives the same tweet ids, which the job would drop as duplicates.
    The zipf stream redraws each tweet's hashtags (bench/streams.py)."""
    from producer import pipeline
    from producer.kafka_sink import open_sink
    from producer.synthetic import SyntheticConfig, synthetic_records

    sink = open_sink("confluent-kafka", bootstrap, topic)
    config = SyntheticConfig(
        seed=seed, count=int(rate * seconds), start_ms=int(time.time() * 1000), per_second=rate,
        out_of_order=0.0,
    )  # fmt: skip
    records = synthetic_records(config)
    if stream == "zipf":
        tag = zipf_tagger(seed)
        records = (replace(r, value=tag(r.value)) for r in records)  # type: ignore[arg-type]
    pipeline.run(records, sink, rate=rate)
    sink.close()


class Offsets:
    """The topic's end offsets, summed over partitions: what has been sent."""

    def __init__(self, bootstrap: str, topic: str) -> None:
        self.consumer = KafkaConsumer(bootstrap_servers=bootstrap)
        self.partitions = [
            TopicPartition(topic, p) for p in self.consumer.partitions_for_topic(topic) or ()
        ]

    def end(self) -> int:
        return sum(self.consumer.end_offsets(self.partitions).values())

    def close(self) -> None:
        self.consumer.close()


# What a new broker answers while its offsets topic is created and loaded.
COORDINATOR_STARTING = (
    CoordinatorNotAvailableError,
    CoordinatorLoadInProgressError,
    NotCoordinatorError,
)


class Lag(Offsets):
    """End offsets minus a consumer group's committed offsets, summed over partitions."""

    def __init__(self, bootstrap: str, topic: str, group: str) -> None:
        super().__init__(bootstrap, topic)
        self.admin = KafkaAdminClient(bootstrap_servers=bootstrap)
        self.group = group

    def done(self) -> int:
        """Records the reader has read, as of its last commit (the job's: its checkpoint)."""
        try:
            committed = self.admin.list_group_offsets(self.group).get(self.group, {})
        except COORDINATOR_STARTING:  # a new broker's offsets topic: nothing committed yet
            return 0
        return sum(committed[p].offset for p in self.partitions if p in committed)

    def __call__(self) -> int:
        return self.end() - self.done()

    def close(self) -> None:
        self.admin.close()
        super().close()


class Watcher(threading.Thread):
    """Polls Elasticsearch; notes when each 2 s window and each live tweet was first found."""

    def __init__(self, es: Elasticsearch, prefix: str) -> None:
        super().__init__(daemon=True)
        self.es, self.prefix = es, prefix
        self.windows: dict[str, tuple[float, float]] = {}  # id -> (window end, seen)
        self.tweets: list[tuple[float, float]] = []  # (created, seen)
        self.newest_ms = 0
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.wait(0.1):
            now = time.time()
            for hit in self._search(f"{self.prefix}tweet_rate", {"term": {"window_seconds": 2}}):
                if hit["_id"] not in self.windows:
                    self.windows[hit["_id"]] = (_epoch(hit["_source"]["window_end"]), now)
            newer = {"range": {"created_at": {"gt": self.newest_ms, "format": "epoch_millis"}}}
            for hit in self._search(
                f"{self.prefix}live_tweets-*", newer, sort=[{"created_at": "desc"}]
            ):
                created = _epoch(hit["_source"]["created_at"])
                self.tweets.append((created, now))
                self.newest_ms = max(self.newest_ms, int(created * 1000))

    def _search(self, index: str, query: dict[str, Any], **extra: Any) -> list[dict[str, Any]]:
        try:
            return self.es.search(index=index, size=500, query=query, **extra)["hits"]["hits"]
        except Exception:  # the index appears with its first document
            return []


def _epoch(iso: str) -> float:
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()


def one_rate(
    bootstrap: str, topic: str, offsets: Offsets, watcher: Watcher, rate: float,
    seconds: float, seed: int, settle_limit_s: float = SETTLE_S, stream: str = "default",
) -> dict[str, Any]:  # fmt: skip
    """One period at `rate`. Bounded means the 2 s windows of the period all became visible
    and, with a Lag (a reader that commits its offsets), its lag did not grow over the second
    half; without one (Spark), their delay did not. After the period its last windows get
    SETTLE_S to fire and flush, and up to `settle_limit_s` while none of its windows shows."""
    lag = offsets if isinstance(offsets, Lag) else None
    began, first_end = time.time(), offsets.end()
    first_done = lag.done() if lag else 0
    producer = multiprocessing.get_context("spawn").Process(
        target=produce, args=(bootstrap, topic, rate, seconds, seed, stream)
    )
    producer.start()
    samples: list[tuple[float, int]] = []
    while producer.is_alive():
        if lag:
            samples.append((time.time() - began, lag()))
        time.sleep(2)
    sent_for = time.time() - began
    achieved = (offsets.end() - first_end) / sent_for
    processed = (lag.done() - first_done) / sent_for if lag else None
    time.sleep(SETTLE_S)

    def period_windows() -> list[tuple[float, float]]:
        return sorted(
            (end - began, seen - end)
            for end, seen in list(watcher.windows.values())
            if began < end < began + sent_for
        )

    while not period_windows() and time.time() - began - sent_for < settle_limit_s:
        time.sleep(1)
    ended = time.time()
    latencies = period_windows()
    windows = [delay for _, delay in latencies]
    tweets = [
        seen - created for created, seen in watcher.tweets if began < created < ended - SETTLE_S
    ]
    # Every 2 s window of the period visible (but the two the producer's start and end may
    # leave empty), and the backlog not growing over the second half.
    bounded = len(windows) >= int(sent_for / 2) - 2
    if lag:
        half = [n for t, n in samples if t >= sent_for / 2]
        first = [n for t, n in samples if t < sent_for / 2]
        bounded = bounded and bool(half)
        bounded = bounded and max(half) <= max(max(first, default=0) * 1.5, rate * 12)
    else:
        half_delays = [d for t, d in latencies if t >= sent_for / 2]
        first_delays = [d for t, d in latencies if t < sent_for / 2]
        bounded = bounded and bool(half_delays)
        bounded = bounded and max(half_delays) <= max(max(first_delays, default=0) * 1.5, 12)

    def pct(values: list[float], q: float) -> float | None:
        return percentile(values, q) if values else None

    return {
        "offered": rate,
        "achieved": achieved,
        "processed": processed,
        "lag_max": max((n for _, n in samples), default=None),
        "lag_second_half_max": max((n for t, n in samples if t >= sent_for / 2), default=None),
        "lag_bounded": bounded,
        "window_end_to_visible_p50_s": statistics.median(windows) if windows else None,
        "window_end_to_visible_p99_s": pct(windows, 0.99),
        "window_end_to_visible_max_s": max(windows, default=None),
        "produced_to_visible_p50_s": statistics.median(tweets) if tweets else None,
        "produced_to_visible_p99_s": pct(tweets, 0.99),
        "windows": len(windows),
        "tweets_sampled": len(tweets),
        # when the slow ones happened: (seconds into the period, window end -> visible)
        "window_latencies": [(round(t, 2), round(d, 2)) for t, d in latencies],
        "lag_samples": [(round(t, 1), n) for t, n in samples],
    }


def start_live_job(
    stack: LocalStack, topic: str, prefix: str, state: Path, checkpoint_interval: str = "2 s",
    **options: Any,
) -> tuple[Lag, Callable[[], None]]:  # fmt: skip
    """The job reading `topic` from its newest offset, checkpointing (and so committing its
    offsets) every `checkpoint_interval`; returns its lag and what cancels it."""
    config = replace(stack.job_config(),
        kafka_topic=topic, kafka_group_id=topic, scan_startup_mode="latest-offset",
        es_index_prefix=prefix, checkpoint_interval=checkpoint_interval,
        checkpoint_dir=state / f"checkpoints-{prefix}", log_dir=state / "logs", **options,
    )  # fmt: skip
    client = runtime.start(config).get_job_client()

    def cancel() -> None:
        if client is not None:
            client.cancel().result()

    return Lag(stack.settings.kafka_bootstrap, topic, topic), cancel


def run_rates(
    bootstrap: str, topic: str, offsets: Offsets, watcher: Watcher, rates: list[float],
    seconds: float, warmup_s: float, warmup_limit_s: float = WARMUP_LIMIT_S,
    settle_limit_s: float = SETTLE_S, stream: str = "default",
) -> list[dict[str, Any]]:  # fmt: skip
    """A warm-up at the first rate (not reported: a JVM's first seconds run code not yet
    compiled), then each rate in turn until one is not held: higher ones would not be either.
    `settle_limit_s`: see one_rate."""
    seeds = itertools.count(1)
    if warmup_s > 0:
        warm_up(bootstrap, topic, offsets, watcher, rates[0], warmup_s, seeds, warmup_limit_s,
                stream)  # fmt: skip
    rows: list[dict[str, Any]] = []
    for rate in rates:
        row = one_rate(bootstrap, topic, offsets, watcher, rate, seconds, next(seeds),
                       settle_limit_s, stream)  # fmt: skip
        rows.append(row)
        print(f"  {_line(rows[-1])}", flush=True)
        if not rows[-1]["lag_bounded"]:
            break
    return rows


def warm_up(
    bootstrap: str, topic: str, offsets: Offsets, watcher: Watcher, rate: float,
    seconds: float, seeds: Iterator[int], limit_s: float = WARMUP_LIMIT_S,
    stream: str = "default",
) -> None:  # fmt: skip
    """Periods of `seconds` at `rate` until the reader's first window is visible, at most
    `limit_s`: a reader still starting (Spark on a busy machine takes a minute) would
    otherwise spend the measured period starting, and be charged for it."""
    began = time.time()
    while True:
        warm = one_rate(bootstrap, topic, offsets, watcher, rate, seconds, next(seeds),
                        stream=stream)  # fmt: skip
        print(f"  warm-up {_line(warm)}", flush=True)
        if watcher.windows or time.time() - began >= limit_s:
            return


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--rates", default=",".join(f"{r:.0f}" for r in RATES))
    parser.add_argument("--watermark", type=int, default=1, help="watermark delay, seconds")
    parser.add_argument(
        "--flush-interval", default="200ms", help="the Elasticsearch sink's bulk flush interval"
    )
    parser.add_argument(
        "--refresh-interval", default="200ms", help="the result indexes' Elasticsearch refresh"
    )
    parser.add_argument("--heap", default="1g", help="the mini-cluster JVM's maximum heap")
    parser.add_argument(
        "--jvm-args", default="", help="more options of that JVM, e.g. -Xlog:gc:file=gc.log"
    )
    parser.add_argument(
        "--checkpoint-interval",
        default="10 s",
        help="the job's (its default); it commits its offsets then, so the lag measured "
        "includes up to this much of reading",
    )
    parser.add_argument(
        "--dedup-horizon", default=DEDUP_HORIZON, help="how long the job remembers tweet ids"
    )
    parser.add_argument(
        "--set", action="append", default=[], help="a Flink option KEY=VALUE (repeatable)"
    )
    parser.add_argument(
        "--queries",
        default=",".join(SUSTAINED_QUERIES),
        help="the job's queries, or job (the whole default job, enrichment off) or "
        "job_without_live; without live_tweets no tweet is a document, and sent->seen is not "
        "measured",
    )
    parser.add_argument("--stream", choices=STREAMS, default="default")
    parser.add_argument(
        "--name",
        default="sustained",
        help="results file; sustained, sustained_long*, sustained_job* feed RESULTS.md",
    )
    parser.add_argument(
        "--warmup", type=float, default=30, help="seconds at the first rate before measuring"
    )
    parser.add_argument("--smoke", action="store_true")
    args = parser.parse_args(argv)
    rates = [1_000.0] if args.smoke else [float(r) for r in args.rates.split(",")]
    seconds, warmup = (8.0, 5.0) if args.smoke else (args.seconds, args.warmup)
    queries = QUERY_SETS.get(args.queries) or tuple(args.queries.split(","))
    with private_stack("sustained") as (stack, state):
        topic, prefix = f"sustained-{uuid.uuid4().hex[:6]}", f"s{uuid.uuid4().hex[:6]}_"
        from producer.kafka_sink import TweetSink

        TweetSink(stack.settings.kafka_bootstrap, topic, partitions=2).close()
        lag, stop_job = start_live_job(
            stack, topic, prefix, Path(state), queries=queries,
            watermark_delay_s=args.watermark, es_flush_interval=args.flush_interval,
            es_refresh_interval=args.refresh_interval, heap=args.heap, jvm_args=args.jvm_args,
            checkpoint_interval=args.checkpoint_interval, dedup_horizon=args.dedup_horizon,
            flink_options=parse_flink_options(args.set),
        )  # fmt: skip
        # The job reaches its Kafka source (the smoke run's warm-up goes on until its first
        # window is visible instead).
        time.sleep(0 if args.smoke else 15)
        watcher = Watcher(Elasticsearch(stack.settings.es_url), prefix)
        watcher.start()
        try:
            bootstrap = stack.settings.kafka_bootstrap
            rows = run_rates(bootstrap, topic, lag, watcher, rates, seconds, warmup,
                             stream=args.stream)  # fmt: skip
        finally:
            watcher.stop.set()
            lag.close()
            stop_job()
    held = [r["offered"] for r in rows if r["lag_bounded"]]
    results = {"seconds": seconds, "warmup_s": warmup, "watermark_s": args.watermark,
               "flush_interval": args.flush_interval,
               "refresh_interval": args.refresh_interval, "heap": args.heap,
               "checkpoint_interval": args.checkpoint_interval,
               "dedup_horizon": args.dedup_horizon, "flink_options": args.set,
               "queries": list(queries), "query_set": args.queries if args.queries in QUERY_SETS
               else None, "stream": args.stream, "rates": rows,
               "highest_held": max(held, default=None)}  # fmt: skip
    print(f"highest rate held for {seconds:.0f} s with lag bounded: {results['highest_held']}")
    name = "sustained_smoke" if args.smoke else args.name
    print(f"results: {write(name, results)}")
    if name == "sustained":
        plot(rows, PLOTS / "sustained.png")
    if name == "sustained" or name.startswith(("sustained_long", "sustained_job")):
        print(f"report: {report.write()}")
    return results


def plot(rows: list[dict[str, Any]], path: Path) -> None:
    """Achieved against offered rate, and the freshness percentiles at each rate."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    offered = [r["offered"] for r in rows]
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.6))
    left.plot(offered, offered, ":", color="grey", label="offered")
    left.plot(offered, [r["achieved"] for r in rows], "o-", label="sent")
    left.plot(offered, [r["processed"] for r in rows], "s-", label="read by the job")
    left.set(xscale="log", yscale="log", xlabel="offered tweets/s", ylabel="tweets/s")
    left.legend()
    for key, label in (("window_end_to_visible", "window end"), ("produced_to_visible", "sent")):
        for q, style in (("p50", "o-"), ("p99", "s--")):
            values = [r[f"{key}_{q}_s"] for r in rows]
            right.plot(offered, values, style, label=f"{label} → visible {q}")
    right.set(xscale="log", xlabel="offered tweets/s", ylabel="seconds")
    right.legend(fontsize=8)
    fig.tight_layout()
    PLOTS.mkdir(exist_ok=True)
    fig.savefig(path, dpi=110)


def _line(row: dict[str, Any]) -> str:
    def s(key: str) -> str:
        value = row[key]
        return "  -  " if value is None else f"{value:5.2f}"

    def n(key: str, unit: str = "") -> str:
        value = row[key]
        return f"{'-':>9}{' ' * len(unit)}" if value is None else f"{value:>9,.0f}{unit}"

    return (
        f"offered {row['offered']:>9,.0f}/s sent {row['achieved']:>9,.0f}/s "
        f"read {n('processed', '/s')}  "
        f"lag max {n('lag_max')}{'' if row['lag_bounded'] else ' GROWING'}  "
        f"window end->visible p50 {s('window_end_to_visible_p50_s')} p99 "
        f"{s('window_end_to_visible_p99_s')}  produced->visible p50 "
        f"{s('produced_to_visible_p50_s')} p99 {s('produced_to_visible_p99_s')}"
    )


if __name__ == "__main__":
    main()
