"""Late events on a live (unbounded) job: once windows have fired, tweets older than the
watermark are dropped by every window and counted, one document each, in late_tweets; a late
repeat of a tweet is dropped by the duplicate filter while its minute is within the horizon,
and passes (as a late tweet) once the filter has forgotten that minute."""

from __future__ import annotations

import time
import uuid
from dataclasses import replace
from pathlib import Path

import pytest
from elasticsearch import Elasticsearch, NotFoundError

from flink_jobs import runtime
from producer.kafka_sink import TweetSink
from producer.synthetic import SyntheticConfig, generate
from tweetflow.stack.stack import LocalStack

pytestmark = [pytest.mark.integration, pytest.mark.slow]

START_MS = 1_767_225_600_000


def wait_for(check, timeout_s: float = 90.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except NotFoundError:
            pass
        time.sleep(1)
    raise AssertionError(f"not true within {timeout_s} s: {check.__doc__}")


def test_late_tweets_are_dropped_by_windows_and_counted(stack: LocalStack, tmp_path: Path) -> None:
    settings = stack.settings
    topic, prefix = f"late-{uuid.uuid4().hex[:8]}", f"l{uuid.uuid4().hex[:6]}_"
    sink = TweetSink(settings.kafka_bootstrap, topic, partitions=2)
    on_time = list(
        generate(
            SyntheticConfig(
                seed=21, count=1800, per_second=10.0, start_ms=START_MS, out_of_order=0.0
            )
        )
    )
    for tweet in on_time:
        sink.send(tweet)
    sink.flush()
    config = replace(
        stack.job_config(),
        kafka_topic=topic,
        kafka_group_id=topic,
        es_index_prefix=prefix,
        checkpoint_dir=tmp_path / "checkpoints",
        log_dir=tmp_path / "logs",
        queries=("tweet_rate", "late_tweets"),
        # Three minutes of tweets: the first minute's ids are forgotten once the watermark
        # passes 2:00, the third's are kept until 4:00.
        dedup_horizon="1 min",
    )
    result = runtime.start(config)
    es = Elasticsearch(settings.es_url)
    rate = f"{prefix}tweet_rate"
    try:

        def windows_fired() -> bool:
            """the 2 s windows up to the watermark are in Elasticsearch"""
            es.indices.refresh(index=rate)
            return (
                es.count(index=rate, body={"query": {"term": {"window_seconds": 2}}})["count"] >= 85
            )

        wait_for(windows_fired)
        # Ten minutes older than anything seen: far behind the watermark, in fired windows.
        late = [
            {**t, "id_str": f"late-{n}", "timestamp_ms": START_MS + 1_000 + n}
            for n, t in enumerate(on_time[:5])
        ]
        # Repeats, late for every window: of the first minute (forgotten: they pass) and of the
        # third (remembered: dropped), before the watermark (past 2:50 by now).
        forgotten = [t for t in on_time if t["timestamp_ms"] < START_MS + 60_000][:3]
        remembered = [t for t in on_time if 125_000 < t["timestamp_ms"] - START_MS < 165_000][:3]
        for tweet in [*late, *forgotten, *remembered]:
            sink.send(tweet)
        sink.close()

        def late_counted() -> bool:
            """the five late tweets and the three forgotten repeats are in late_tweets"""
            es.indices.refresh(index=f"{prefix}late_tweets")
            return es.count(index=f"{prefix}late_tweets")["count"] >= 8

        wait_for(late_counted)
        time.sleep(3)  # a flush interval and more: a remembered repeat would be there by now
        es.indices.refresh(index=f"{prefix}late_tweets")
        docs = es.search(index=f"{prefix}late_tweets", size=20)["hits"]["hits"]
        passed = {f"late-{n}" for n in range(5)} | {t["id_str"] for t in forgotten}
        assert {d["_id"] for d in docs} == passed
        assert all(d["_source"]["watermark_at"] > d["_source"]["created_at"] for d in docs)
        es.indices.refresh(index=rate)
        first = es.search(
            index=rate,
            query={
                "bool": {
                    "filter": [
                        {"term": {"window_seconds": 2}},
                        {"term": {"window_start": START_MS}},
                    ]
                }
            },
        )["hits"]["hits"]
        expected = sum(1 for t in on_time if t["timestamp_ms"] < START_MS + 2_000)
        assert [h["_source"]["tweets"] for h in first] == [expected]  # the late five not added
    finally:
        client = result.get_job_client()
        if client is not None:
            client.cancel().result()
