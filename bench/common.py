"""What every benchmark needs: a broker to measure against and a place for results."""

from __future__ import annotations

import dataclasses
import datetime
import json
import platform
import tempfile
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from flink_jobs.config import JobConfig
from tweetflow.core import versions
from tweetflow.core.settings import Settings
from tweetflow.stack.ports import private_settings
from tweetflow.stack.stack import LocalStack, elasticsearch_node

RESULTS = Path(__file__).resolve().parent / "results"
# The job's default: the duplicate filter's state, which the heap must hold, grows with it.
DEDUP_HORIZON = {f.name: f.default for f in dataclasses.fields(JobConfig)}["dedup_horizon"]
# Twitter's 2013 average, tweets per second: the event-time density of the catch-up benchmarks.
# Window costs grow with event time (every slide fires every window, whatever it holds), so a
# sparse stream would charge them to few tweets.
TWITTER_AVERAGE_RATE = 5_700.0
# What every contender of bench.peers computes: tweets per window, the rolling count, top
# authors, top hashtags. The live benchmarks add live_tweets, every tweet as a document.
PEER_QUERIES = ("tweet_rate", "tweet_rolling", "author_counts", "top_hashtags")
SUSTAINED_QUERIES = (*PEER_QUERIES, "live_tweets")


@contextmanager
def kafka_broker(bootstrap: str | None) -> Iterator[tuple[str, LocalStack]]:
    """The given broker, or a private one on free ports that is stopped afterwards."""
    if bootstrap:
        yield bootstrap, LocalStack(Settings.from_env())
        return
    with tempfile.TemporaryDirectory(prefix="tweetflow-bench-") as state:
        stack = LocalStack(private_settings(Path(state)))
        stack.start_service("kafka")
        try:
            yield stack.settings.kafka_bootstrap, stack
        finally:
            stack.services["kafka"].stop()


# A running stack every benchmark uses instead of starting its own (see `sharing`).
_shared: LocalStack | None = None


@contextmanager
def sharing(stack: LocalStack) -> Iterator[None]:
    """Inside, every benchmark runs on `stack` instead of a private stack of its own: the
    smoke runs, where starting and stopping Kafka and Elasticsearch for each (about 20 s)
    would take longer than what they measure."""
    global _shared
    _shared = stack
    try:
        yield
    finally:
        _shared = None


@contextmanager
def private_stack(name: str) -> Iterator[tuple[LocalStack, Path]]:
    """A private stack (Kafka and Elasticsearch on free ports, a temporary state directory);
    yields (stack, state directory) and stops the stack afterwards. Within `sharing`, the
    shared stack and a temporary directory of this benchmark's own."""
    with tempfile.TemporaryDirectory(prefix=f"tweetflow-{name}-") as state:
        if _shared is not None:
            yield _shared, Path(state)
            return
        stack = LocalStack(private_settings(Path(state)))
        stack.up()
        try:
            yield stack, Path(state)
        finally:
            stack.down()


def load_topic(stack: LocalStack, topic: str, tweets: Iterable[dict[str, Any]]) -> None:
    from producer.kafka_sink import open_sink

    sink = open_sink("confluent-kafka", stack.settings.kafka_bootstrap, topic)
    for tweet in tweets:
        sink.send(tweet)
    sink.close()


@contextmanager
def preloaded_stack(
    name: str, count: int, seed: int = 3, per_second: float = 50.0
) -> Iterator[tuple[LocalStack, str, Path]]:
    """A private stack whose new topic holds `count` synthetic tweets, `per_second` of them per
    second of event time; yields (stack, topic, state directory)."""
    from producer.synthetic import SyntheticConfig, generate

    with private_stack(name) as (stack, state):
        topic = f"{name}-{uuid.uuid4().hex[:6]}"
        load_topic(
            stack, topic, generate(SyntheticConfig(seed=seed, count=count, per_second=per_second))
        )
        yield stack, topic, state


def machine() -> dict[str, Any]:
    import os

    return {
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "machine": platform.machine(),
        "kafka": versions.load().kafka,
        "flink": versions.load().flink,
        "elasticsearch": _node_description(),
    }


def _node_description() -> str:
    node = elasticsearch_node(Settings.from_env())
    product = "OpenSearch" if node.product == "opensearch" else "Elasticsearch"
    return f"{product} {node.version()}"


def write(name: str, results: dict[str, Any]) -> Path:
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.json"
    measured_on = datetime.date.today().isoformat()
    document = {"machine": machine(), "measured_on": measured_on, **results}
    path.write_text(json.dumps(document, indent=2) + "\n")
    return path
