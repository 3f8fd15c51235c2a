"""Jetstream events to canonical tweets, field by field (producer/bluesky_mapping.py)."""

from __future__ import annotations

import pytest

from producer import convert
from producer.bluesky_mapping import (
    BadEvent,
    Handles,
    Profile,
    ProfileCache,
    Skipped,
    post_id,
    to_tweet,
)
from tests.support.jetstream_emulator import delete, facet, identity, link, mention, post, tag

ALICE, BOB = "did:plc:alice2rkjc4xbv4kvcgz", "did:plc:bob5k6mqzmxl3sjmrcq"
T = 1_725_911_162_329_308  # time_us


def test_a_post_with_facets_maps_field_by_field() -> None:
    # Multi-byte UTF-8 before every facet: byte offsets differ from code-point offsets.
    text = "Café ☕ 日本 #Flink with @bob.bsky.social → https://flink.apache.org/x"
    event = post(
        ALICE,
        "3l3qo2vutsw2b",
        T,
        text,
        langs=["en", "fr"],
        facets=[
            facet(text, "#Flink", tag("Flink")),
            facet(text, "@bob.bsky.social", mention(BOB)),
            facet(text, "https://flink.apache.org/x", link("https://flink.apache.org/x")),
        ],
    )
    handles = Handles()
    handles.learn(ALICE, "alice.bsky.social")
    tweet = to_tweet(event, handles)
    assert convert.validate(tweet) is tweet
    assert tweet["id_str"] == f"{ALICE}/3l3qo2vutsw2b"
    assert tweet["timestamp_ms"] == T // 1000  # time_us, not the record's createdAt
    assert tweet["created_at"] == convert.created_at_v1(T // 1000)
    assert tweet["text"] == text and tweet["lang"] == "en" and tweet["source"] == "Bluesky"
    assert tweet["user"]["id_str"] == ALICE
    assert tweet["user"]["screen_name"] == "alice.bsky.social"
    assert tweet["user"]["followers_count"] == 0
    assert tweet["entities"] == {
        "hashtags": [{"text": "Flink"}],
        "user_mentions": [{"screen_name": "bob.bsky.social"}],
        "urls": [{"expanded_url": "https://flink.apache.org/x"}],
        "symbols": [],
    }
    assert tweet["retweeted_status"] is None and tweet["is_quote_status"] is False
    assert tweet["in_reply_to_status_id_str"] is None


def test_the_author_is_its_did_until_an_identity_event_names_it() -> None:
    handles = Handles()
    first = to_tweet(post(ALICE, "a1", T, "hi"), handles)
    assert first["user"]["screen_name"] == ALICE and first["user"]["name"] == ALICE
    with pytest.raises(Skipped):
        to_tweet(identity(ALICE, "alice.example.com", T + 1), handles)
    assert to_tweet(post(ALICE, "a2", T + 2, "hi"), handles)["user"]["screen_name"] == (
        "alice.example.com"
    )


def test_mentions_fall_back_to_the_known_handle_then_the_did() -> None:
    text = "hello there"
    bad_range = {"index": {"byteStart": 50, "byteEnd": 60}, "features": [mention(BOB)]}
    handles = Handles()
    assert to_tweet(post(ALICE, "m1", T, text, facets=[bad_range]), handles)["entities"][
        "user_mentions"
    ] == [{"screen_name": BOB}]
    handles.learn(BOB, "bob.bsky.social")
    assert to_tweet(post(ALICE, "m2", T, text, facets=[bad_range]), handles)["entities"][
        "user_mentions"
    ] == [{"screen_name": "bob.bsky.social"}]


def test_without_facets_entities_come_from_the_text() -> None:
    tweet = to_tweet(
        post(ALICE, "t1", T, "no facets #kafka @carol $AAPL https://x.org/a"), Handles()
    )
    assert tweet["entities"]["hashtags"] == [{"text": "kafka"}]
    assert tweet["entities"]["user_mentions"] == [{"screen_name": "carol"}]
    assert tweet["entities"]["symbols"] == [{"text": "AAPL"}]
    assert tweet["entities"]["urls"] == [{"expanded_url": "https://x.org/a"}]


def test_facets_win_over_text_for_hashtags_but_cashtags_come_from_text() -> None:
    text = "#notatag in text, $TSLA"
    tweet = to_tweet(
        post(ALICE, "t2", T, text, facets=[facet(text, "text", tag("real"))]), Handles()
    )
    assert tweet["entities"]["hashtags"] == [{"text": "real"}]
    assert tweet["entities"]["symbols"] == [{"text": "TSLA"}]


def test_replies_and_quotes() -> None:
    parent = f"at://{BOB}/app.bsky.feed.post/3kparent"
    handles = Handles()
    handles.learn(BOB, "bob.bsky.social")
    reply = to_tweet(post(ALICE, "r1", T, "yes", reply_to=parent), handles)
    assert reply["in_reply_to_status_id_str"] == f"{BOB}/3kparent"
    assert reply["in_reply_to_screen_name"] == "bob.bsky.social"
    quote = {"$type": "app.bsky.embed.record", "record": {"uri": parent, "cid": "x"}}
    quoted = to_tweet(post(ALICE, "q1", T, "look", embed=quote), handles)
    assert quoted["is_quote_status"] is True
    assert quoted["quoted_status_id_str"] == f"{BOB}/3kparent"
    with_media = {
        "$type": "app.bsky.embed.recordWithMedia",
        "record": {"record": {"uri": parent, "cid": "x"}},
        "media": {"$type": "app.bsky.embed.images", "images": []},
    }
    assert (
        to_tweet(post(ALICE, "q2", T, "pic", embed=with_media), handles)["quoted_status_id_str"]
        == f"{BOB}/3kparent"
    )
    card = {"$type": "app.bsky.embed.external", "external": {"uri": "https://github.com/a"}}
    carded = to_tweet(post(ALICE, "c1", T, "read", embed=card), handles)
    assert carded["entities"]["urls"] == [{"expanded_url": "https://github.com/a"}]
    assert carded["is_quote_status"] is False


def test_known_profiles_fill_the_user() -> None:
    profiles = ProfileCache()
    profiles.put(ALICE, Profile("alice.bsky.social", "Alice ✨", 1234, 56, 789, 0.0))
    user = to_tweet(post(ALICE, "p1", T, "hi"), Handles(), profiles)["user"]
    assert (user["screen_name"], user["name"]) == ("alice.bsky.social", "Alice ✨")
    assert (user["followers_count"], user["friends_count"], user["statuses_count"]) == (
        1234,
        56,
        789,
    )


@pytest.mark.parametrize(
    "event",
    [
        delete(ALICE, "d1", T),
        {
            **post(ALICE, "u1", T, "x"),
            "commit": {**post(ALICE, "u1", T, "x")["commit"], "operation": "update"},
        },
        {
            **post(ALICE, "l1", T, "x"),
            "commit": {**post(ALICE, "l1", T, "x")["commit"], "collection": "app.bsky.feed.like"},
        },
        {"did": ALICE, "time_us": T, "kind": "account", "account": {"active": True}},
    ],
)
def test_deletes_updates_other_collections_and_accounts_are_skipped(event: dict) -> None:
    with pytest.raises(Skipped):
        to_tweet(event, Handles())


@pytest.mark.parametrize(
    ("event", "reason"),
    [
        ([1, 2], "JSON object"),
        ({"time_us": T, "kind": "commit"}, "without a did"),
        ({"did": ALICE, "time_us": "soon", "kind": "commit"}, "numeric time_us"),
        ({"did": ALICE, "time_us": T, "kind": "telepathy"}, "unknown Jetstream event kind"),
        ({"did": ALICE, "time_us": T, "kind": "commit"}, "without a commit"),
        ({**post(ALICE, "b1", T, "x"), "commit": {"collection": "app.bsky.feed.post",
                                                  "operation": "create", "rkey": "b1"}},
         "without a record text"),
        ({**post(ALICE, "b2", T, "x"), "commit": {**post(ALICE, "b2", T, "x")["commit"],
                                                  "rkey": ""}}, "without an rkey"),
    ],
)  # fmt: skip
def test_malformed_events_say_why(event: object, reason: str) -> None:
    with pytest.raises(BadEvent, match=reason):
        to_tweet(event, Handles())


def test_post_ids_from_at_uris() -> None:
    assert post_id(f"at://{BOB}/app.bsky.feed.post/3kx") == f"{BOB}/3kx"
    for uri in (f"at://{BOB}/app.bsky.feed.like/3kx", "https://bsky.app", None, "at://x"):
        assert post_id(uri) is None


def test_handles_are_bounded() -> None:
    handles = Handles(capacity=2)
    for n in range(3):
        handles.learn(f"did:plc:{n}", f"h{n}")
    assert len(handles) == 2 and handles.get("did:plc:0") is None


def test_every_mapped_post_satisfies_the_tweet_schema() -> None:
    """The mapping skips the full schema validation per post; this is why it may."""
    from bench.bluesky_bench import frames

    handles, mapped = Handles(), 0
    events, posts = frames(1500, seed=11)
    for event in events:
        try:
            convert.validate(to_tweet(event, handles))
            mapped += 1
        except Skipped:
            continue
    assert mapped == posts > 1000


def test_ids_a_tweet_id_cannot_hold_are_bad_events() -> None:
    with pytest.raises(BadEvent, match="characters tweet ids may not hold"):
        to_tweet(post("did:web:exa%20mple.com", "r1", T, "hi"), Handles())
