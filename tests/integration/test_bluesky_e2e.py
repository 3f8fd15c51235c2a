"""Bluesky end to end: a local Jetstream -> `tweetflow produce --source bluesky` (two runs, the
second resuming from the first's acknowledged posts, one connection dropped mid-stream) -> the
real broker -> the whole SQL job -> Elasticsearch, where the facets' hashtags are counted."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from elasticsearch import Elasticsearch

from producer.kafka_sink import dlq_topic
from tests.support import pipeline_results
from tests.support.jetstream_emulator import delete, facet, identity, link, post, running, tag
from tests.support.topics import consume
from tweetflow.stack.stack import LocalStack

pytestmark = [pytest.mark.integration, pytest.mark.slow]

POSTS, FIRST_RUN = 400, 150
T0 = 1_767_225_607_000_000  # 2026-01-01 00:00:07 UTC in microseconds
TAGS = ["Flink", "kafka", "Bluesky", "日本語", "streaming", "café"]


def frames() -> tuple[list[dict[str, Any] | str], Counter[str]]:
    """200 s of posts (2 a second) from 25 authors, tags in facets, every kind of noise."""
    rng = random.Random(7)
    authors = [f"did:plc:e2e{n:02d}qwertyuiopasdfg" for n in range(25)]
    out: list[dict[str, Any] | str] = [identity(authors[0], "alpha.bsky.social", T0 - 1)]
    tags: Counter[str] = Counter()
    for i in range(POSTS):
        chosen = rng.sample(TAGS, rng.randint(0, 2))
        text = "ünïcödé → " + " ".join(f"#{t}" for t in chosen) + " https://github.com/x"
        facets = [facet(text, f"#{t}", tag(t)) for t in chosen]
        facets.append(facet(text, "https://github.com/x", link("https://github.com/x")))
        time_us = T0 + i * 500_000
        out.append(post(authors[i % 25], f"3ke2e{i:05d}", time_us, text, facets=facets,
                        langs=["en"]))  # fmt: skip
        tags.update(t.lower() for t in chosen)
        if i % 50 == 10:
            out.append(delete(authors[1], f"3ke2e{i:05d}", time_us))
        if i % 100 == 20:
            out.append('{"did": "broken')
    return out, tags


def produce(
    url: str, stack: LocalStack, topic: str, state: Path, count: int
) -> subprocess.CompletedProcess[str]:
    env = os.environ | {
        "TWEETFLOW_BLUESKY_JETSTREAM": url,
        "TWEETFLOW_BLUESKY_BACKOFF_S": "0.05",
        "TWEETFLOW_KAFKA_SERVERS": stack.settings.kafka_bootstrap,
        "TWEETFLOW_TOPIC": topic,
        "TWEETFLOW_STATE_DIR": str(state),
    }
    args = ["produce", "--source", "bluesky", "--count", str(count)]
    return subprocess.run(
        [sys.executable, "-m", "tweetflow.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_bluesky_posts_reach_the_hashtag_results(stack: LocalStack, tmp_path: Path) -> None:
    stream, tags = frames()
    topic, prefix = f"bsky-{uuid.uuid4().hex[:8]}", f"b{uuid.uuid4().hex[:6]}_"
    with running(stream, drops=(90,)) as jetstream:
        first = produce(jetstream.url, stack, topic, tmp_path, FIRST_RUN)
        assert first.returncode == 0, first.stderr
        second = produce(jetstream.url, stack, topic, tmp_path, POSTS - FIRST_RUN)
        assert second.returncode == 0, second.stderr
    assert f"bluesky: {FIRST_RUN:,} posts" in first.stderr
    assert "1 reconnects" in first.stderr  # the drop after 90 frames
    # The second run asked for the rewind before the first run's last acknowledged post.
    assert jetstream.cursors[2] == T0 + (FIRST_RUN - 1) * 500_000 - 5_000_000

    tweets = [json.loads(m.value) for m in consume(stack.settings, topic, POSTS)]
    assert len(tweets) == POSTS  # nothing lost, nothing twice, across the drop and the restart
    assert {t["id_str"] for t in tweets} == {
        e["did"] + "/" + e["commit"]["rkey"]
        for e in stream
        if isinstance(e, dict) and e.get("kind") == "commit"
        and e["commit"]["operation"] == "create"
    }  # fmt: skip
    sent_tags = Counter(h["text"].lower() for t in tweets for h in t["entities"]["hashtags"])
    assert sent_tags == tags
    dead = consume(stack.settings, dlq_topic(topic), 4)
    assert len(dead) == 4 and all(
        json.loads(d.value)["reason"].startswith("not JSON") for d in dead
    )

    pipeline_results.run_job(stack, topic, prefix, tmp_path)
    es = Elasticsearch(stack.settings.es_url)
    got = pipeline_results.actual(es, prefix, ["top_hashtags", "tweet_rate"])
    want = pipeline_results.expected(tweets)
    assert got["top_hashtags"] == want["top_hashtags"]
    assert got["tweet_rate"] == want["tweet_rate"]
    assert {h for h, _ in got["top_hashtags"].values()} == set(tags)
