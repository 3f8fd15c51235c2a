"""The whole pipeline against an independent reference: producer -> Kafka -> the Flink SQL job
(every query, one statement set) -> Elasticsearch, every index read back and compared exactly.
Then the same input replayed must leave Elasticsearch unchanged."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
from collections import Counter
from typing import Any

import pytest

from tests.support.pipeline_results import (
    BAD_RECORDS,
    DUPLICATES,
    HOSTILE_TEXT,
    ODD_HASHTAGS,
    REMEMBERED,
    WINDOWS,
    actual,
    documents,
    expected,
    ms,
    run_job,
)
from tests.support.topics import consume
from tweetflow.ops.topic_reader import read_all
from tweetflow.stack import process
from tweetflow.stack.stack import LocalStack

pytestmark = [pytest.mark.integration, pytest.mark.slow]


@pytest.mark.parametrize(
    "query",
    ["tweet_rate", "tweet_rolling", "author_counts", "top_hashtags", "related_hashtags",
     "influencers", "word_counts", "languages", "cashtags", "live_tweets", "users",
     "tracked_counts", "trending"],
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


def test_trending_forgets_only_the_keys_gone_longer_than_its_memory(
    pipeline_run: dict[str, Any],
) -> None:
    """The job's own rows (equal to the reference's above): #gone, back after more than the
    memory, is new and trends at once; #paused, back within it, keeps its baseline and trends
    only at its jump; #steady, never gone, never trends (its state untouched by the others'
    forgetting). Every phase of the lifecycle appears."""
    rows = pipeline_run["actual"]["trending"]
    bucket = WINDOWS.trend_slide_s * 1000
    first = min(t["timestamp_ms"] for t in pipeline_run["tweets"]) // bucket * bucket
    when = {
        term: sorted((start - first) // bucket for (start, _), (t, *_) in rows.items() if t == term)
        for term in REMEMBERED
    }  # fmt: skip
    assert when == {"#steady": [], "#gone": [7, 8], "#paused": [6]}
    assert {phase for _, _, phase, *_ in rows.values()} == {"emerging", "peaking", "fading"}


def test_the_data_exercises_the_edge_cases(pipeline_run: dict[str, Any]) -> None:
    tweets = pipeline_run["tweets"]
    assert any(not t["entities"]["hashtags"] for t in tweets)
    assert any(not h["text"].isascii() for t in tweets for h in t["entities"]["hashtags"])
    ordered = [t["timestamp_ms"] for t in tweets]
    assert any(b < a for a, b in itertools.pairwise(ordered))  # out of order within the bound


def test_bad_records_are_dead_lettered_and_counted(
    pipeline_run: dict[str, Any], stack: LocalStack
) -> None:
    dlq = f"{pipeline_run['topic']}.dlq"
    dead = [json.loads(value) for _, value in read_all(stack.settings.kafka_bootstrap, dlq)]
    # Every job run over the shared input dead-letters its bad records again (the replay test,
    # the cluster's runs): whole runs of exactly these.
    runs = len(dead) // len(BAD_RECORDS)
    assert runs >= 1 and len(dead) == runs * len(BAD_RECORDS)
    reasons = Counter(reason for _, reason in BAD_RECORDS)
    assert Counter(d["reason"] for d in dead) == Counter({r: n * runs for r, n in reasons.items()})
    assert all(d["position"].startswith("kafka:") for d in dead)
    assert any(d["raw"] == "not json at all" for d in dead)
    counts = documents(pipeline_run["es"], f"{pipeline_run['prefix']}dead_letter_counts")
    assert {d["reason"]: d["records"] for d in counts} == reasons
    # Each dead letter holds its record unchanged (the 1 MB one too), text or base64.
    raws = Counter(d.get("raw", "") for d in dead)
    sent = Counter(v.decode("utf-8", "replace") for v, _ in BAD_RECORDS)
    assert raws == Counter({raw: n * runs for raw, n in sent.items()})


def test_odd_and_duplicate_tweets_arrive_once_and_unchanged(pipeline_run: dict[str, Any]) -> None:
    """The exact comparisons above include them; this checks the input really had them."""
    tweets = pipeline_run["tweets"]
    live = pipeline_run["actual"]["live_tweets"]
    odd = [t for t in tweets if t["text"].startswith(HOSTILE_TEXT)]
    assert len(odd) >= 40
    assert {live[t["id_str"]][2] for t in odd} == {t["text"] for t in odd}
    tags = {h for t in odd for h in live[t["id_str"]][3]}
    assert tags == set(ODD_HASHTAGS)
    assert len(live) == len({t["id_str"] for t in tweets}) == len(tweets)


def test_every_good_record_is_counted_as_received_repeats_included(
    pipeline_run: dict[str, Any],
) -> None:
    """received_counts: per minute, the tweets plus the repeats the filter then dropped."""
    tweets = pipeline_run["tweets"]
    minute = lambda t: t["timestamp_ms"] // 60_000 * 60_000  # noqa: E731
    repeated = tweets[1000 : 1000 + DUPLICATES]  # sent twice (pipeline_results.pipeline_run)
    want = Counter(map(minute, tweets)) + Counter(map(minute, repeated))
    docs = documents(pipeline_run["es"], f"{pipeline_run['prefix']}received_counts")
    assert {ms(d["window_start"]): d["records"] for d in docs} == want


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


def test_the_dead_letter_summary_counts_every_rejected_record(
    pipeline_run: dict[str, Any], stack: LocalStack
) -> None:
    env = process.child_environment() | stack.settings.as_env()
    env["TWEETFLOW_TOPIC"] = pipeline_run["topic"]
    command = [sys.executable, "-m", "tweetflow.cli", "dead-letters"]
    command += ["--prefix", pipeline_run["prefix"]]

    def run(*args: str) -> str:
        done = subprocess.run(
            [*command, *args], env=env, capture_output=True, text=True, timeout=120, check=False
        )
        assert done.returncode == 0, done.stderr[-2000:]
        return done.stdout

    summary = json.loads(run("--json"))
    # Each run of the job over the input dead-letters its bad records again (the replay test
    # runs it a second time).
    runs = summary["total"] // len(BAD_RECORDS)
    assert runs >= 1
    reasons = Counter(r for _, r in BAD_RECORDS)
    assert summary["reasons"] == {reason: n * runs for reason, n in reasons.items()}
    assert summary["from_job"] == summary["total"] == runs * len(BAD_RECORDS)
    assert summary["late_tweets"] == 0
    # Each repeated tweet is dropped once by the job's filter, and counted.
    assert summary["duplicates_dropped"] == DUPLICATES
    text = run("--newest", "20")
    assert f"{summary['total']} dead letters in {pipeline_run['topic']}.dlq" in text
    assert "\x1b" not in text and "\x07" not in text  # a hostile record shown inert
    assert " not json" in text
    assert f"{DUPLICATES} repeated tweets dropped" in text


def test_the_dead_letter_summary_says_what_it_cannot_count_without_elasticsearch(
    pipeline_run: dict[str, Any], stack: LocalStack
) -> None:
    """The late-tweets line just vanished when Elasticsearch was away."""
    env = process.child_environment() | stack.settings.as_env()
    env |= {"TWEETFLOW_TOPIC": pipeline_run["topic"], "TWEETFLOW_ES_HOSTS": "http://127.0.0.1:9"}
    done = subprocess.run(
        [sys.executable, "-m", "tweetflow.cli", "dead-letters"],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert f"dead letters in {pipeline_run['topic']}.dlq" in done.stdout
    assert (
        "late, repeated tweets and refused documents unknown: Elasticsearch at http://127.0.0.1:9 "
        "did not answer" in done.stderr
    )
