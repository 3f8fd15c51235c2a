"""An independent, plain-Python computation of every query's results from the same tweets.

Semantics, as documented in docs/queries.md: event-time windows aligned to the epoch (UTC);
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

import regex

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
    top_related: int = 10
    top_influencers: int = 5
    top_words: int = 20
    top_entities: int = 10


URL_OR_TAG = regex.compile(r"(https?://[^ \t\n\f\r]+)|([#@\uFF03\uFF20][^ \t\n\f\r]*)")
NOT_WORD = regex.compile(r"[^\p{L}\p{M}\p{Nd}]+")


def words(text: str, stop_words: set[str]) -> list[str]:
    cleaned = NOT_WORD.sub(" ", URL_OR_TAG.sub(" ", text.lower()))
    return [w for w in cleaned.split(" ") if len(w) > 1 and w not in stop_words]


def tracked(tweet: Tweet, terms: list[str], domains_regex: str) -> list[str]:
    if tweet["retweeted_status"] is not None:
        return []
    urls = " ".join(u["expanded_url"] for u in tweet["entities"]["urls"])
    if domains_regex and not regex.search(domains_regex, urls):
        return []
    return [term for term in terms if term and term in tweet["text"].lower()]


HOST = regex.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://([^@/?#]*@)?([^:/?#]+)")


def domains(tweet: Tweet) -> list[str]:
    found = []
    for url in tweet["entities"]["urls"]:
        match = HOST.match(url["expanded_url"])
        if match and match.group(2):
            found.append(regex.sub(r"^www[.]", "", match.group(2).lower()))
    return found


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


def per_hashtag_top_n(grouped: Counter, n: int, label: Any) -> dict[tuple, tuple]:
    """Top-n per (window, hashtag): grouped keys are (start, (hashtag, other))."""
    regrouped: Counter = Counter()
    for (start, (tag, other)), value in grouped.items():
        regrouped[((start, tag), other)] = value
    return {
        (start, tag, rank): value
        for ((start, tag), rank), value in top_n(regrouped, n, label).items()
    }


def expected(
    tweets: list[Tweet],
    w: Windows = Windows(),
    stop_words: set[str] = frozenset(),
    terms: list[str] = (),
    domains_regex: str = "",
) -> dict[str, Any]:
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
    hopping_tags = lambda ts: hop(ts, w.hashtag_slide_s, w.hashtag_s)  # noqa: E731
    pairs = lambda t: [(a, b) for a in hashtags(t) for b in hashtags(t) if a != b]  # noqa: E731
    followers: Counter = Counter()
    for tweet in tweets:
        for start in hopping_tags(tweet["timestamp_ms"]):
            for tag in hashtags(tweet):
                key = (start, (tag, tweet["user"]["id_str"]))
                followers[key] = max(followers[key], tweet["user"]["followers_count"])
    influencers = per_hashtag_top_n(followers, w.top_influencers, label=lambda k: names[k])
    top_hashtags = top_n(counts(tweets, hopping_tags, hashtags), w.top_hashtags)
    # related hashtags and influencers only for each window's top hashtags
    leading = {(start, tag) for (start, _), (tag, _) in top_hashtags.items()}
    related = per_hashtag_top_n(counts(tweets, hopping_tags, pairs), w.top_related, lambda k: k)
    tracked_rows = [(t, term) for t in tweets for term in tracked(t, list(terms), domains_regex)]
    return {
        "related_hashtags": {k: v for k, v in related.items() if k[:2] in leading},
        "influencers": {
            key: (user_id, names[user_id], n)
            for key, (user_id, n) in influencers.items()
            if key[:2] in leading
        },
        "word_counts": top_n(
            counts(
                tweets, lambda ts: tumble(ts, w.count_s), lambda t: words(t["text"], stop_words)
            ),
            w.top_words,
        ),
        "tracked_counts": dict(
            Counter((tumble(t["timestamp_ms"], w.count_s)[0], term) for t, term in tracked_rows)
        ),
        "tracked_route": sorted((term, t["id_str"]) for t, term in tracked_rows),
        "tweet_rate": rate,
        "tweet_rolling": {
            s: c
            for (s, _), c in counts(
                tweets, lambda ts: hop(ts, w.rolling_slide_s, w.rolling_s), one
            ).items()
        },
        "author_counts": authors,
        "top_hashtags": top_hashtags,
        "top_mentions": top_n(
            counts(
                tweets,
                lambda ts: tumble(ts, w.count_s),
                lambda t: [m["screen_name"].lower() for m in t["entities"]["user_mentions"]],
            ),
            w.top_entities,
        ),
        "top_domains": top_n(
            counts(tweets, lambda ts: tumble(ts, w.count_s), domains), w.top_entities
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


def sentiment(tweets: list[Tweet], w: Windows = Windows()) -> dict[str, Any]:
    """The sentiment queries' results; scores from flink_jobs.sentiment.score (VADER), the
    aggregation and ranking computed here."""
    from flink_jobs.sentiment import score

    scored = [(t, score(t["text"], t["lang"] or "und")) for t in tweets]
    labels = ("positive", "negative", "neutral", "mixed")

    def summary(rows: list[tuple[Any, ...]]) -> tuple[Any, ...]:
        known = [r for r in rows if r[0] is not None]
        mean = lambda i: sum(r[i] for r in known) / len(known) if known else None  # noqa: E731
        per_label = tuple(sum(1 for r in known if r[0] == name) for name in labels)
        return (len(rows), len(known), mean(4), mean(1), mean(2), mean(3), *per_label)

    windows: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    tagged: dict[tuple[int, str], list[tuple[Any, ...]]] = defaultdict(list)
    for tweet, result in scored:
        start = tumble(tweet["timestamp_ms"], w.count_s)[0]
        windows[start].append(result)
        for h in tweet["entities"]["hashtags"]:
            tagged[(start, h["text"].lower())].append(result)
    per_window: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for (start, tag), rows in tagged.items():
        per_window[start].append((-len(rows), tag))
    hashtag_rows = {}
    for start, ranked in per_window.items():
        for rank, (_, tag) in enumerate(sorted(ranked)[: w.top_hashtags], start=1):
            total, known, compound, _, _, _, *per_label = summary(tagged[(start, tag)])
            hashtag_rows[(start, rank)] = (tag, total, known, compound, *per_label)
    return {
        "sentiment": {start: summary(rows) for start, rows in windows.items()},
        "hashtag_sentiment": hashtag_rows,
    }
