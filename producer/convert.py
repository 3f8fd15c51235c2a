"""Normalise X API v2 payloads, v1.1 status objects and canonical records to one schema.

The canonical tweet (SCHEMA.md, tweet.schema.json) keeps the v1.1 field names. Text is always
the full text: `extended_tweet.full_text` (v1.1 streaming), `full_text` (v1.1 REST), or
`note_tweet.text` (v2 long posts); a retweet becomes "RT @author: <full original text>".
Entities missing from the payload are extracted from the text by Twitter's rules.
"""

from __future__ import annotations

import html
import re
from datetime import datetime, timezone
from functools import cache
from importlib import resources
from typing import Any

from producer import entities as extract

SCHEMA_VERSION = 1
SCHEMA_FILE = resources.files("producer") / "tweet.schema.json"
V1_TIME = "%a %b %d %H:%M:%S %z %Y"
MAX_TIMESTAMP_MS = 253_402_300_799_999  # 9999-12-31T23:59:59.999Z, datetime's last moment
# X's longest posts; the job dead-letters longer texts too (JobConfig.max_text_chars).
MAX_TEXT_CHARS = 25_000
_TAG = re.compile(r"<[^>]*>")


class ConversionError(ValueError):
    """A record that cannot become a canonical tweet; the message is the dead-letter reason."""


def created_at_v1(timestamp_ms: int) -> str:
    moment = datetime.fromtimestamp(timestamp_ms / 1000, tz=timezone.utc)
    return moment.strftime("%a %b %d %H:%M:%S +0000 %Y")


def _ms_from_v1(created_at: str) -> int:
    try:
        return int(datetime.strptime(created_at, V1_TIME).timestamp() * 1000)
    except (TypeError, ValueError) as exc:
        raise ConversionError(f"created_at {created_at!r} is not a v1.1 timestamp") from exc


def _ms_from_iso(created_at: str) -> int:
    try:
        moment = datetime.fromisoformat(created_at.replace("Z", "+00:00"))
    except (AttributeError, ValueError) as exc:
        raise ConversionError(f"created_at {created_at!r} is not an ISO-8601 timestamp") from exc
    if moment.tzinfo is None:
        raise ConversionError(f"created_at {created_at!r} has no time zone")
    return int(moment.timestamp() * 1000)


def _require(mapping: Any, key: str, where: str) -> Any:
    if not isinstance(mapping, dict) or mapping.get(key) in (None, ""):
        raise ConversionError(f"missing {where}.{key}")
    return mapping[key]


def _text(value: Any) -> str | None:
    """A string field as the schema wants it: the string, or None for anything else."""
    return value if isinstance(value, str) and value else None


TWEET_ID = re.compile(r"^[0-9A-Za-z:._/-]{1,200}$")  # id_str of tweet.schema.json


def _id(value: Any, where: str) -> str:
    if (
        isinstance(value, bool)
        or not isinstance(value, (str, int))
        or not TWEET_ID.match(str(value))
    ):
        raise ConversionError(f"{where} {str(value)[:40]!r} is not a tweet id")
    return str(value)


def _count(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0


def _plain_source(source: Any) -> str:
    """v1.1 `source` is an HTML anchor; keep its text."""
    return html.unescape(_TAG.sub("", source)).strip() if isinstance(source, str) else ""


def _canonical_entities(text: str, hashtags: Any, mentions: Any, urls: Any, symbols: Any) -> dict:
    if hashtags is None and mentions is None and urls is None and symbols is None:
        found = extract.extract(text)
        hashtags, mentions = found["hashtags"], found["user_mentions"]
        urls, symbols = found["urls"], found["symbols"]

    def texts(items: Any, *keys: str) -> list[str]:
        out = []
        for item in items or []:
            value = next((item[k] for k in keys if isinstance(item, dict) and item.get(k)), None)
            if isinstance(value, str) and value:
                out.append(value)
        return out

    return {
        "hashtags": [{"text": t} for t in texts(hashtags, "text", "tag")],
        "user_mentions": [{"screen_name": t} for t in texts(mentions, "screen_name", "username")],
        "urls": [{"expanded_url": t} for t in texts(urls, "expanded_url", "url")],
        "symbols": [{"text": t} for t in texts(symbols, "text", "tag")],
    }


def build_tweet(
    *,
    id_str: str,
    timestamp_ms: int,
    text: str,
    lang: Any,
    source: str,
    user: dict[str, Any],
    entities: dict[str, Any],
    retweeted_status: dict[str, Any] | None = None,
    quoted_status_id_str: Any = None,
    is_quote_status: bool = False,
    in_reply_to_screen_name: Any = None,
    in_reply_to_status_id_str: Any = None,
) -> dict[str, Any]:
    if not 0 <= timestamp_ms <= MAX_TIMESTAMP_MS:
        raise ConversionError(f"timestamp_ms {timestamp_ms} is outside 1970 to 9999")
    if len(text) > MAX_TEXT_CHARS:
        raise ConversionError(f"text longer than {MAX_TEXT_CHARS} characters ({len(text)})")
    return {
        "schema_version": SCHEMA_VERSION,
        "id_str": id_str,
        "created_at": created_at_v1(timestamp_ms),
        "timestamp_ms": timestamp_ms,
        "text": text,
        "lang": lang if isinstance(lang, str) and lang else None,
        "source": source,
        "user": user,
        "entities": entities,
        "retweeted_status": retweeted_status,
        "is_quote_status": bool(is_quote_status or quoted_status_id_str),
        "quoted_status_id_str": str(quoted_status_id_str) if quoted_status_id_str else None,
        "in_reply_to_screen_name": in_reply_to_screen_name or None,
        "in_reply_to_status_id_str": (
            str(in_reply_to_status_id_str) if in_reply_to_status_id_str else None
        ),
    }


# --- v1.1 -----------------------------------------------------------------------------------


def _v1_user(user: Any) -> dict[str, Any]:
    if not isinstance(user, dict):
        raise ConversionError("missing user object")
    id_str = user.get("id_str") or (str(user["id"]) if "id" in user else None)
    if not id_str:
        raise ConversionError("missing user.id_str")
    return {
        "id_str": str(id_str),
        "screen_name": str(_require(user, "screen_name", "user")),
        "name": _text(user.get("name")) or "",
        "followers_count": _count(user.get("followers_count")),
        "friends_count": _count(user.get("friends_count")),
        "statuses_count": _count(user.get("statuses_count")),
        "verified": user.get("verified") is True,
        "location": _text(user.get("location")),
        "description": _text(user.get("description")),
    }


def _v1_full(status: dict[str, Any]) -> tuple[str, Any]:
    """(full text, entities object or None) of one v1.1 status, never truncated."""
    extended = status.get("extended_tweet")
    if isinstance(extended, dict) and isinstance(extended.get("full_text"), str):
        return extended["full_text"], extended.get("entities")
    if isinstance(status.get("full_text"), str):
        return status["full_text"], status.get("entities")
    text = status.get("text")
    if not isinstance(text, str):
        raise ConversionError("missing text")
    return text, status.get("entities")


def _v1_entities(text: str, found: Any) -> dict[str, Any]:
    if not isinstance(found, dict):
        return _canonical_entities(text, None, None, None, None)
    return _canonical_entities(
        text,
        found.get("hashtags", []),
        found.get("user_mentions", []),
        found.get("urls", []),
        found.get("symbols", []),
    )


def from_v1(status: dict[str, Any]) -> dict[str, Any]:
    id_str = status.get("id_str") or (str(status["id"]) if "id" in status else None)
    if not id_str:
        raise ConversionError("missing id_str")
    id_str = _id(id_str, "id_str")
    if "timestamp_ms" in status:
        try:
            timestamp_ms = int(status["timestamp_ms"])
        except (TypeError, ValueError, OverflowError) as exc:  # OverflowError: infinity
            raise ConversionError(f"timestamp_ms {status['timestamp_ms']!r} is no number") from exc
    else:
        timestamp_ms = _ms_from_v1(_require(status, "created_at", "status"))
    user = _v1_user(status.get("user"))
    retweeted = status.get("retweeted_status")
    if isinstance(retweeted, dict):
        original_text, original_entities = _v1_full(retweeted)
        author = str((retweeted.get("user") or {}).get("screen_name") or "")
        text = f"RT @{author}: {original_text}" if author else original_text
        found = _v1_entities(original_text, original_entities)
        if author:
            found["user_mentions"].insert(0, {"screen_name": author})
        rt = {
            "id_str": str(retweeted.get("id_str") or retweeted.get("id") or ""),
            "screen_name": author or None,
        }
    else:
        text, raw_entities = _v1_full(status)
        found = _v1_entities(text, raw_entities)
        rt = None
    return build_tweet(
        id_str=str(id_str),
        timestamp_ms=timestamp_ms,
        text=text,
        lang=status.get("lang"),
        source=_plain_source(status.get("source")),
        user=user,
        entities=found,
        retweeted_status=rt,
        quoted_status_id_str=_text(status.get("quoted_status_id_str")),
        is_quote_status=status.get("is_quote_status") is True,
        in_reply_to_screen_name=_text(status.get("in_reply_to_screen_name")),
        in_reply_to_status_id_str=_text(status.get("in_reply_to_status_id_str")),
    )


# --- v2 -------------------------------------------------------------------------------------


def _v2_user(user: dict[str, Any]) -> dict[str, Any]:
    metrics = user.get("public_metrics")
    metrics = metrics if isinstance(metrics, dict) else {}
    return {
        "id_str": str(_require(user, "id", "includes.users[]")),
        "screen_name": str(_require(user, "username", "includes.users[]")),
        "name": _text(user.get("name")) or "",
        "followers_count": _count(metrics.get("followers_count")),
        "friends_count": _count(metrics.get("following_count")),
        "statuses_count": _count(metrics.get("tweet_count")),
        "verified": user.get("verified") is True,
        "location": _text(user.get("location")),
        "description": _text(user.get("description")),
    }


def _v2_full(tweet: dict[str, Any]) -> tuple[str, Any]:
    note = tweet.get("note_tweet")
    if isinstance(note, dict) and isinstance(note.get("text"), str):
        return note["text"], note.get("entities")
    text = tweet.get("text")
    if not isinstance(text, str):
        raise ConversionError("missing data.text")
    return text, tweet.get("entities")


def _v2_entities(text: str, found: Any) -> dict[str, Any]:
    if not isinstance(found, dict):
        return _canonical_entities(text, None, None, None, None)
    return _canonical_entities(
        text,
        found.get("hashtags", []),
        found.get("mentions", []),
        found.get("urls", []),
        found.get("cashtags", []),
    )


def from_v2(payload: dict[str, Any]) -> dict[str, Any]:
    data = payload.get("data")
    if not isinstance(data, dict):
        raise ConversionError("missing data object")
    includes = payload.get("includes") if isinstance(payload.get("includes"), dict) else {}
    users = {str(u.get("id")): u for u in includes.get("users", []) if isinstance(u, dict)}
    tweets = {str(t.get("id")): t for t in includes.get("tweets", []) if isinstance(t, dict)}
    id_str = _id(_require(data, "id", "data"), "data.id")
    author_id = str(_require(data, "author_id", "data"))
    if author_id not in users:
        raise ConversionError(
            f"author {author_id} not in includes.users (request expansions=author_id)"
        )
    timestamp_ms = _ms_from_iso(_require(data, "created_at", "data"))
    refs = {
        r.get("type"): str(r.get("id"))
        for r in data.get("referenced_tweets") or []
        if isinstance(r, dict) and r.get("id")
    }
    text, raw_entities = _v2_full(data)
    found = _v2_entities(text, raw_entities)
    rt = None
    if "retweeted" in refs:
        original = tweets.get(refs["retweeted"])
        author = None
        if original is not None:
            author = (users.get(str(original.get("author_id"))) or {}).get("username")
            original_text, original_entities = _v2_full(original)
            if author:
                text = f"RT @{author}: {original_text}"
            found = _v2_entities(original_text, original_entities)
            if author:
                found["user_mentions"].insert(0, {"screen_name": author})
        rt = {"id_str": refs["retweeted"], "screen_name": author}
    reply_user = users.get(str(data.get("in_reply_to_user_id")))
    return build_tweet(
        id_str=id_str,
        timestamp_ms=timestamp_ms,
        text=text,
        lang=data.get("lang"),
        source=str(data.get("source") or "X API v2"),
        user=_v2_user(users[author_id]),
        entities=found,
        retweeted_status=rt,
        quoted_status_id_str=refs.get("quoted"),
        in_reply_to_screen_name=reply_user.get("username") if reply_user else None,
        in_reply_to_status_id_str=refs.get("replied_to"),
    )


# --- dispatch -------------------------------------------------------------------------------


@cache
def _validator() -> Any:
    import json

    import jsonschema

    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)


def validate(tweet: dict[str, Any]) -> dict[str, Any]:
    """The tweet itself if it satisfies tweet.schema.json, else ConversionError with the reason."""
    error = next(iter(_validator().iter_errors(tweet)), None)
    if error is not None:
        where = ".".join(str(p) for p in error.absolute_path) or "(record)"
        raise ConversionError(f"not a canonical tweet: {where}: {error.message[:200]}")
    return tweet


def shape(record: Any) -> str:
    if not isinstance(record, dict):
        raise ConversionError(f"a tweet is a JSON object, got {type(record).__name__}")
    if "schema_version" in record:
        return "canonical"
    if isinstance(record.get("data"), dict):
        return "v2"
    if "user" in record and ("id_str" in record or "id" in record):
        return "v1"
    if "delete" in record or "limit" in record or "scrub_geo" in record:
        raise ConversionError(f"v1.1 stream notice, not a tweet: {sorted(record)[0]}")
    raise ConversionError("neither a v1.1 status, a v2 payload nor a canonical tweet")


def to_canonical(record: Any) -> dict[str, Any]:
    """Any supported shape to a canonical tweet (auto-detected per record)."""
    kind = shape(record)
    if kind == "canonical":
        return validate(record)
    try:
        return from_v2(record) if kind == "v2" else from_v1(record)
    except (AttributeError, TypeError, KeyError, ValueError, IndexError) as exc:
        if isinstance(exc, ConversionError):
            raise
        # A shape no rule above expected: still a reason, never a crash of the producer.
        raise ConversionError(f"malformed {kind} record: {type(exc).__name__}: {exc}") from exc
