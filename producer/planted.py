"""Labelled events planted in the synthetic stream: ground truth for trending (bench.trending).

Each event adds its own tweets on top of the generator's background traffic, and is written
down as a label: what it is, its key as trending names it ('#eclipse', or a phrase 'solar
eclipse'), when it starts, peaks and ends, and how many tweets per minute at its peak.

- burst: a real event. From its onset its volume rises linearly to the peak over its ramp,
  then falls linearly to nothing at its end; every tweet from a different random author of the
  generator's users. Trending should rank it, early.
- evergreen: a tag with a steady high volume all along, from many authors (#news, #music):
  what plain top-N shows every hour. Trending should not rank it.
- spam: one account posting a tag over and over for a while: volume without an audience.
  Trending counts distinct authors and should not rank it.
- campaign: a copy-paste campaign: many new accounts posting the same text, once each, over
  a few minutes. It looks like a burst of many authors (labelled, reported on its own).
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from typing import Any

from producer.convert import SCHEMA_VERSION, created_at_v1

KINDS = ("burst", "evergreen", "spam", "campaign")
MINUTE_MS = 60_000


@dataclass(frozen=True)
class PlantedEvent:
    kind: str
    key: str  # '#tag' for a hashtag, else a phrase of two words
    onset_ms: int
    peak_ms: int
    end_ms: int
    peak_per_minute: int  # tweets per minute at the peak (evergreen: all along)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"planted event kind {self.kind!r}: one of {', '.join(KINDS)}")
        if not self.onset_ms <= self.peak_ms <= self.end_ms or self.onset_ms == self.end_ms:
            raise ValueError(f"planted event {self.key}: onset <= peak <= end, onset < end")

    def label(self) -> dict[str, Any]:
        return asdict(self)

    def rate(self, at_ms: float) -> float:
        """Tweets per minute at this moment."""
        if not self.onset_ms <= at_ms < self.end_ms:
            return 0.0
        if self.kind != "burst":  # steady from start to end
            return float(self.peak_per_minute)
        if at_ms < self.peak_ms:
            return self.peak_per_minute * (at_ms - self.onset_ms) / (self.peak_ms - self.onset_ms)
        return self.peak_per_minute * (self.end_ms - at_ms) / max(self.end_ms - self.peak_ms, 1)


BURST_PHRASES = (
    "solar eclipse", "power outage", "transfer window", "election night", "server down",
    "meteor shower", "goal scored", "flood warning", "album release", "trade deadline",
    "volcano erupts", "final whistle", "rocket launch", "market crash", "heat wave",
    "peace talks", "space walk", "box office", "penalty shootout", "river rising",
    "ferry strike", "bridge closed", "vaccine approved", "chess upset",
)  # fmt: skip
EVERGREEN_TAGS = ("#news", "#nowplaying", "#music")
CAMPAIGN_TEXT = "Everyone must see this, share now"


def scenario(
    start_ms: int, minutes: int, seed: int = 7, scale: float = 1.0
) -> tuple[PlantedEvent, ...]:
    """The standard labelled scenario over `minutes` of event time from start_ms: after a
    half-hour warm-up, a burst every 12 minutes (hashtags and phrases alternating; ramps of 1
    to 10 minutes; peaks of 30 to 300 tweets a minute; 10 to 40 minutes long), three evergreen
    tags all along (150 tweets a minute each), a single-account spam flood every 40 minutes
    (10 minutes at 120 a minute) and a copy-paste campaign every 60 minutes. `scale`
    multiplies every rate (a smaller stream for a smoke run)."""
    rng = random.Random(seed)
    rate = lambda per_minute: max(1, round(per_minute * scale))  # noqa: E731
    events: list[PlantedEvent] = [
        PlantedEvent(
            "evergreen", tag, start_ms, start_ms, start_ms + minutes * MINUTE_MS, rate(150)
        )
        for tag in EVERGREEN_TAGS
    ]
    warm_up = 30
    for n, minute in enumerate(range(warm_up, minutes - 15, 12)):
        phrase = BURST_PHRASES[n % len(BURST_PHRASES)]
        key = "#" + phrase.replace(" ", "") if n % 2 == 0 else phrase
        onset = start_ms + minute * MINUTE_MS + rng.randrange(MINUTE_MS)
        ramp = rng.randint(1, 10) * MINUTE_MS
        length = max(rng.randint(10, 40) * MINUTE_MS, ramp + 5 * MINUTE_MS)
        events.append(
            PlantedEvent(
                "burst", key, onset, onset + ramp, onset + length, rate(rng.randint(30, 300))
            )
        )
    for n, minute in enumerate(range(warm_up + 5, minutes - 10, 40)):
        onset = start_ms + minute * MINUTE_MS + rng.randrange(MINUTE_MS)
        events.append(
            PlantedEvent("spam", f"#freecoins{n}", onset, onset, onset + 10 * MINUTE_MS, rate(120))
        )
    for n, minute in enumerate(range(warm_up + 20, minutes - 10, 60)):
        onset = start_ms + minute * MINUTE_MS + rng.randrange(MINUTE_MS)
        events.append(
            PlantedEvent("campaign", f"#voteyes{n}", onset, onset, onset + 5 * MINUTE_MS, rate(60))
        )
    return tuple(sorted(events, key=lambda e: e.onset_ms))


def _tweet(
    event: PlantedEvent, at_ms: int, author: dict[str, Any], id_str: str, body: list[str]
) -> dict[str, Any]:
    """A tweet of the event: the background's words around its phrase or with its hashtag,
    so only the event's own key stands out; a campaign's text is always the same."""
    hashtag = event.key[1:] if event.key.startswith("#") else None
    if event.kind == "campaign":
        text = f"{CAMPAIGN_TEXT} #{hashtag}"
    elif hashtag:
        text = " ".join([*body, f"#{hashtag}"])
    else:
        middle = len(body) // 2
        text = " ".join([*body[:middle], event.key, *body[middle:]])
    return {
        "schema_version": SCHEMA_VERSION,
        "id_str": id_str,
        "created_at": created_at_v1(at_ms),
        "timestamp_ms": at_ms,
        "text": text,
        "lang": "en",
        "source": "tweetflow-synthetic",
        "user": author,
        "entities": {
            "hashtags": [{"text": hashtag}] if hashtag else [],
            "user_mentions": [],
            "urls": [],
            "symbols": [],
        },
        "retweeted_status": None,
        "is_quote_status": False,
        "quoted_status_id_str": None,
        "in_reply_to_screen_name": None,
        "in_reply_to_status_id_str": None,
    }


def _account(name: str, id_str: str, followers: int) -> dict[str, Any]:
    return {
        "id_str": id_str, "screen_name": name, "name": name, "followers_count": followers,
        "friends_count": 0, "statuses_count": 1, "verified": False, "location": None,
        "description": None,
    }  # fmt: skip


def event_tweets(
    event: PlantedEvent,
    number: int,
    users: list[dict[str, Any]],
    words: list[str],
    seed: int,
    first_id: int,
) -> Iterator[dict[str, Any]]:
    """The event's tweets in time order: its rate integrated second by second, each tweet at a
    random millisecond of its second. Authors: the generator's users at random for bursts and
    evergreens, one account for spam, new accounts for a campaign."""
    rng = random.Random(f"{seed}:{number}")
    owed = 0.0
    n = 0
    for second_ms in range(event.onset_ms, event.end_ms, 1000):
        owed += event.rate(second_ms + 500) / 60
        due = int(owed)
        owed -= due
        for at_ms in sorted(second_ms + rng.randrange(1000) for _ in range(due)):
            if event.kind == "spam":
                author = _account(f"spammer_{number}", str(9_000_000 + number), 3)
            elif event.kind == "campaign":
                account = 8_000_000 + number * 100_000 + n
                author = _account(f"fresh_{number}_{n}", str(account), 0)
            else:
                author = users[rng.randrange(len(users))]
            body = rng.choices(words, k=rng.randint(3, 8))
            yield _tweet(event, at_ms, author, str(first_id + number * 10_000_000 + n), body)
            n += 1


def planted_tweets(
    events: tuple[PlantedEvent, ...],
    users: list[dict[str, Any]],
    words: list[str],
    seed: int,
    first_id: int,
) -> Iterator[dict[str, Any]]:
    """Every event's tweets, merged in time order; `words` make their texts."""
    streams = [
        event_tweets(event, number, users, words, seed, first_id)
        for number, event in enumerate(events)
    ]
    return heapq.merge(*streams, key=lambda t: t["timestamp_ms"])
