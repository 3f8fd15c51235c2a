"""PyFlink on the embedded mini-cluster: Kafka source table -> SQL -> Elasticsearch sink."""

from __future__ import annotations

import subprocess
import sys
import uuid
from collections import Counter
from dataclasses import replace
from datetime import datetime, timezone

import pytest
from elasticsearch import Elasticsearch

from flink_jobs import runtime
from flink_jobs.gateway import OUTPUT_FILE, process_table
from producer import synthetic
from producer.kafka_sink import TweetSink
from tweetflow.stack.process import child_environment
from tweetflow.stack.stack import LocalStack

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def expected_tweet_rate(tweets: list[dict], window_ms: int) -> dict[int, int]:
    """Reference: tweets per tumbling window, keyed by window start in epoch millis."""
    return dict(Counter(t["timestamp_ms"] // window_ms * window_ms for t in tweets))


def epoch_ms(iso: str) -> int:
    moment = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    assert moment.tzinfo == timezone.utc, iso
    return int(moment.timestamp() * 1000)


def test_tweet_rate_lands_in_elasticsearch_exactly(stack: LocalStack, tmp_path) -> None:
    settings = stack.settings
    topic = f"tweets-{uuid.uuid4().hex[:8]}"
    prefix = f"t{uuid.uuid4().hex[:6]}_"
    tweets = list(synthetic.tweets(3000, seed=7, start_ms=1_767_225_600_000, per_second=37.0))
    sink = TweetSink(settings.kafka_bootstrap, topic, partitions=2)
    for tweet in tweets:
        sink.send(tweet)
    sink.close()
    assert (sink.stats.sent, sink.stats.acked, sink.stats.failed) == (3000, 3000, 0)

    config = replace(
        stack.job_config(),
        kafka_topic=topic,
        kafka_group_id=topic,
        bounded=True,
        es_index_prefix=prefix,
        checkpoint_dir=tmp_path / "checkpoints",
        log_dir=tmp_path / "logs",
        queries=("tweet_rate",),
    )
    assert runtime.run(config)

    es = Elasticsearch(settings.es_url)
    index = f"{prefix}tweet_rate"
    es.indices.refresh(index=index)
    hits = es.search(index=index, size=10_000, query={"term": {"window_seconds": 2}})["hits"][
        "hits"
    ]
    got = {epoch_ms(h["_source"]["window_start"]): h["_source"]["tweets"] for h in hits}
    assert got == expected_tweet_rate(tweets, 2000)
    assert sum(got.values()) == 3000
    for hit in hits:
        source = hit["_source"]
        assert epoch_ms(source["window_end"]) - epoch_ms(source["window_start"]) == 2000
        # The primary key (size, window start) is the document id: a replay upserts it.
        size, start = hit["_id"].split("_", 1)
        assert (size, epoch_ms(start + "Z")) == ("2", epoch_ms(source["window_start"]))


def test_a_command_that_ran_the_embedded_job_leaves_no_jvm(stack: LocalStack, tmp_path) -> None:
    """PyFlink's JVM outlived every command that started it, shutting down on its own after
    the prompt came back; now the command waits for it, and the JVM's output is in its log."""
    env = child_environment() | stack.settings.as_env() | {"TWEETFLOW_STATE_DIR": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-m", "tweetflow.cli", "job", "explain"],
        env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    assert "== Optimized Execution Plan ==" in done.stdout
    logs = tmp_path / "logs" / "flink"
    left = [pid for pid, (_, command) in process_table().items() if str(logs) in command]
    assert left == [], "the JVM outlived the command"
    assert (logs / OUTPUT_FILE).exists()
