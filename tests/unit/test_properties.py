"""Property-based tests (hypothesis): whatever arrives, the converters and the Bluesky mapping
either produce a tweet that satisfies tweet.schema.json or reject the record with a reason;
no other exception, so a bad record is dead-lettered and never stops the producer."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from producer import convert
from producer.bluesky_mapping import BadEvent, Handles, Skipped, to_tweet
from tests.support.fixtures import load
from tests.support.jetstream_emulator import facet, link, mention, post, tag

TEXT = st.text(st.characters(codec="utf-8"), max_size=60)
SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | TEXT
JSON = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=20,
)
PROPERTIES = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def mutate(base: dict[str, Any], paths: list[tuple[str, ...]], values: list[Any]) -> dict:
    """`base` with the values at some key paths replaced by arbitrary JSON."""
    import copy

    out = copy.deepcopy(base)
    for path, value in zip(paths, values, strict=False):
        node = out
        for key in path[:-1]:
            if not isinstance(node.get(key), dict):
                node[key] = {}
            node = node[key]
        node[path[-1]] = value
    return out


def accepted_or_rejected(record: Any) -> None:
    try:
        tweet = convert.to_canonical(record)
    except convert.ConversionError as exc:
        assert str(exc)  # the dead-letter reason
        return
    assert convert.validate(tweet) is tweet


@PROPERTIES
@given(JSON)
def test_any_json_becomes_a_tweet_or_a_reason(record: Any) -> None:
    accepted_or_rejected(record)


V1_PATHS = [("id_str",), ("text",), ("created_at",), ("timestamp_ms",), ("lang",),
            ("user",), ("user", "screen_name"), ("user", "followers_count"), ("entities",),
            ("entities", "hashtags"), ("extended_tweet",), ("retweeted_status",),
            ("source",), ("quoted_status_id_str",)]  # fmt: skip
V2_PATHS = [("data",), ("data", "id"), ("data", "text"), ("data", "created_at"),
            ("data", "author_id"), ("data", "entities"), ("data", "referenced_tweets"),
            ("includes",), ("includes", "users"), ("data", "lang")]  # fmt: skip


@PROPERTIES
@given(st.lists(st.sampled_from(V1_PATHS), max_size=3), st.lists(JSON, min_size=3, max_size=3))
def test_damaged_v1_statuses_become_tweets_or_reasons(paths: list, values: list) -> None:
    accepted_or_rejected(mutate(load("v1_extended.json"), paths, values))


@PROPERTIES
@given(st.lists(st.sampled_from(V2_PATHS), max_size=3), st.lists(JSON, min_size=3, max_size=3))
def test_damaged_v2_payloads_become_tweets_or_reasons(paths: list, values: list) -> None:
    accepted_or_rejected(mutate(load("v2_filtered_stream.json"), paths, values))


def jetstream_post(text: str) -> dict[str, Any]:
    return post(
        "did:plc:prop",
        "3kprop",
        1_767_225_600_000_000,
        text,
        facets=[facet(text, text[:1], tag("x"))] if text else [],
        langs=["en"],
    )


BSKY_PATHS = [("did",), ("time_us",), ("kind",), ("commit",), ("commit", "operation"),
              ("commit", "rkey"), ("commit", "collection"), ("commit", "record"),
              ("commit", "record", "text"), ("commit", "record", "facets"),
              ("commit", "record", "langs"), ("commit", "record", "reply"),
              ("commit", "record", "embed"), ("identity",)]  # fmt: skip


@PROPERTIES
@given(TEXT, st.lists(st.sampled_from(BSKY_PATHS), max_size=3),
       st.lists(JSON, min_size=3, max_size=3))  # fmt: skip
def test_damaged_jetstream_events_become_tweets_skips_or_reasons(
    text: str, paths: list, values: list
) -> None:
    event = mutate(jetstream_post(text), paths, values)
    try:
        tweet = to_tweet(event, Handles())
    except (Skipped, BadEvent):
        return
    assert convert.validate(tweet) is tweet


@PROPERTIES
@given(TEXT, st.integers(-5, 80), st.integers(-5, 80),
       st.sampled_from([tag("t"), mention("did:plc:x"), link("https://e.org")]))  # fmt: skip
def test_facets_with_any_byte_range_never_break_the_mapping(
    text: str, start: int, end: int, feature: dict
) -> None:
    event = jetstream_post(text)
    event["commit"]["record"]["facets"] = [
        {"index": {"byteStart": start, "byteEnd": end}, "features": [feature]}
    ]
    tweet = to_tweet(event, Handles())
    assert convert.validate(tweet) is tweet


def test_a_null_user_is_a_reason_not_a_crash() -> None:
    """The first case hypothesis found: it raised AttributeError and would have stopped the
    producer instead of dead-lettering the record."""
    import pytest

    status = load("v1_extended.json") | {"user": None}
    with pytest.raises(convert.ConversionError, match="missing user object"):
        convert.to_canonical(status)
