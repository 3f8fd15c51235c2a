"""An independent, plain-Python computation of every query's results from the same tweets.

Semantics, as documented in docs/queries.md: event-time windows aligned to the epoch (UTC);
a hopping window of size S sliding by D holds every tweet with start <= t < start + S; top-N
ranks by count descending, ties broken by the secondary key ascending (screen name, hashtag)
in code-point order, which is the byte order Flink compares strings in; hashtags lower-cased,
cashtags upper-cased, unknown language 'und'; each occurrence of a tag in a tweet counts.
"""

from __future__ import annotations

import itertools
import math
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
    trend_slide_s: int = 60
    trend_span_buckets: int = 30
    trend_min_authors: int = 10
    trend_enter_score: float = 5.0
    trend_exit_score: float = 2.0
    trend_floor: int = 2
    trend_memory_buckets: int = 120
    top_trends: int = 10


URL_OR_TAG = regex.compile(r"(https?://[^ \t\n\f\r]+)|([#@\uFF03\uFF20][^ \t\n\f\r]*)")
NOT_WORD = regex.compile(r"[^\p{L}\p{M}\p{Nd}]+")


def words(text: str, stop_words: set[str]) -> list[str]:
    cleaned = NOT_WORD.sub(" ", URL_OR_TAG.sub(" ", text.lower()))
    return [w for w in cleaned.split(" ") if len(w) > 1 and w not in stop_words]


def trend_keys(tweet: Tweet, stop_words: set[str]) -> set[str]:
    """Its hashtags ('#' and lower-cased), words and pairs of consecutive words."""
    found = {"#" + h["text"].lower() for h in tweet["entities"]["hashtags"]}
    kept = words(tweet["text"], stop_words)
    found.update(kept)
    found.update(f"{a} {b}" for a, b in itertools.pairwise(kept))
    return found


QUIET, EMERGING, PEAKING, FADING = "quiet", "emerging", "peaking", "fading"


@dataclass
class _Trend:
    mean: float
    variance: float = 0.0
    phase: str = QUIET
    peak: int = 0
    since: int = 0


def _trend_rows(buckets: dict[int, tuple[int, int]], w: Windows, seed_end: int) -> list[tuple]:
    """One key's trending rows, (bucket end, phase, score, authors, tweets, baseline, peak,
    since), from its (authors, tweets) per bucket end: a missing bucket counts 0 authors (and
    so ends a trend: its score is below 0); a key with no bucket for more than the memory is
    forgotten. A key's first bucket seeds its baseline when it is the job's second bucket
    (seed_end); otherwise a new key starts from a baseline of 0."""
    slide = w.trend_slide_s * 1000
    alpha = 2.0 / (w.trend_span_buckets + 1.0)
    rows: list[tuple] = []
    state: _Trend | None = None
    previous = 0
    for end in sorted(buckets):
        authors, tweets = buckets[end]
        if state is not None and end - previous > w.trend_memory_buckets * slide:
            state = None
        if state is None and end == seed_end:
            state, previous = _Trend(mean=float(authors)), end
            continue
        if state is None:
            state = _Trend(mean=0.0)
        else:
            for _ in range((end - previous) // slide - 1):
                _step(state, 0, alpha, w)
        previous = end
        mean = state.mean
        score = _step(state, authors, alpha, w, end)
        if state.phase != QUIET:
            rows.append((end, state.phase, score, authors, tweets, mean, state.peak, state.since))
    return rows


def _step(state: _Trend, authors: int, alpha: float, w: Windows, end: int = 0) -> float:
    """Scores a bucket against the baseline, moves the phase, then adds it to the baseline
    (one that stands out: to the mean only, clipped at the exit score)."""
    x = float(authors)
    mean = state.mean
    deviation = math.sqrt(max(state.variance, mean) + 1.0)
    score = (x - mean) / deviation
    if state.phase == QUIET:
        if score >= w.trend_enter_score and authors >= w.trend_min_authors:
            state.phase, state.peak, state.since = EMERGING, authors, end
    elif score < w.trend_exit_score:
        state.phase, state.peak, state.since = QUIET, 0, 0
    elif authors > state.peak:
        state.peak = authors
        state.phase = EMERGING if state.phase == EMERGING else PEAKING
    elif 2 * authors <= state.peak:
        state.phase = FADING
    elif state.phase == EMERGING:
        state.phase = PEAKING
    ceiling = mean + w.trend_exit_score * deviation
    if x > ceiling:
        state.mean = mean + alpha * (ceiling - mean)
    else:
        diff = x - mean
        increment = alpha * diff
        state.mean = mean + increment
        state.variance = (1.0 - alpha) * (state.variance + diff * increment)
    return score


def trending(tweets: list[Tweet], w: Windows, stop_words: set[str]) -> dict[tuple, tuple]:
    """{(bucket start, rank): (term, kind, phase, score, authors, tweets, baseline, peak,
    since)}: the top trending keys of each bucket, by score, ties by key; score and baseline
    rounded to 9 decimals (as tests/support/pipeline_results.py reads them)."""
    slide = w.trend_slide_s * 1000
    authors: dict[tuple[str, int], set[str]] = defaultdict(set)
    mentions: Counter = Counter()
    for tweet in tweets:
        end = tumble(tweet["timestamp_ms"], w.trend_slide_s)[0] + slide
        for key in trend_keys(tweet, stop_words):
            authors[(key, end)].add(tweet["user"]["id_str"])
            mentions[(key, end)] += 1
    per_key: dict[str, dict[int, tuple[int, int]]] = defaultdict(dict)
    counted = {end for (key, end), who in authors.items() if len(who) >= w.trend_floor}
    # The job's first bucket is not counted (it is most likely partial); its second seeds.
    first = min(counted, default=0)
    for (key, end), who in authors.items():
        if len(who) >= w.trend_floor and end != first:
            per_key[key][end] = (len(who), mentions[(key, end)])
    per_bucket: dict[int, list[tuple]] = defaultdict(list)
    for key, buckets in per_key.items():
        for end, *rest in _trend_rows(buckets, w, first + slide):
            per_bucket[end].append((key, *rest))
    ranked = {}
    for end, rows in per_bucket.items():
        ordered = sorted(rows, key=lambda r: (-r[2], r[0]))[: w.top_trends]
        for rank, (key, phase, score, n, tweets_, baseline, peak, since) in enumerate(
            ordered, start=1
        ):
            kind = "hashtag" if key.startswith("#") else "phrase" if " " in key else "word"
            ranked[(end - slide, rank)] = (
                key, kind, phase, round(score, 9), n, tweets_, round(baseline, 9), peak, since,
            )  # fmt: skip
    return ranked


def most_per_minute(
    ranked: dict[tuple, tuple], keys: int, each_minute: bool = False
) -> dict[tuple[int, str], int]:
    """The most distinct authors per minute (buckets may be shorter) of the `keys` trending keys
    with the most in any bucket (ties by key), or in each minute: what a dashboard's
    per-minute lines of the trending index show (Grafana's, Kibana's)."""
    most: dict[tuple[int, str], int] = {}
    for (start, _), (term, _, _, _, authors, *_) in ranked.items():
        key = (start - start % 60_000, term)
        most[key] = max(most.get(key, 0), authors)
    if each_minute:
        minutes: dict[int, list[tuple[int, str]]] = defaultdict(list)
        for (minute, term), authors in most.items():
            minutes[minute].append((-authors, term))
        shown_each = {(m, t) for m, rows in minutes.items() for _, t in sorted(rows)[:keys]}
        return {key: n for key, n in most.items() if key in shown_each}
    peaks: dict[str, int] = {}
    for (_, term), authors in most.items():
        peaks[term] = max(peaks.get(term, 0), authors)
    shown = set(sorted(peaks, key=lambda t: (-peaks[t], t))[:keys])
    return {key: n for key, n in most.items() if key[1] in shown}


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
        "trending": trending(tweets, w, stop_words),
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
