"""`tweetflow watch`: the dashboards in a terminal, refreshed from Elasticsearch.

Plain text and a handful of ANSI cursor controls, so it works over SSH and in any terminal
multiplexer. `fetch` reads what the SQL job wrote, `render` lays it out (a pure function of the
snapshot and the terminal width), `run` repeats both until Ctrl-C. Every string that came from
a tweet goes through `terminal_text.safe` before it reaches the screen.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, TextIO

from elasticsearch import Elasticsearch
from elasticsearch import exceptions as es_errors

from tweetflow.core.es_connection import connect
from tweetflow.core.settings import Settings
from tweetflow.ops.terminal_text import clip, pad, safe, sparkline, width

RATE_WINDOWS = 40  # two-second windows in the sparkline: the last 80 s
VOLUME_MINUTES = 60
TRENDS = 5  # trends shown, each with its distinct authors over the last TREND_MINUTES
TREND_MINUTES = 15


@dataclass(frozen=True)
class Ranked:
    name: str
    value: int


@dataclass(frozen=True)
class Trend:
    term: str
    phase: str
    score: float
    authors: int
    baseline: float
    spark: list[int]  # distinct authors per bucket while ranked, oldest first (0: not ranked)


@dataclass(frozen=True)
class Tweet:
    at_ms: int
    screen_name: str
    text: str


@dataclass
class Snapshot:
    """What one refresh read; empty lists where the job has written nothing yet."""

    hashtag: str = ""
    rate: list[int] = field(default_factory=list)  # tweets per 2 s, oldest first
    rate_end_ms: int = 0
    rolling_minute: int | None = None
    tops: list[Ranked] = field(default_factory=list)  # top hashtags, or related ones
    tops_window: tuple[int, int] | None = None
    authors: list[Ranked] = field(default_factory=list)  # top authors, or influencers
    authors_window: tuple[int, int] | None = None
    tweets: list[Tweet] = field(default_factory=list)  # newest first
    volume: list[int] = field(default_factory=list)  # hashtag view: tweets per minute
    trends: list[Trend] = field(default_factory=list)
    trends_window: tuple[int, int] | None = None


def ms(value: Any) -> int:
    if isinstance(value, int):
        return value
    return int(datetime.fromisoformat(str(value).replace("Z", "+00:00")).timestamp() * 1000)


def client(settings: Settings) -> Elasticsearch:
    """The view's Elasticsearch client: the stack's credentials, short timeouts and no client
    retries, since the view retries by itself and must stay responsive."""
    return connect(settings, timeout=5, max_retries=0)


# Windows that have ended by the clock. A live job fires a window only after it ends; a bounded
# run (`demo`, `job run --bounded`) fires every open one at the input's end, and an hour-long
# window ending in the future would otherwise stay "newest" over a live job's results.
ENDED = {"range": {"window_end": {"lte": "now"}}}


class Source:
    """The result indexes of one job (one index prefix) in one Elasticsearch."""

    def __init__(self, es: Elasticsearch, prefix: str = "tweetflow_") -> None:
        self.es, self.prefix = es, prefix

    def _hits(self, index: str, query: dict[str, Any], sort: list[Any], size: int) -> list[Any]:
        answer = self.es.search(
            index=f"{self.prefix}{index}",
            query=query,
            sort=sort,
            size=size,
            ignore_unavailable=True,
        )
        return [hit["_source"] for hit in answer["hits"]["hits"]]

    def _newest_ranking(
        self, index: str, filters: list[dict[str, Any]], name: str, value: str, size: int
    ) -> tuple[list[Ranked], tuple[int, int] | None]:
        """The top-N list of the newest window that has ended, as the job ranked it."""
        match = {"bool": {"filter": [*filters, ENDED]}}
        newest = self._hits(index, match, [{"window_start": "desc"}], 1)
        if not newest:
            return [], None
        start = newest[0]["window_start"]
        window = {"bool": {"filter": [*filters, {"term": {"window_start": start}}]}}
        docs = self._hits(index, window, [{"rank": "asc"}], size)
        ranked = [Ranked(safe(d[name]), int(d[value])) for d in docs]
        return ranked, (ms(start), ms(newest[0]["window_end"]))

    def _tweets(self, filters: list[dict[str, Any]], size: int) -> list[Tweet]:
        query = {"bool": {"filter": filters}} if filters else {"match_all": {}}
        docs = self._hits("live_tweets-*", query, [{"created_at": "desc"}], size)
        return [
            Tweet(ms(d["created_at"]), safe(d["screen_name"]), safe(d["tweet_text"])) for d in docs
        ]

    def _rate(self, snap: Snapshot) -> None:
        query = {"bool": {"filter": [{"term": {"window_seconds": 2}}, ENDED]}}
        docs = self._hits("tweet_rate", query, [{"window_start": "desc"}], RATE_WINDOWS)
        if not docs:
            return
        counts = {ms(d["window_start"]): int(d["tweets"]) for d in docs}
        newest = max(counts)
        # Windows without tweets have no document: they are zeros in the line.
        starts = range(newest - (RATE_WINDOWS - 1) * 2000, newest + 1, 2000)
        snap.rate = [counts.get(s, 0) for s in starts]
        snap.rate_end_ms = newest + 2000
        rolling = self._hits("tweet_rolling", ENDED, [{"window_start": "desc"}], 1)
        snap.rolling_minute = int(rolling[0]["tweets"]) if rolling else None

    def _volume(self, hashtag: str, newest_ms: int) -> list[int]:
        start = newest_ms - newest_ms % 60_000 - (VOLUME_MINUTES - 1) * 60_000
        answer = self.es.search(
            index=f"{self.prefix}live_tweets-*",
            size=0,
            query={
                "bool": {
                    "filter": [
                        {"term": {"hashtags": hashtag}},
                        {"range": {"created_at": {"gte": start}}},
                    ]
                }
            },
            aggs={"m": {"date_histogram": {"field": "created_at", "fixed_interval": "1m"}}},
            ignore_unavailable=True,
        )
        buckets = answer.get("aggregations", {}).get("m", {}).get("buckets", [])
        counts = {int(b["key"]): int(b["doc_count"]) for b in buckets}
        return [counts.get(start + i * 60_000, 0) for i in range(VOLUME_MINUTES)]

    def _trending(self, snap: Snapshot) -> None:
        """The newest ended minute's top trends, each with its authors in the minutes before
        (from the same index: a trend's volume while it ranked)."""
        newest = self._hits("trending", ENDED, [{"window_start": "desc"}], 1)
        if not newest:
            return
        start, end = ms(newest[0]["window_start"]), ms(newest[0]["window_end"])
        slide = end - start
        first = start - (TREND_MINUTES - 1) * slide
        # The ranked rows of the last TREND_MINUTES buckets, newest first (so the newest
        # bucket's whole ranking is among them).
        recent = {"range": {"window_start": {"gte": first, "lte": start}}}
        order = [{"window_start": "desc"}, {"rank": "asc"}]
        rows = self._hits("trending", recent, order, TREND_MINUTES * 10)
        authors = {(h["term"], ms(h["window_start"])): int(h["authors"]) for h in rows}
        docs = [h for h in rows if ms(h["window_start"]) == start][:TRENDS]
        spark = lambda term: [  # noqa: E731
            authors.get((term, first + n * slide), 0) for n in range(TREND_MINUTES)
        ]
        snap.trends = [
            Trend(safe(d["term"]), safe(d["phase"]), float(d["score"]), int(d["authors"]),
                  float(d["baseline"]), spark(d["term"]))
            for d in docs
        ]  # fmt: skip
        snap.trends_window = (start, end)

    def snapshot(self, hashtag: str = "", tweets: int = 8) -> Snapshot:
        snap = Snapshot(hashtag=hashtag)
        self._rate(snap)
        if not hashtag:
            snap.tops, snap.tops_window = self._newest_ranking(
                "top_hashtags", [], "hashtag", "tweets", 10
            )
            hop = [{"term": {"window_kind": "hop"}}]
            snap.authors, snap.authors_window = self._newest_ranking(
                "author_counts", hop, "screen_name", "tweets", 5
            )
            snap.tweets = self._tweets([], tweets)
            self._trending(snap)
            return snap
        tag = [{"term": {"hashtag": hashtag}}]
        snap.tops, snap.tops_window = self._newest_ranking(
            "related_hashtags", tag, "related", "tweets", 10
        )
        snap.authors, snap.authors_window = self._newest_ranking(
            "influencers", tag, "screen_name", "followers", 5
        )
        snap.tweets = self._tweets([{"term": {"hashtags": hashtag}}], tweets)
        if snap.tweets:
            snap.volume = self._volume(hashtag, snap.tweets[0].at_ms)
        return snap


def clock(at_ms: int, seconds: bool = True) -> str:
    moment = datetime.fromtimestamp(at_ms / 1000, tz=timezone.utc)
    return moment.strftime("%H:%M:%S" if seconds else "%H:%M")


def _span(window: tuple[int, int] | None) -> str:
    return f"{clock(window[0], False)} to {clock(window[1], False)}" if window else "no data yet"


def _ranking(title: str, rows: list[Ranked], prefix: str, columns: int) -> list[str]:
    lines = [pad(title, columns)]
    for n, row in enumerate(rows, start=1):
        figure = f"{row.value:,}"
        label = clip(f"{n:>2} {prefix}{row.name}", columns - len(figure) - 1)
        lines.append(pad(label, columns - len(figure)) + figure)
    if not rows:
        lines.append(pad("   (nothing yet)", columns))
    return lines


def _trends(snap: Snapshot, columns: int) -> list[str]:
    """Each trend: its phase, its authors per minute while it ranked, its authors against its
    usual (the baseline) and its score."""
    lines = [pad(f"Trending now ({_span(snap.trends_window)})", columns)]
    for n, trend in enumerate(snap.trends, start=1):
        head = pad(clip(f"{n:>2} {trend.term}", 24), 24)
        usual = f"{trend.authors:,} (usual {trend.baseline:,.0f}) z {trend.score:.1f}"
        lines.append(clip(f"{head} {trend.phase:<8} {sparkline(trend.spark)} {usual}", columns))
    if not snap.trends:
        lines.append("   (nothing trending)")
    return [*lines, ""]


def render(
    snap: Snapshot | None,
    columns: int,
    now_ms: int,
    header: str,
    problem: str = "",
    stale_since_ms: int = 0,
) -> list[str]:
    """The screen, one string per line, none wider than `columns` cells."""
    columns = max(columns, 40)
    stamp = f"{clock(now_ms)} UTC"
    title = clip(header, columns - len(stamp) - 2)
    lines = [pad(title, columns - len(stamp)) + stamp, "─" * columns]
    if problem:
        lines += [clip(f"! {line}", columns) for line in problem.splitlines()]
        if snap is not None and stale_since_ms:
            lines.append(clip(f"  showing what was read at {clock(stale_since_ms)} UTC", columns))
        lines.append("")
    if snap is None:
        return lines
    spark_cells = min(RATE_WINDOWS, columns - 30)
    if snap.rate:
        rate = snap.rate[-spark_cells:]
        last = f"last {rate[-1]:,} · max {max(rate):,}"
        lines.append(clip(f"Tweets per 2 s  {sparkline(rate)}  {last}", columns))
        minute = "" if snap.rolling_minute is None else f"{snap.rolling_minute:,} tweets, "
        lines.append(
            clip(f"Last minute     {minute}newest window ends {clock(snap.rate_end_ms)}", columns)
        )
    else:
        lines.append("Tweets per 2 s  (no windows yet: is the job running?)")
    if snap.hashtag:
        total = sum(snap.volume)
        lines.append(
            clip(
                f"#{snap.hashtag} per minute  {sparkline(snap.volume[-spark_cells:])}  "
                f"{total:,} in the last hour",
                columns,
            )
        )
    lines.append("")
    if not snap.hashtag:
        lines += _trends(snap, columns)
    half = (columns - 2) // 2
    if snap.hashtag:
        left = _ranking(
            f"Used with #{snap.hashtag} ({_span(snap.tops_window)})", snap.tops, "#", half
        )
        right = _ranking(f"Most-followed users of #{snap.hashtag}", snap.authors, "@", half)
    else:
        left = _ranking(f"Top hashtags ({_span(snap.tops_window)})", snap.tops, "#", half)
        right = _ranking(f"Top authors ({_span(snap.authors_window)})", snap.authors, "@", half)
    blank = " " * half
    for n in range(max(len(left), len(right))):
        row = (left[n] if n < len(left) else blank) + "  " + (right[n] if n < len(right) else "")
        lines.append(row.rstrip())
    lines.append("")
    lines.append(f"Newest tweets with #{snap.hashtag}" if snap.hashtag else "Newest tweets")
    for tweet in snap.tweets:
        lines.append(clip(f"{clock(tweet.at_ms)} @{tweet.screen_name}  {tweet.text}", columns))
    if not snap.tweets:
        lines.append("  (none yet)")
    return [line if width(line) <= columns else clip(line, columns) for line in lines]


def describe(exc: Exception, url: str) -> str:
    """What went wrong, said for a person: no traceback, no credentials."""
    if isinstance(exc, (es_errors.ConnectionError, es_errors.ConnectionTimeout)):
        return (
            f"Elasticsearch at {url} is unreachable; retrying.\nIs it up? `tweetflow stack status`"
        )
    if isinstance(exc, es_errors.AuthenticationException):
        return (
            f"Elasticsearch at {url} refused the credentials.\n"
            "Check TWEETFLOW_ES_USERNAME and TWEETFLOW_ES_PASSWORD(_FILE)."
        )
    if isinstance(exc, es_errors.TransportError):
        return f"Elasticsearch at {url} answered {exc.status_code}: {safe(exc.error)}"
    return f"reading Elasticsearch at {url} failed: {safe(type(exc).__name__)}: {safe(exc)}"


ENTER, LEAVE = "\x1b[?1049h\x1b[?25l", "\x1b[?25h\x1b[?1049l"  # alternate screen, cursor
HOME, CLEAR_LINE, CLEAR_BELOW = "\x1b[H", "\x1b[K", "\x1b[J"


def run(
    source: Source,
    url: str,
    hashtag: str = "",
    interval_s: float = 2.0,
    once: bool = False,
    out: TextIO = sys.stdout,
    columns: int | None = None,
) -> int:
    """Refresh until Ctrl-C (or once). Returns the exit status: 1 if the last read failed."""
    import shutil

    live = out.isatty() and not once
    view = f"#{hashtag}" if hashtag else "tweets"
    header = f"tweetflow watch · {view} · {url} · every {interval_s:g} s"
    snap: Snapshot | None = None
    read_at = 0
    if live:
        out.write(ENTER)
    try:
        while True:
            problem = ""
            try:
                snap, read_at = source.snapshot(hashtag), int(time.time() * 1000)
            except Exception as exc:  # any failure is shown and retried, never a traceback
                problem = describe(exc, url)
            width_now = columns or shutil.get_terminal_size((80, 24)).columns
            frame = render(snap, width_now, int(time.time() * 1000), header, problem, read_at)
            if live:
                out.write(HOME + "".join(line + CLEAR_LINE + "\r\n" for line in frame))
                out.write(CLEAR_BELOW)
            else:
                out.write("\n".join(frame) + "\n")
            out.flush()
            if once:
                return 1 if problem else 0
            time.sleep(interval_s)
    except KeyboardInterrupt:
        return 0
    finally:
        if live:
            out.write(LEAVE)
            out.flush()
