"""A seeded, deterministic generator of realistic tweet traffic (same seed, same stream).

What makes it realistic enough for the analytics: Zipf-distributed hashtags grouped in topic
clusters that co-occur, a trending hashtag that bursts and fades, heavy-tailed follower counts
and author activity, several languages and scripts, retweets, replies and quotes, URLs over a
set of domains, cashtags, and a configurable share of out-of-order and late events.
Entities are built with the text, so they always agree with what the text says.
"""

from __future__ import annotations

import bisect
import heapq
import itertools
import math
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from producer.convert import SCHEMA_VERSION, created_at_v1
from producer.pipeline import RawRecord
from producer.planted import PlantedEvent, planted_tweets

HEAD_TAGS = (
    "flink", "kafka", "streaming", "python", "data", "sql", "elasticsearch", "grafana",
    "realtime", "analytics", "bigdata", "opensource", "ai", "café", "日本", "데이터",
    "العربية", "mañana", "münchen", "ÜberTag",
)  # fmt: skip
LANGUAGES = (("en", 55), ("ja", 12), ("es", 10), ("pt", 6), ("ar", 4), ("fr", 4), ("de", 3),
             ("ko", 2), ("und", 4))  # fmt: skip
WORDS = {
    "en": "the new release of stream processing is out today great talk about windows and "
    "watermarks love this dashboard live data pipeline never sleeps",
    "ja": "新しい リリース ストリーム 処理 今日 すごい データ ライブ",
    "es": "la nueva versión del procesamiento de flujos está aquí hoy gran charla datos",
    "pt": "a nova versão do processamento de fluxo saiu hoje ótima palestra dados",
    "ar": "الإصدار الجديد من معالجة البيانات اليوم رائع",
    "fr": "la nouvelle version du traitement de flux est sortie aujourd'hui super",
    "de": "die neue Version der Datenstromverarbeitung ist heute erschienen toll",
    "ko": "새로운 스트림 처리 릴리스 오늘 데이터 라이브",
    "und": "ok 👍 🔥 😂 ✨ lol",
}
DOMAINS = ("flink.apache.org", "kafka.apache.org", "github.com", "example.com",
           "news.ycombinator.com", "medium.com", "youtube.com", "elastic.co")  # fmt: skip
CASHTAGS = ("AAPL", "TSLA", "MSFT", "NVDA", "AMZN", "GOOG", "BTC", "SPY")


@dataclass(frozen=True)
class SyntheticConfig:
    seed: int = 42
    # The first tweet's id; None: one derived from the seed, so the same seed gives the same ids.
    first_id: int | None = None
    count: int | None = 10_000  # None: endless
    start_ms: int = 1_767_225_600_000  # 2026-01-01T00:00:00Z
    per_second: float = 50.0  # event-time density
    users: int = 10_000
    hashtags: int = 2_000
    clusters: int = 60
    zipf_s: float = 1.1
    trending_tag: str = "breaking"  # empty: none
    trending_at: float = 0.3  # fraction of the run where the burst starts (count given)
    trending_span: float = 0.2  # fraction of the run over which it rises and fades
    out_of_order: float = 0.02  # share shifted back within the watermark bound
    out_of_order_max_ms: int = 3_000
    late: float = 0.0  # share shifted back beyond any reasonable bound
    late_ms: int = 120_000
    # Labelled events whose tweets are added to the background's (producer/planted.py); count
    # counts the background's tweets only.
    events: tuple[PlantedEvent, ...] = ()


class _Zipf:
    """Rank sampler with P(rank k) proportional to 1 / k**s, by bisection on the CDF."""

    def __init__(self, n: int, s: float) -> None:
        weights = [1 / (k**s) for k in range(1, n + 1)]
        self.cdf = list(itertools.accumulate(weights))

    def sample(self, rng: random.Random) -> int:
        return bisect.bisect_left(self.cdf, rng.random() * self.cdf[-1])


def _vocabulary(rng: random.Random, size: int) -> list[str]:
    tags = list(HEAD_TAGS)
    syllables = ("ka", "lo", "mi", "ta", "ne", "ro", "su", "vi", "da", "te", "xo", "zu")
    while len(tags) < size:
        word = "".join(rng.choice(syllables) for _ in range(rng.randint(2, 4)))
        tags.append(word + (str(rng.randint(1, 99)) if rng.random() < 0.2 else ""))
    return tags[:size]


def _users(rng: random.Random, count: int, languages: list[str]) -> list[dict[str, Any]]:
    users = []
    for i in range(count):
        followers = int(min(rng.paretovariate(1.16) * 20 - 20, 150_000_000))
        users.append(
            {
                "id_str": str(10_000 + i),
                "screen_name": f"user_{i}",
                "name": f"User {i}",
                "followers_count": followers,
                "friends_count": rng.randint(0, 5_000),
                "statuses_count": rng.randint(1, 200_000),
                "verified": followers > 1_000_000 or rng.random() < 0.005,
                "location": None,
                "description": None,
                "lang": languages[i % len(languages)],
            }
        )
    return users


def generate(config: SyntheticConfig) -> Iterator[dict[str, Any]]:
    rng = random.Random(config.seed)
    vocabulary = _vocabulary(rng, config.hashtags)
    # Clusters of related tags: tags of one cluster co-occur in the same tweets.
    clusters = [vocabulary[c :: config.clusters] for c in range(config.clusters)]
    cluster_pick = _Zipf(config.clusters, config.zipf_s)
    in_cluster_pick = _Zipf(max(len(c) for c in clusters), config.zipf_s)
    language_weights = list(itertools.accumulate(w for _, w in LANGUAGES))
    languages = [
        LANGUAGES[bisect.bisect_left(language_weights, rng.random() * language_weights[-1])][0]
        for _ in range(97)
    ]
    users = _users(rng, config.users, languages)
    public_users = [{k: v for k, v in u.items() if k != "lang"} for u in users]
    author_pick = _Zipf(config.users, 0.9)  # a few authors tweet a lot
    words = {lang: text.split() for lang, text in WORDS.items()}
    gap_ms = 1000.0 / config.per_second
    recent: list[tuple[str, str]] = []  # (id_str, screen_name) of recent originals
    id_base = config.first_id
    if id_base is None:
        id_base = 1_900_000_000_000_000_000 + (config.seed % 1_000_000) * 1_000_000_000

    def background() -> Iterator[dict[str, Any]]:
        created_second, created_at = -1, ""  # formatting a date costs more than most of a tweet
        burst_center = burst_width = 0.0
        if config.count and config.trending_tag:
            # A trending tag that rises and fades (a bell over trending_span of the run).
            burst_center = config.count * (config.trending_at + config.trending_span / 2)
            burst_width = max(config.count * config.trending_span / 4, 1.0)

        for n in itertools.count():
            if config.count is not None and n >= config.count:
                return
            author_index = author_pick.sample(rng)
            author = public_users[author_index]
            lang = users[author_index]["lang"]
            timestamp_ms = config.start_ms + int(n * gap_ms)
            roll = rng.random()
            if roll < config.late:
                timestamp_ms -= config.late_ms
            elif roll < config.late + config.out_of_order:
                timestamp_ms -= rng.randint(1, config.out_of_order_max_ms)

            cluster = clusters[cluster_pick.sample(rng)]
            tags: list[str] = []
            for _ in range(rng.choice((0, 0, 1, 1, 1, 2, 2, 3))):
                tag = cluster[min(in_cluster_pick.sample(rng), len(cluster) - 1)]
                if tag not in tags:
                    tags.append(tag)
            if burst_width:
                distance = (n - burst_center) / burst_width
                if distance * distance < 16 and rng.random() < 0.6 * math.exp(-distance * distance):
                    tags.insert(0, config.trending_tag)
            body = rng.choices(words[lang], k=rng.randint(3, 10))
            mentions, urls, symbols = [], [], []
            if rng.random() < 0.15:
                mentioned = public_users[author_pick.sample(rng)]["screen_name"]
                mentions.append(mentioned)
                body.insert(0, f"@{mentioned}")
            if rng.random() < 0.03:
                symbol = rng.choice(CASHTAGS)
                symbols.append(symbol)
                body.append(f"${symbol}")
            if rng.random() < 0.2:
                url = f"https://{rng.choice(DOMAINS)}/{rng.randint(1, 10**6)}"
                urls.append(url)
                body.append(url)
            body += [f"#{tag}" for tag in tags]
            text = " ".join(body)

            kind = rng.random()
            retweeted = quoted = reply_to = None
            if kind < 0.25 and recent:
                retweeted = rng.choice(recent)
                text = f"RT @{retweeted[1]}: {text}"
                mentions.insert(0, retweeted[1])
            elif kind < 0.35 and recent:
                reply_to = rng.choice(recent)
                text = f"@{reply_to[1]} {text}"
                mentions.insert(0, reply_to[1])
            elif kind < 0.40 and recent:
                quoted = rng.choice(recent)

            id_str = str(id_base + n)
            if timestamp_ms // 1000 != created_second:
                created_second = timestamp_ms // 1000
                created_at = created_at_v1(timestamp_ms)
            if retweeted is None:
                recent.append((id_str, author["screen_name"]))
                if len(recent) > 500:
                    recent.pop(0)
            yield {
                "schema_version": SCHEMA_VERSION,
                "id_str": id_str,
                "created_at": created_at,
                "timestamp_ms": timestamp_ms,
                "text": text,
                "lang": lang,
                "source": "tweetflow-synthetic",
                "user": author,
                "entities": {
                    "hashtags": [{"text": t} for t in tags],
                    "user_mentions": [{"screen_name": m} for m in mentions],
                    "urls": [{"expanded_url": u} for u in urls],
                    "symbols": [{"text": s} for s in symbols],
                },
                "retweeted_status": (
                    {"id_str": retweeted[0], "screen_name": retweeted[1]} if retweeted else None
                ),
                "is_quote_status": quoted is not None,
                "quoted_status_id_str": quoted[0] if quoted else None,
                "in_reply_to_screen_name": reply_to[1] if reply_to else None,
                "in_reply_to_status_id_str": reply_to[0] if reply_to else None,
            }

    stream = background()
    if config.events:
        # Planted tweets' ids follow far behind the background's, which never reach them.
        planted = planted_tweets(
            config.events, public_users, words["en"], config.seed, id_base + 10**12
        )
        stream = heapq.merge(stream, planted, key=lambda t: t["timestamp_ms"])
    yield from stream


def tweets(
    count: int, seed: int = 42, start_ms: int = 1_767_225_600_000, per_second: float = 50.0
) -> Iterator[dict[str, Any]]:
    """`count` tweets whose event times advance `per_second` tweets per second from start_ms."""
    return generate(
        SyntheticConfig(seed=seed, count=count, start_ms=start_ms, per_second=per_second)
    )


# Twitter's snowflake ids count milliseconds from this instant in their top 41 bits.
TWITTER_EPOCH_MS = 1_288_834_974_657


def snowflake(at_ms: int) -> int:
    """The first id Twitter could have issued at `at_ms`: 4,194,304 ids per millisecond."""
    return (at_ms - TWITTER_EPOCH_MS) << 22


def synthetic_config(
    count: int | None,
    seed: int | None,
    rate: float | None,
    event_rate: float,
    late: float = 0.0,
    out_of_order: float = 0.02,
) -> SyntheticConfig:
    """Live (with a send rate) event times follow the clock; a finite batch ends about now.
    Without a seed, a random one, and ids that no earlier run used: Twitter-style ids of this
    moment (a job deduplicating by id would drop a rerun's tweets as repeats); with a seed, the
    same tweets and ids every time."""
    per_second = rate or event_rate
    now_ms = int(time.time() * 1000)
    start_ms = now_ms if rate or count is None else now_ms - int(count / per_second * 1000)
    return SyntheticConfig(
        seed=random.SystemRandom().randrange(2**31) if seed is None else seed,
        first_id=snowflake(now_ms) if seed is None else None,
        count=count,
        start_ms=start_ms,
        per_second=per_second,
        late=late,
        out_of_order=out_of_order,
    )


def synthetic_records(config: SyntheticConfig) -> Iterator[RawRecord]:
    for n, tweet in enumerate(generate(config)):
        yield RawRecord(f"synthetic:{n}", tweet, canonical=True)
