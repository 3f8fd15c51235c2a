"""Converters to the canonical tweet, on payloads written from the public API references."""

from __future__ import annotations

import json

import pytest

from producer import convert
from producer.convert import ConversionError, to_canonical
from tests.support.fixtures import load


def tags(tweet: dict) -> list[str]:
    return [h["text"] for h in tweet["entities"]["hashtags"]]


def test_v1_extended_tweet_keeps_the_full_text_and_extended_entities() -> None:
    tweet = to_canonical(load("v1_extended.json"))
    convert.validate(tweet)
    assert tweet["text"].startswith("this is a long tweet") and "…" not in tweet["text"]
    assert tweet["text"].endswith("https://flink.apache.org/news")
    assert tags(tweet) == ["Flink", "Kafka"]
    assert tweet["entities"]["symbols"] == [{"text": "TSLA"}]
    assert tweet["entities"]["user_mentions"] == [{"screen_name": "apachekafka"}]
    assert tweet["entities"]["urls"] == [{"expanded_url": "https://flink.apache.org/news"}]
    assert tweet["timestamp_ms"] == 1491492523659
    assert tweet["created_at"] == "Thu Apr 06 15:28:43 +0000 2017"
    assert tweet["source"] == "Twitter for iPhone"
    assert tweet["user"]["followers_count"] == 6129794 and tweet["user"]["verified"] is True
    assert tweet["retweeted_status"] is None


def test_v1_retweet_of_an_extended_tweet_carries_the_original_full_text() -> None:
    tweet = to_canonical(load("v1_retweet_of_extended.json"))
    convert.validate(tweet)
    assert tweet["text"] == (
        "RT @TwitterAPI: this is a long tweet about #Flink and #Kafka streaming, "
        "full text with #日本語 and $AAPL"
    )
    assert tags(tweet) == ["Flink", "Kafka", "日本語"]
    assert tweet["entities"]["user_mentions"][0] == {"screen_name": "TwitterAPI"}
    assert tweet["retweeted_status"] == {
        "id_str": "850007368138018817",
        "screen_name": "TwitterAPI",
    }
    assert tweet["user"]["name"] == "Retweeter 🚀"


def test_v2_payload_with_expansions() -> None:
    tweet = to_canonical(load("v2_filtered_stream.json"))
    convert.validate(tweet)
    assert tweet["id_str"] == "1560322015133548544"
    assert tweet["timestamp_ms"] == 1660844404000
    assert tweet["user"]["screen_name"] == "XDevelopers"
    assert tweet["user"]["friends_count"] == 2048 and tweet["user"]["statuses_count"] == 14052
    assert tags(tweet) == ["opensource"]
    assert tweet["entities"]["symbols"] == [{"text": "SPY"}]
    assert tweet["entities"]["urls"] == [{"expanded_url": "https://www.ververica.com/blog"}]
    assert tweet["in_reply_to_screen_name"] == "X"
    assert tweet["in_reply_to_status_id_str"] == "1560300000000000000"
    assert tweet["is_quote_status"] is True
    assert tweet["quoted_status_id_str"] == "1560000000000000000"


def test_v2_retweet_without_entities_uses_the_note_text_and_extracts_entities() -> None:
    tweet = to_canonical(load("v2_retweet_no_entities.json"))
    convert.validate(tweet)
    assert tweet["text"].startswith("RT @orig_author: مرحبا #العربية full long post")
    assert tags(tweet) == ["العربية", "Streaming"]
    assert tweet["entities"]["user_mentions"] == [
        {"screen_name": "orig_author"},
        {"screen_name": "someone"},
    ]
    assert tweet["entities"]["urls"] == [{"expanded_url": "https://example.org/a"}]
    assert tweet["retweeted_status"] == {
        "id_str": "1700000000000000001",
        "screen_name": "orig_author",
    }
    assert tweet["lang"] == "ar"
    assert tweet["user"]["location"] is None


def test_missing_optional_fields_get_defaults() -> None:
    status = {
        "id_str": "1",
        "created_at": "Mon Jan 01 00:00:00 +0000 2024",
        "text": "plain #tag",
        "user": {"id_str": "2", "screen_name": "u"},
    }
    tweet = to_canonical(status)
    convert.validate(tweet)
    assert tweet["timestamp_ms"] == 1704067200000
    assert tags(tweet) == ["tag"]
    assert tweet["lang"] is None and tweet["source"] == ""
    assert tweet["user"]["followers_count"] == 0


def test_canonical_records_pass_through_validated() -> None:
    tweet = to_canonical(load("v1_extended.json"))
    assert to_canonical(json.loads(json.dumps(tweet))) == tweet
    broken = {**tweet, "timestamp_ms": "soon"}
    with pytest.raises(ConversionError, match="timestamp_ms"):
        to_canonical(broken)


@pytest.mark.parametrize(
    ("record", "reason"),
    [
        ([1, 2], "JSON object"),
        ({"delete": {"status": {"id": 1}}}, "stream notice"),
        ({"hello": "world"}, "neither"),
        ({"id_str": "1", "user": {"id_str": "2"}, "text": "x", "timestamp_ms": 5}, "screen_name"),
        ({"id_str": "1", "user": {"id_str": "2", "screen_name": "u"}, "created_at": "x"}, "v1.1"),
        (
            {
                "data": {
                    "id": "1",
                    "text": "x",
                    "author_id": "9",
                    "created_at": "2024-01-01T00:00:00Z",
                }
            },
            "includes.users",
        ),
        (
            {
                "data": {"id": "1", "text": "x", "author_id": "9", "created_at": "yesterday"},
                "includes": {"users": [{"id": "9", "username": "a"}]},
            },
            "ISO-8601",
        ),
        (
            {
                "data": {
                    "id": "1",
                    "text": "a " * 500_000,
                    "author_id": "9",
                    "created_at": "2024-01-01T00:00:00Z",
                },
                "includes": {"users": [{"id": "9", "username": "a"}]},
            },
            "text longer than 25000",
        ),
    ],
)
def test_bad_records_are_rejected_with_a_reason(record: object, reason: str) -> None:
    with pytest.raises(ConversionError, match=reason):
        to_canonical(record)


@pytest.mark.parametrize("stamp", [float("inf"), float("nan"), "soon", None])
def test_a_timestamp_ms_that_is_no_integer_is_a_conversion_error(stamp: object) -> None:
    """Found by test_properties: int(inf) raises OverflowError, which escaped the converter."""
    with pytest.raises(ConversionError, match="is no number"):
        convert.from_v1({"id_str": "1", "timestamp_ms": stamp})
