"""A seeded, deterministic generator of canonical tweets (same seed, same stream)."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any

SCHEMA_VERSION = 1
HASHTAGS = (
    "flink", "kafka", "streaming", "python", "data", "sql", "elasticsearch", "grafana",
    "realtime", "analytics", "bigdata", "opensource", "café", "日本", "🚀launch",
)  # fmt: skip
LANGS = ("en", "en", "en", "es", "ja", "de", "fr", "pt")
WORDS = (
    "the", "new", "release", "of", "stream", "processing", "is", "out", "today", "great",
    "talk", "about", "windows", "and", "watermarks", "love", "this", "dashboard", "live",
)  # fmt: skip


def _created_at(timestamp_ms: int) -> str:
    moment = datetime.fromtimestamp(timestamp_ms / 1000, tz=timezone.utc)
    return moment.strftime("%a %b %d %H:%M:%S +0000 %Y")


def tweets(
    count: int, seed: int = 42, start_ms: int = 1_767_225_600_000, per_second: float = 50.0
) -> Iterator[dict[str, Any]]:
    """`count` tweets whose event times advance `per_second` tweets per second from start_ms."""
    rng = random.Random(seed)
    weights = [1 / (rank + 1) for rank in range(len(HASHTAGS))]  # Zipf-like popularity
    users = [
        {
            "id_str": str(1000 + i),
            "screen_name": f"user{i}",
            "name": f"User {i}",
            "followers_count": int(rng.paretovariate(1.2) * 50),
            "friends_count": rng.randint(0, 2000),
            "statuses_count": rng.randint(1, 50_000),
            "verified": rng.random() < 0.02,
            "location": None,
            "description": None,
        }
        for i in range(200)
    ]
    gap_ms = 1000.0 / per_second
    for n in range(count):
        timestamp_ms = start_ms + int(n * gap_ms)
        tags = sorted(set(rng.choices(HASHTAGS, weights, k=rng.choice((0, 1, 1, 2, 3)))))
        words = rng.choices(WORDS, k=rng.randint(4, 12))
        text = " ".join(words + [f"#{tag}" for tag in tags])
        tweet_id = str(1_900_000_000_000_000_000 + seed * 10_000_000 + n)
        yield {
            "schema_version": SCHEMA_VERSION,
            "id_str": tweet_id,
            "created_at": _created_at(timestamp_ms),
            "timestamp_ms": timestamp_ms,
            "text": text,
            "lang": rng.choice(LANGS),
            "source": "tweetflow-synthetic",
            "user": rng.choice(users),
            "entities": {
                "hashtags": [{"text": tag} for tag in tags],
                "user_mentions": [],
                "urls": [],
                "symbols": [],
            },
            "retweeted_status": None,
            "is_quote_status": False,
            "in_reply_to_screen_name": None,
        }
