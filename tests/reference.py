"""An independent, plain-Python computation of every query's results from the same tweets.

Semantics, as documented in the README: event-time windows aligned to the epoch (UTC);
a hopping window of size S sliding by D holds every tweet with start <= t < start + S; top-N
ranks by count descending, ties broken by the secondary key ascending (screen name, hashtag)
in code-point order, which is the byte order Flink compares strings in; hashtags lower-cased,
cashtags upper-cased, unknown language 'und'; each occurrence of a tag in a tweet counts.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

Tweet = dict[str, Any]


@dataclass(frozen=True)
class Windows:
    tweet_rate_s: int = 2
    rolling_s: int = 60
    rolling_slide_s: int = 5
    author_tumble_s: int = 5
    top_authors: int = 5
    hashtag_s: int = 3600
    hashtag_slide_s: int = 60
    top_hashtags: int = 10
    count_s: int = 60


def tumble(ts: int, size_s: int) -> list[int]:
    size = size_s * 1000
    return [ts - ts % size]


def hop(ts: int, slide_s: int, size_s: int) -> list[int]:
    slide, size = slide_s * 1000, size_s * 1000
    last = ts - ts % slide
    return [last - k * slide for k in range(size // slide) if last - k * slide + size > ts]


def counts(tweets: Iterable[Tweet], windows: Any, key: Any = lambda t: ()) -> Counter:
    result: Counter = Counter()
    for tweet in tweets:
        for start in windows(tweet["timestamp_ms"]):
            for k in key(tweet):
                result[(start, k)] += 1
    return result


def top_n(
    grouped: Counter, n: int, label: Any = lambda k: k
) -> dict[tuple[int, int], tuple[Any, int]]:
    per_window: dict[int, list[tuple[int, Any]]] = defaultdict(list)
    for (start, key), count in grouped.items():
        per_window[start].append((-count, label(key), key))
    ranked = {}
    for start, rows in per_window.items():
        for rank, (neg, _, key) in enumerate(sorted(rows)[:n], start=1):
            ranked[(start, rank)] = (key, -neg)
    return ranked


def expected(tweets: list[Tweet], w: Windows = Windows()) -> dict[str, Any]:
    one = lambda t: [None]  # noqa: E731 - a key function that groups everything together
    rate = {
        (w.tweet_rate_s, s): c
        for (s, _), c in counts(tweets, lambda ts: tumble(ts, w.tweet_rate_s), one).items()
    }
    rate.update(
        {(60, s): c for (s, _), c in counts(tweets, lambda ts: tumble(ts, 60), one).items()}
    )
    names = {t["user"]["id_str"]: t["user"]["screen_name"] for t in tweets}
    author = lambda t: [t["user"]["id_str"]]  # noqa: E731
    authors = {}
    for kind, windows in (
        ("tumble", lambda ts: tumble(ts, w.author_tumble_s)),
        ("hop", lambda ts: hop(ts, w.rolling_slide_s, w.rolling_s)),
    ):
        ranked = top_n(counts(tweets, windows, author), w.top_authors, label=lambda k: names[k])
        for (start, rank), (user_id, count) in ranked.items():
            authors[(kind, start, rank)] = (user_id, names[user_id], count)
    hashtags = lambda t: [h["text"].lower() for h in t["entities"]["hashtags"]]  # noqa: E731
    latest: dict[str, Tweet] = {}
    for tweet in tweets:
        seen = latest.get(tweet["user"]["id_str"])
        if seen is None or tweet["timestamp_ms"] > seen["timestamp_ms"]:
            latest[tweet["user"]["id_str"]] = tweet
    return {
        "tweet_rate": rate,
        "tweet_rolling": {
            s: c
            for (s, _), c in counts(
                tweets, lambda ts: hop(ts, w.rolling_slide_s, w.rolling_s), one
            ).items()
        },
        "author_counts": authors,
        "top_hashtags": top_n(
            counts(tweets, lambda ts: hop(ts, w.hashtag_slide_s, w.hashtag_s), hashtags),
            w.top_hashtags,
        ),
        "languages": dict(
            counts(tweets, lambda ts: tumble(ts, w.count_s), lambda t: [t["lang"] or "und"])
        ),
        "cashtags": dict(
            counts(
                tweets,
                lambda ts: tumble(ts, w.count_s),
                lambda t: [s["text"].upper() for s in t["entities"]["symbols"]],
            )
        ),
        "live_tweets": {
            t["id_str"]: (
                t["timestamp_ms"],
                t["user"]["screen_name"],
                t["text"],
                [h["text"] for h in t["entities"]["hashtags"]],
                t["lang"] or "und",
                t["retweeted_status"] is not None,
            )
            for t in tweets
        },
        "users": {
            user_id: (
                t["user"]["screen_name"],
                t["user"]["followers_count"],
                t["user"]["verified"],
                t["timestamp_ms"],
            )
            for user_id, t in latest.items()
        },
    }
