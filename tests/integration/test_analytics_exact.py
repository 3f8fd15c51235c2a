"""The whole pipeline against an independent reference: producer -> Kafka -> the Flink SQL job
(every query, one statement set) -> Elasticsearch, every index read back and compared exactly.
Then the same input replayed must leave Elasticsearch unchanged."""

from __future__ import annotations

import itertools
import json
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from elasticsearch import Elasticsearch
from elasticsearch.helpers import scan
from kafka import KafkaProducer

from flink_jobs import job
from producer.kafka_sink import TweetSink
from producer.synthetic import SyntheticConfig, generate
from tests import reference
from tests.integration.test_producer_e2e import consume
from tweetflow.stack.stack import LocalStack

pytestmark = [pytest.mark.integration, pytest.mark.slow]

BAD_RECORDS = [
    (b"not json at all", "not a JSON object"),
    (b"[1, 2, 3]", "not a JSON object"),
    (b"\xff\xfe\x00 invalid utf-8", "not a JSON object"),
    (b'{"timestamp_ms": 1767225600000, "text": "x", "user": {"id_str": "1"}}',
     "missing id_str"),
    (b'{"id_str": "9", "timestamp_ms": "soon", "text": "x"}',
     "missing or non-numeric timestamp_ms"),
    (b'{"id_str": "9", "timestamp_ms": 1767225600000, "text": "x", "user": {"id_str": "1"}}',
     "missing user.screen_name"),
]  # fmt: skip


# The sliding hashtag window is shortened (60 s every 20 s) to keep the test quick; the
# reference is told the same sizes.
WINDOWS = reference.Windows(hashtag_s=60, hashtag_slide_s=20)
TRACKED_TERMS = ("flink", "kafka", "streaming")
TRACKED_DOMAINS = ("flink.apache.org", "github.com")


def ms(iso: str) -> int:
    moment = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    return int(moment.astimezone(timezone.utc).timestamp() * 1000)


def documents(es: Elasticsearch, index: str) -> list[dict[str, Any]]:
    es.indices.refresh(index=index)
    return [{"_id": h["_id"], **h["_source"]} for h in scan(es, index=index)]


def expected(tweets: list[dict[str, Any]]) -> dict[str, Any]:
    return reference.expected(
        tweets,
        WINDOWS,
        set(job.STOP_WORDS.split(",")),
        list(TRACKED_TERMS),
        job.domains_regex(TRACKED_DOMAINS),
    )


def actual(es: Elasticsearch, prefix: str) -> dict[str, Any]:
    get = lambda name: documents(es, f"{prefix}{name}")  # noqa: E731
    return {
        "related_hashtags": {
            (ms(d["window_start"]), d["hashtag"], d["rank"]): (d["related"], d["tweets"])
            for d in get("related_hashtags")
        },
        "influencers": {
            (ms(d["window_start"]), d["hashtag"], d["rank"]): (
                d["user_id"],
                d["screen_name"],
                d["followers"],
            )
            for d in get("influencers")
        },
        "word_counts": {
            (ms(d["window_start"]), d["rank"]): (d["word"], d["occurrences"])
            for d in get("word_counts")
        },
        "tracked_counts": {
            (ms(d["window_start"]), d["term"]): d["tweets"] for d in get("tracked_counts")
        },
        "tweet_rate": {
            (d["window_seconds"], ms(d["window_start"])): d["tweets"] for d in get("tweet_rate")
        },
        "tweet_rolling": {ms(d["window_start"]): d["tweets"] for d in get("tweet_rolling")},
        "author_counts": {
            (d["window_kind"], ms(d["window_start"]), d["rank"]): (
                d["user_id"],
                d["screen_name"],
                d["tweets"],
            )
            for d in get("author_counts")
        },
        "top_hashtags": {
            (ms(d["window_start"]), d["rank"]): (d["hashtag"], d["tweets"])
            for d in get("top_hashtags")
        },
        "languages": {(ms(d["window_start"]), d["lang"]): d["tweets"] for d in get("languages")},
        "cashtags": {(ms(d["window_start"]), d["cashtag"]): d["tweets"] for d in get("cashtags")},
        "live_tweets": {
            d["id_str"]: (
                ms(d["created_at"]),
                d["screen_name"],
                d["tweet_text"],
                d["hashtags"],
                d["lang"],
                d["is_retweet"],
            )
            for d in get("live_tweets-*")
        },
        "users": {
            d["user_id"]: (
                d["screen_name"],
                d["followers_count"],
                d["verified"],
                ms(d["last_tweet_at"]),
            )
            for d in get("users")
        },
    }


def run_job(stack: LocalStack, topic: str, prefix: str, tmp: Path) -> None:
    config = stack.job_config(
        kafka_topic=topic,
        kafka_group_id=f"{topic}-{uuid.uuid4().hex[:4]}",
        bounded=True,
        es_index_prefix=prefix,
        checkpoint_dir=tmp / "checkpoints",
        log_dir=tmp / "logs",
        hashtag_window_s=WINDOWS.hashtag_s,
        hashtag_slide_s=WINDOWS.hashtag_slide_s,
        tracked_terms=TRACKED_TERMS,
        tracked_domains=TRACKED_DOMAINS,
    )
    assert job.run(config)


@pytest.fixture(scope="module")
def pipeline_run(stack: LocalStack, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    settings = stack.settings
    topic, prefix = f"tweets-{uuid.uuid4().hex[:8]}", f"x{uuid.uuid4().hex[:6]}_"
    # 200 s of event time from 00:00:07, 2% out of order (within the 5 s bound), no late ones.
    tweets = list(
        generate(SyntheticConfig(seed=11, count=4000, per_second=20.0, start_ms=1_767_225_607_000))
    )
    sink = TweetSink(settings.kafka_bootstrap, topic, partitions=2)
    for tweet in tweets:
        sink.send(tweet)
    sink.close()
    raw = KafkaProducer(bootstrap_servers=settings.kafka_bootstrap)
    for value, _ in BAD_RECORDS:
        raw.send(topic, value=value)
    raw.flush()
    raw.close()
    tmp = tmp_path_factory.mktemp("analytics")
    began = time.monotonic()
    run_job(stack, topic, prefix, tmp)
    es = Elasticsearch(settings.es_url)
    return {
        "topic": topic,
        "prefix": prefix,
        "tweets": tweets,
        "es": es,
        "tmp": tmp,
        "seconds": time.monotonic() - began,
        "actual": actual(es, prefix),
    }


@pytest.mark.parametrize(
    "query",
    ["tweet_rate", "tweet_rolling", "author_counts", "top_hashtags", "related_hashtags",
     "influencers", "word_counts", "languages", "cashtags", "live_tweets", "users",
     "tracked_counts"],
)  # fmt: skip
def test_query_matches_the_reference_exactly(pipeline_run: dict[str, Any], query: str) -> None:
    want = expected(pipeline_run["tweets"])[query]
    got = pipeline_run["actual"][query]
    assert want, f"the reference for {query} is empty: the test data does not exercise it"
    missing = {k: want[k] for k in list(set(want) - set(got))[:5]}
    extra = {k: got[k] for k in list(set(got) - set(want))[:5]}
    wrong = {k: (want[k], got[k]) for k in set(want) & set(got) if want[k] != got[k]}
    assert not missing and not extra and not wrong, (
        f"{query}: {len(set(want) - set(got))} missing e.g. {missing}; "
        f"{len(set(got) - set(want))} extra e.g. {extra}; {len(wrong)} differ e.g. "
        f"{dict(list(wrong.items())[:5])}"
    )


def test_the_data_exercises_the_edge_cases(pipeline_run: dict[str, Any]) -> None:
    tweets = pipeline_run["tweets"]
    assert any(not t["entities"]["hashtags"] for t in tweets)
    assert any(not h["text"].isascii() for t in tweets for h in t["entities"]["hashtags"])
    ordered = [t["timestamp_ms"] for t in tweets]
    assert any(b < a for a, b in itertools.pairwise(ordered))  # out of order within the bound


def test_bad_records_are_dead_lettered_and_counted(
    pipeline_run: dict[str, Any], stack: LocalStack
) -> None:
    dead = [
        json.loads(m.value)
        for m in consume(stack.settings, f"{pipeline_run['topic']}.dlq", len(BAD_RECORDS))
    ]
    assert sorted(d["reason"] for d in dead) == sorted(reason for _, reason in BAD_RECORDS)
    assert all(d["position"].startswith("kafka:") for d in dead)
    assert any(d["raw"] == "not json at all" for d in dead)
    counts = documents(pipeline_run["es"], f"{pipeline_run['prefix']}dead_letter_counts")
    assert {d["reason"]: d["records"] for d in counts} == {
        "not a JSON object": 3,
        "missing id_str": 1,
        "missing or non-numeric timestamp_ms": 1,
        "missing user.screen_name": 1,
    }


def test_tracked_tweets_are_routed_keyed_by_term(
    pipeline_run: dict[str, Any], stack: LocalStack
) -> None:
    want = expected(pipeline_run["tweets"])["tracked_route"]
    assert want
    messages = consume(stack.settings, f"{pipeline_run['topic']}.tracked", len(want))
    got = sorted((m.key.decode(), json.loads(m.value)["id_str"]) for m in messages)
    assert got == want


def test_a_replay_leaves_elasticsearch_unchanged(
    pipeline_run: dict[str, Any], stack: LocalStack
) -> None:
    run_job(stack, pipeline_run["topic"], pipeline_run["prefix"], pipeline_run["tmp"])
    assert actual(pipeline_run["es"], pipeline_run["prefix"]) == pipeline_run["actual"]


def test_mappings_are_the_declared_ones(pipeline_run: dict[str, Any]) -> None:
    es, prefix = pipeline_run["es"], pipeline_run["prefix"]
    mapping = es.indices.get_mapping(index=f"{prefix}top_hashtags")[f"{prefix}top_hashtags"]
    properties = mapping["mappings"]["properties"]
    assert properties["window_start"]["type"] == "date"
    assert properties["hashtag"]["type"] == "keyword"
    live = es.indices.get_mapping(index=f"{prefix}live_tweets-*")
    assert list(live) == [f"{prefix}live_tweets-2026.01.01"]  # one index per day of tweets
    assert live[f"{prefix}live_tweets-2026.01.01"]["mappings"]["properties"]["tweet_text"] == {
        "type": "text"
    }
