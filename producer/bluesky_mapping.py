"""Jetstream events of Bluesky's public post stream as canonical tweets.

A post `create` commit becomes one tweet; deletes and updates of posts, other collections and
`account` events are skipped (a tweet stream has no way to take a tweet back, and the results
are append-only windows); `identity` events teach the handle of a DID. Anything that cannot be
read as one of these is a `BadEvent`, whose message is the dead-letter reason.

Event time is Jetstream's `time_us` (when the relay saw the commit), not the record's
`createdAt`: `createdAt` is written by the client and can be anything — days old for imported
posts, in the future for a wrong clock — which would put posts in long-closed windows (dropped
as late) or hold the watermark hostage. `time_us` is monotonic per Jetstream instance and is
also the resume cursor.

Facet offsets are UTF-8 byte offsets into the text (the AT Protocol's rich-text rule), so the
text of a mention is sliced from the encoded bytes, never from the Python string.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from producer import convert
from producer import entities as extract

V = TypeVar("V")
POST = "app.bsky.feed.post"
TAG, MENTION, LINK = (f"app.bsky.richtext.facet#{k}" for k in ("tag", "mention", "link"))
QUOTES = {"app.bsky.embed.record", "app.bsky.embed.recordWithMedia"}
SOURCE = "Bluesky"


class BadEvent(ValueError):
    """An event that cannot be read; the message is the dead-letter reason."""


class Skipped(Exception):
    """A well-formed event that is not a new post (delete, update, identity, account)."""


class Bounded(Generic[V]):
    """A map by DID that keeps the `capacity` most recently written entries."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._items: OrderedDict[str, V] = OrderedDict()

    def put(self, did: str, value: V) -> None:
        self._items[did] = value
        self._items.move_to_end(did)
        while len(self._items) > self.capacity:
            self._items.popitem(last=False)

    def get(self, did: str) -> V | None:
        return self._items.get(did)

    def __len__(self) -> int:
        return len(self._items)


class Handles(Bounded[str]):
    """DID -> handle, learnt from identity events."""

    def __init__(self, capacity: int = 500_000) -> None:
        super().__init__(capacity)

    def learn(self, did: str, handle: str) -> None:
        self.put(did, handle)


@dataclass(frozen=True)
class Profile:
    handle: str
    display_name: str
    followers: int
    follows: int
    posts: int
    fetched_at: float


class ProfileCache(Bounded[Profile]):
    """Profiles by DID with a time to live; filled by producer.bluesky_profiles in the
    background. Posts never wait for it: an unknown author has zero followers until known."""

    def __init__(self, ttl_s: float = 3600.0, capacity: int = 200_000) -> None:
        super().__init__(capacity)
        self.ttl_s = ttl_s

    def stale(self, did: str, now: float | None = None) -> bool:
        found = self.get(did)
        return found is None or (now or time.monotonic()) - found.fetched_at > self.ttl_s


def post_id(uri: Any) -> str | None:
    """`at://<did>/app.bsky.feed.post/<rkey>` -> `<did>/<rkey>`, the tweet id of that post."""
    if not isinstance(uri, str) or not uri.startswith("at://"):
        return None
    parts = uri[5:].split("/")
    if len(parts) != 3 or parts[1] != POST or not parts[0] or not parts[2]:
        return None
    return f"{parts[0]}/{parts[2]}"


def _byte_slice(encoded: bytes, index: Any) -> str | None:
    if not isinstance(index, dict):
        return None
    start, end = index.get("byteStart"), index.get("byteEnd")
    if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(encoded)):
        return None
    return encoded[start:end].decode("utf-8", errors="replace")


def _facet_entities(text: str, facets: Any, handles: Handles) -> dict[str, list[dict[str, str]]]:
    found: dict[str, list[dict[str, str]]] = {"hashtags": [], "user_mentions": [], "urls": []}
    encoded = text.encode("utf-8")
    for facet in facets if isinstance(facets, list) else []:
        if not isinstance(facet, dict):
            continue
        for feature in facet.get("features") or []:
            if not isinstance(feature, dict):
                continue
            kind = feature.get("$type")
            if kind == TAG and isinstance(feature.get("tag"), str) and feature["tag"].strip():
                found["hashtags"].append({"text": feature["tag"].strip().lstrip("#")})
            elif kind == MENTION and isinstance(feature.get("did"), str):
                written = (_byte_slice(encoded, facet.get("index")) or "").lstrip("@").strip()
                name = written or handles.get(feature["did"]) or feature["did"]
                found["user_mentions"].append({"screen_name": name})
            elif kind == LINK and isinstance(feature.get("uri"), str) and feature["uri"]:
                found["urls"].append({"expanded_url": feature["uri"]})
    found["hashtags"] = [h for h in found["hashtags"] if h["text"]]
    return found


_NO_ENTITIES: dict[str, list[dict[str, object]]] = {
    "hashtags": [],
    "user_mentions": [],
    "urls": [],
    "symbols": [],
}


def entities(record: dict[str, Any], handles: Handles) -> dict[str, list[dict[str, str]]]:
    text = record.get("text") or ""
    facets = record.get("facets")
    # Twitter's text rules: every entity for a post without facets, else only cashtags (which
    # Bluesky has no facet for), and only when the text can hold one.
    from_text = extract.extract(text) if not facets or "$" in text else _NO_ENTITIES
    if facets:
        found = _facet_entities(text, facets, handles)
    else:  # a client that writes no facets: Twitter's text rules find the same entities
        found = {
            "hashtags": [{"text": h["text"]} for h in from_text["hashtags"]],  # type: ignore[dict-item]
            "user_mentions": [
                {"screen_name": m["screen_name"]}  # type: ignore[dict-item]
                for m in from_text["user_mentions"]
            ],
            "urls": [{"expanded_url": u["expanded_url"]} for u in from_text["urls"]],  # type: ignore[dict-item]
        }
    embed = record.get("embed")
    external = embed.get("external") if isinstance(embed, dict) else None
    card = external.get("uri") if isinstance(external, dict) else None
    if isinstance(card, str) and card and all(u["expanded_url"] != card for u in found["urls"]):
        found["urls"].append({"expanded_url": card})  # a link card
    found["symbols"] = [{"text": s["text"]} for s in from_text["symbols"]]  # type: ignore[dict-item]
    return found


def _quoted(embed: Any) -> str | None:
    if not isinstance(embed, dict) or embed.get("$type") not in QUOTES:
        return None
    record = embed.get("record")
    if embed["$type"] == "app.bsky.embed.recordWithMedia" and isinstance(record, dict):
        record = record.get("record")
    return post_id(record.get("uri")) if isinstance(record, dict) else None


def _user(did: str, handles: Handles, profiles: ProfileCache | None) -> dict[str, Any]:
    profile = profiles.get(did) if profiles is not None else None
    handle = handles.get(did) or (profile.handle if profile else None) or did
    return {
        "id_str": did,
        "screen_name": handle,
        "name": (profile.display_name if profile else "") or handle,
        "followers_count": profile.followers if profile else 0,
        "friends_count": profile.follows if profile else 0,
        "statuses_count": profile.posts if profile else 0,
        "verified": False,
        "location": None,
        "description": None,
    }


def to_tweet(event: Any, handles: Handles, profiles: ProfileCache | None = None) -> dict[str, Any]:
    """The canonical tweet of a post create event; Skipped or BadEvent otherwise."""
    if not isinstance(event, dict):
        raise BadEvent(f"a Jetstream event is a JSON object, got {type(event).__name__}")
    did, time_us, kind = event.get("did"), event.get("time_us"), event.get("kind")
    if not isinstance(did, str) or not did.startswith("did:"):
        raise BadEvent("Jetstream event without a did")
    if not isinstance(time_us, int) or isinstance(time_us, bool) or time_us <= 0:
        raise BadEvent("Jetstream event without a numeric time_us")
    if kind == "identity":
        identity = event.get("identity")
        if isinstance(identity, dict) and isinstance(identity.get("handle"), str):
            handles.learn(did, identity["handle"])
        raise Skipped("identity")
    if kind == "account":
        raise Skipped("account")
    if kind != "commit":
        raise BadEvent(f"unknown Jetstream event kind {kind!r}")
    commit = event.get("commit")
    if not isinstance(commit, dict):
        raise BadEvent("commit event without a commit")
    if commit.get("collection") != POST:
        raise Skipped("another collection")
    operation = commit.get("operation")
    if operation in ("delete", "update"):
        raise Skipped(operation)
    if operation != "create":
        raise BadEvent(f"unknown commit operation {operation!r}")
    rkey, record = commit.get("rkey"), commit.get("record")
    if not isinstance(rkey, str) or not rkey:
        raise BadEvent("post create without an rkey")
    if not isinstance(record, dict) or not isinstance(record.get("text"), str):
        raise BadEvent("post create without a record text")
    langs = record.get("langs")
    reply = record.get("reply")
    parent = reply.get("parent") if isinstance(reply, dict) else None
    parent_id = post_id(parent.get("uri")) if isinstance(parent, dict) else None
    parent_did = parent_id.split("/")[0] if parent_id else None
    quoted = _quoted(record.get("embed"))
    try:  # the time can be out of range
        tweet = convert.build_tweet(
            id_str=f"{did}/{rkey}",
            timestamp_ms=time_us // 1000,
            text=record["text"],
            lang=langs[0] if isinstance(langs, list) and langs else None,
            source=SOURCE,
            user=_user(did, handles, profiles),
            entities=entities(record, handles),
            quoted_status_id_str=quoted,
            is_quote_status=quoted is not None,
            in_reply_to_screen_name=(handles.get(parent_did) or parent_did) if parent_did else None,
            in_reply_to_status_id_str=parent_id,
        )
    except convert.ConversionError as exc:
        raise BadEvent(str(exc)) from exc
    # The tweet has the schema's shape by construction (tests/unit/test_bluesky_mapping.py
    # validates generated events against tweet.schema.json); what input can break is the id,
    # checked here at a fraction of a full schema validation's cost.
    if not convert.TWEET_ID.match(tweet["id_str"]):
        raise BadEvent(f"post id {tweet['id_str'][:80]!r} has characters tweet ids may not hold")
    return tweet
