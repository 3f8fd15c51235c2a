"""TRENDING's state over time, on a real job: keys that vanish for longer than the memory are
forgotten (their timer clears them, and only them), keys that stay keep their baselines, and
the job's first bucket is left out; every row equals the reference's."""

from __future__ import annotations

import uuid
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from elasticsearch import Elasticsearch

from flink_jobs import runtime
from flink_jobs.config import STOP_WORDS
from producer.kafka_sink import TweetSink
from producer.synthetic import tweets as synthetic
from tests.support import reference
from tests.support.pipeline_results import actual, job_config
from tweetflow.stack.stack import LocalStack

pytestmark = [pytest.mark.integration, pytest.mark.slow]

START = 1_767_225_600_000 + 7_000  # the first bucket of 20 s is partial
SLIDE_S, MEMORY = 20, 2
# Distinct authors per bucket of each key: #steady never leaves (a wrong clear of its state
# would make it new, and trend); #gone leaves for longer than the memory and comes back as a
# new key (it trends at once); #paused leaves for less and comes back to its old baseline.
PLAN = {
    "#steady": [12] * 14,
    "#gone": [0, 12, 12, 12, 0, 0, 0, 0, 0, 0, 12, 12, 0, 0],
    "#paused": [0, 12, 12, 12, 0, 12, 12, 30, 12, 0, 0, 0, 0, 0],
    "#late": [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 25, 3],
}


def planned_tweets() -> list[dict[str, Any]]:
    template = next(iter(synthetic(1)))
    made = []
    for key, counts in PLAN.items():
        for bucket, authors in enumerate(counts):
            for n in range(authors):
                at = START + bucket * SLIDE_S * 1000 + 997 * n % (SLIDE_S * 1000 - 7_000)
                user = {**template["user"], "id_str": f"{key[1:]}-{n}", "screen_name": f"u{n}"}
                made.append({
                    **template, "id_str": f"{key[1:]}-{bucket}-{n}", "timestamp_ms": at,
                    "text": f"about {key}", "user": user,
                    "entities": {**template["entities"], "hashtags": [{"text": key[1:]}],
                                 "user_mentions": []},
                    "retweeted_status": None,
                })  # fmt: skip
    return sorted(made, key=lambda t: t["timestamp_ms"])


def test_forgetting_is_per_key_and_as_the_reference_says(stack: LocalStack, tmp_path: Path) -> None:
    tweets = planned_tweets()
    topic, prefix = f"trend-{uuid.uuid4().hex[:8]}", f"t{uuid.uuid4().hex[:6]}_"
    sink = TweetSink(stack.settings.kafka_bootstrap, topic, partitions=2)
    for tweet in tweets:
        sink.send(tweet)
    sink.close()
    config = job_config(stack, topic, prefix, tmp_path, queries=("trending",),
                        trend_slide_s=SLIDE_S, trend_memory_buckets=MEMORY)  # fmt: skip
    assert runtime.run(config)
    windows = replace(reference.Windows(), trend_slide_s=SLIDE_S, trend_memory_buckets=MEMORY)
    want = reference.trending(tweets, windows, set(STOP_WORDS.split(",")))
    got = actual(Elasticsearch(stack.settings.es_url), prefix, ("trending",))["trending"]
    assert got == want
    trending = {(start, value[0]) for (start, _), value in want.items()}
    bucket = lambda n: START - START % (SLIDE_S * 1000) + n * SLIDE_S * 1000  # noqa: E731
    assert not any(term == "#steady" for _, term in trending)
    assert (bucket(10), "#gone") in trending  # back after 6 empty buckets: new
    assert not any(term == "#paused" and start == bucket(5) for start, term in trending)
    assert (bucket(7), "#paused") in trending  # its old baseline: 30 against about 12
    assert (bucket(12), "#late") in trending
