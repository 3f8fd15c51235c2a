"""The peer a good engineer would write by hand instead of tweetflow: one Python process that
consumes the topic, decodes with orjson, keeps event-time windows in dicts with incremental
sliding sums, and bulk-writes the results to Elasticsearch.

It computes the benchmark's queries with tweetflow's semantics, so its output can be compared
document for document: tweets per 2 s and per 60 s (tumbling), the 60 s / 5 s rolling count,
the top 5 authors per 5 s (tumbling) and per 60 s / 5 s (hopping), the top 10 hashtags per
hopping hashtag window; windows aligned to the epoch, fired when the watermark (the smallest
over the partitions of their newest event time, minus 5 s) passes their end, late tweets
dropped, ties broken by name ascending. consume_live runs it on a live stream
(bench/live_peers.py).
"""

from __future__ import annotations

import contextlib
import heapq
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Protocol

import orjson
from elasticsearch import Elasticsearch
from elasticsearch.helpers import bulk


@dataclass(frozen=True)
class Windows:
    watermark_delay_ms: int = 5_000
    rate_ms: tuple[int, ...] = (2_000, 60_000)
    rolling_ms: int = 60_000
    rolling_slide_ms: int = 5_000
    author_tumble_ms: int = 5_000
    top_authors: int = 5
    hashtag_ms: int = 3_600_000
    hashtag_slide_ms: int = 60_000
    top_hashtags: int = 10


def iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, timezone.utc).isoformat(timespec="milliseconds")


@dataclass
class SlicedCounts:
    """Counts per key in slices of `slide` ms; a hopping window of `size` is the sum of its
    size/slide slices, kept as a running total (add the newest slice, subtract the oldest)."""

    slide: int
    size: int
    slices: dict[int, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    total: Counter[str] = field(default_factory=Counter)
    next_end: int | None = None  # the end of the next window to fire

    def add(self, ts: int, key: str) -> None:
        self.slices[ts - ts % self.slide][key] += 1

    def fire(self, watermark: int) -> Iterator[tuple[int, Counter[str]]]:
        """Every window whose end the watermark passed: (window start, counts)."""
        if self.next_end is None:
            if not self.slices:
                return
            self.next_end = min(self.slices) + self.slide
        while self.next_end - 1 <= watermark:
            end = self.next_end
            newest = end - self.slide
            self.total.update(self.slices.get(newest, Counter()))
            leaving = end - self.size - self.slide
            if leaving in self.slices:
                self.total.subtract(self.slices.pop(leaving))
                self.total = +self.total  # drop the zeros
            if self.total:
                yield end - self.size, self.total
            elif not any(s >= end for s in self.slices):
                self.next_end = None  # nothing pending: restart at the next tweet
                return
            self.next_end = end + self.slide


def top(counts: Counter[str], n: int, name: Callable[[str], str]) -> list[tuple[str, int]]:
    """The n largest counts, ties by name ascending."""
    return heapq.nsmallest(n, counts.items(), key=lambda kv: (-kv[1], name(kv[0])))


class Peer:
    def __init__(self, es: Elasticsearch, prefix: str, windows: Windows, partitions: int) -> None:
        self.es, self.prefix, self.w = es, prefix, windows
        self.newest = dict.fromkeys(range(partitions), -(2**62))
        self.rates = {size: SlicedCounts(size, size) for size in windows.rate_ms}
        self.rolling = SlicedCounts(windows.rolling_slide_ms, windows.rolling_ms)
        self.authors_tumble = SlicedCounts(windows.author_tumble_ms, windows.author_tumble_ms)
        self.authors_hop = SlicedCounts(windows.rolling_slide_ms, windows.rolling_ms)
        self.hashtags = SlicedCounts(windows.hashtag_slide_ms, windows.hashtag_ms)
        self.names: dict[str, str] = {}  # user id -> screen name (the largest seen, as MAX())
        self.pending: list[dict[str, Any]] = []
        self.watermark = -(2**62)
        self.tweets = self.late = self.bad = 0

    def add(self, partition: int, value: bytes) -> None:
        try:
            tweet = orjson.loads(value)
            ts = int(tweet["timestamp_ms"])
            user = tweet["user"]["id_str"]
            name = tweet["user"]["screen_name"]
            tags = [h["text"].lower() for h in tweet["entities"]["hashtags"]]
        except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
            self.bad += 1
            return
        if ts <= self.watermark:
            self.late += 1
            return
        self.tweets += 1
        self.newest[partition] = max(self.newest[partition], ts)
        for rate in self.rates.values():
            rate.add(ts, "")
        self.rolling.add(ts, "")
        self.authors_tumble.add(ts, user)
        self.authors_hop.add(ts, user)
        if name > self.names.get(user, ""):
            self.names[user] = name
        for tag in tags:
            self.hashtags.add(ts, tag)

    def advance(self) -> None:
        """Move the watermark and fire every window it closed."""
        watermark = min(self.newest.values()) - self.w.watermark_delay_ms
        if watermark <= self.watermark:
            return
        self.watermark = watermark
        self._fire(watermark)

    def _fire(self, watermark: int) -> None:
        p = self.prefix
        for size, rate in self.rates.items():
            for start, counts in rate.fire(watermark):
                self._doc(f"{p}tweet_rate", f"{size // 1000}_{start}", {
                    "window_seconds": size // 1000, "window_start": iso(start),
                    "window_end": iso(start + size), "tweets": counts[""]})  # fmt: skip
        for start, counts in self.rolling.fire(watermark):
            self._doc(f"{p}tweet_rolling", str(start), {
                "window_start": iso(start), "window_end": iso(start + self.w.rolling_ms),
                "tweets": counts[""]})  # fmt: skip
        for kind, sliced in (("tumble", self.authors_tumble), ("hop", self.authors_hop)):
            for start, counts in sliced.fire(watermark):
                ranked = top(counts, self.w.top_authors, lambda u: self.names[u])
                for rank, (user, n) in enumerate(ranked, 1):
                    self._doc(f"{p}author_counts", f"{kind}_{start}_{rank}", {
                        "window_kind": kind, "window_start": iso(start),
                        "window_end": iso(start + sliced.size), "rank": rank,
                        "user_id": user, "screen_name": self.names[user], "tweets": n})  # fmt: skip
        for start, counts in self.hashtags.fire(watermark):
            for rank, (tag, n) in enumerate(top(counts, self.w.top_hashtags, str), 1):
                self._doc(f"{p}top_hashtags", f"{start}_{rank}", {
                    "window_start": iso(start), "window_end": iso(start + self.w.hashtag_ms),
                    "rank": rank, "hashtag": tag, "tweets": n})  # fmt: skip
        if len(self.pending) >= 2000:
            self.flush()

    def _doc(self, index: str, doc_id: str, source: dict[str, Any]) -> None:
        self.pending.append({"_index": index, "_id": doc_id, "_source": source})

    def finish(self) -> None:
        """The end of a bounded input: every window fires, as Flink's final watermark does."""
        self._fire(2**62)
        self.flush()

    def flush(self) -> None:
        if self.pending:
            bulk(self.es, self.pending, chunk_size=2000, refresh=False)
            self.pending = []


def consume_kafka_python(bootstrap: str, topic: str, peer: Peer) -> None:
    from kafka import KafkaConsumer, TopicPartition

    consumer = KafkaConsumer(
        bootstrap_servers=bootstrap, enable_auto_commit=False, max_poll_records=5000,
        fetch_max_bytes=64 * 1024 * 1024, max_partition_fetch_bytes=16 * 1024 * 1024,
    )  # fmt: skip
    partitions = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic))]
    consumer.assign(partitions)
    consumer.seek_to_beginning()
    end = consumer.end_offsets(partitions)
    while any(consumer.position(p) < end[p] for p in partitions):
        for tp, batch in consumer.poll(timeout_ms=500).items():
            for message in batch:
                peer.add(tp.partition, message.value)
        peer.advance()
    consumer.close()
    peer.finish()


def consume_confluent(bootstrap: str, topic: str, peer: Peer) -> None:
    from confluent_kafka import OFFSET_BEGINNING, Consumer, TopicPartition

    consumer = Consumer({
        "bootstrap.servers": bootstrap, "group.id": "handwritten-peer",
        "enable.auto.commit": False, "fetch.max.bytes": 64 * 1024 * 1024,
    })  # fmt: skip
    metadata = consumer.list_topics(topic, timeout=30).topics[topic]
    partitions = sorted(metadata.partitions)
    ends = {p: consumer.get_watermark_offsets(TopicPartition(topic, p))[1] for p in partitions}
    consumer.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in partitions])
    done = {p for p, end in ends.items() if end == 0}
    while len(done) < len(partitions):
        for message in consumer.consume(num_messages=5000, timeout=0.5):
            if message.error():
                continue
            p = message.partition()
            peer.add(p, message.value())
            if message.offset() + 1 >= ends[p]:
                done.add(p)
        peer.advance()
    consumer.close()
    peer.finish()


CONSUMERS = {"kafka-python": consume_kafka_python, "confluent-kafka": consume_confluent}


def consume_live(
    backend: str, bootstrap: str, topic: str, group: str, es_url: str, prefix: str,
    watermark_delay_ms: int, flush_interval_s: float, stop: Any,
) -> None:  # fmt: skip
    """The same peer on a live stream, in a process of its own until `stop` (an Event) is set:
    from the newest offsets, its results flushed to Elasticsearch and its offsets committed
    every `flush_interval_s`, as a long-running consumer would."""
    es = Elasticsearch(es_url, timeout=120)
    poll = LIVE_POLLERS[backend](bootstrap, topic, group)
    peer = Peer(es, prefix, Windows(watermark_delay_ms=watermark_delay_ms), poll.partitions)
    flushed = time.monotonic()
    while not stop.is_set():
        for partition, value in poll.records():
            peer.add(partition, value)
        peer.advance()
        if time.monotonic() - flushed >= flush_interval_s:
            peer.flush()
            poll.commit()
            flushed = time.monotonic()
    poll.close()


class LivePoller(Protocol):
    """A consumer group member from the newest offsets: its records, and commits on demand."""

    partitions: int

    def records(self) -> list[tuple[int, bytes]]: ...

    def commit(self) -> None: ...

    def close(self) -> None: ...


class KafkaPythonPoller:
    def __init__(self, bootstrap: str, topic: str, group: str) -> None:
        from kafka import KafkaConsumer

        self.consumer = KafkaConsumer(
            topic, bootstrap_servers=bootstrap, group_id=group, auto_offset_reset="latest",
            enable_auto_commit=False, max_poll_records=5000,
        )  # fmt: skip
        self.partitions = len(self.consumer.partitions_for_topic(topic) or ())

    def records(self) -> list[tuple[int, bytes]]:
        batches = self.consumer.poll(timeout_ms=100).items()
        return [(tp.partition, m.value) for tp, batch in batches for m in batch]

    def commit(self) -> None:
        self.consumer.commit_async()

    def close(self) -> None:
        self.consumer.close()


class ConfluentPoller:
    def __init__(self, bootstrap: str, topic: str, group: str) -> None:
        from confluent_kafka import Consumer

        self.consumer = Consumer({
            "bootstrap.servers": bootstrap, "group.id": group, "auto.offset.reset": "latest",
            "enable.auto.commit": False,
        })  # fmt: skip
        self.consumer.subscribe([topic])
        self.partitions = len(self.consumer.list_topics(topic, timeout=30).topics[topic].partitions)

    def records(self) -> list[tuple[int, bytes]]:
        messages = self.consumer.consume(num_messages=5000, timeout=0.1)
        return [(m.partition(), m.value()) for m in messages if not m.error()]

    def commit(self) -> None:
        from confluent_kafka import KafkaException

        with contextlib.suppress(KafkaException):  # nothing read since the last commit
            self.consumer.commit(asynchronous=True)

    def close(self) -> None:
        self.consumer.close()


LIVE_POLLERS: dict[str, Callable[[str, str, str], LivePoller]] = {
    "kafka-python": KafkaPythonPoller,
    "confluent-kafka": ConfluentPoller,
}
