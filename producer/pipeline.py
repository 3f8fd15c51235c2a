"""Records from any source, converted, paced, counted and sent; bad ones dead-lettered.

A bad record never stops the producer and never disappears: it is counted, logged with its
source position and sent to the dead-letter topic with the reason.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol, TextIO

import orjson

from producer import convert

log = logging.getLogger("tweetflow.producer")
LOGGED_BAD_RECORDS = 20  # then only counted, so a broken archive cannot flood the log


@dataclass(frozen=True)
class RawRecord:
    position: str  # where it came from: file:line, stream:n, synthetic:n
    value: bytes | dict[str, Any]
    canonical: bool = False  # produced by tweetflow itself: skip conversion
    reject: str = ""  # the source already knows it is unusable: dead-letter it with this reason


class Sink(Protocol):
    def send(self, tweet: dict[str, Any]) -> None: ...
    def dead_letter(self, raw: Any, reason: str, position: str) -> None: ...


@dataclass
class Counters:
    read: int = 0
    sent: int = 0
    bad: int = 0


class Pacer:
    """Sleeps so that events go out at event-time speed / `speed` (None: as fast as possible)."""

    def __init__(self, speed: float | None) -> None:
        self.speed = speed
        self.first_event: int | None = None
        self.first_wall = 0.0

    def wait(self, timestamp_ms: int) -> None:
        if self.speed is None:
            return
        if self.first_event is None:
            self.first_event, self.first_wall = timestamp_ms, time.monotonic()
            return
        due = self.first_wall + (timestamp_ms - self.first_event) / 1000 / self.speed
        delay = due - time.monotonic()
        if delay > 0:
            time.sleep(delay)


class RateLimiter:
    """At most `rate` records per wall-clock second (None: unlimited)."""

    def __init__(self, rate: float | None) -> None:
        self.rate = rate
        self.start = time.monotonic()
        self.count = 0

    def wait(self) -> None:
        if not self.rate:
            return
        self.count += 1
        delay = self.start + self.count / self.rate - time.monotonic()
        if delay > 0:
            time.sleep(delay)


class Restamper:
    """Shifts event times so the first record is `now`, keeping the spacing between records."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.offset: int | None = None

    def apply(self, tweet: dict[str, Any]) -> dict[str, Any]:
        if not self.enabled:
            return tweet
        if self.offset is None:
            self.offset = int(time.time() * 1000) - tweet["timestamp_ms"]
        stamped = dict(tweet)
        stamped["timestamp_ms"] = tweet["timestamp_ms"] + self.offset
        stamped["created_at"] = convert.created_at_v1(stamped["timestamp_ms"])
        return stamped


class Progress:
    """A live status line on a terminal; silent when output is not a TTY."""

    def __init__(
        self,
        counters: Counters,
        stream: TextIO = sys.stderr,
        every_s: float = 0.5,
        extra: Callable[[], str] | None = None,
    ):
        self.counters, self.stream, self.every_s = counters, stream, every_s
        self.extra = extra  # a source's own figures, appended to the line
        self.enabled = stream.isatty()
        self.started = self.last = time.monotonic()
        self.last_sent = 0

    def tick(self, force: bool = False) -> None:
        now = time.monotonic()
        if not self.enabled or (not force and now - self.last < self.every_s):
            return
        rate = (self.counters.sent - self.last_sent) / max(now - self.last, 1e-9)
        self.last, self.last_sent = now, self.counters.sent
        extra = f"  {self.extra()}" if self.extra is not None else ""
        self.stream.write(
            f"\r{self.counters.sent:>12,} tweets  {rate:>10,.0f}/s  "
            f"{self.counters.bad:,} bad  {now - self.started:,.0f} s{extra} \x1b[K"
        )
        self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            self.tick(force=True)
            self.stream.write("\n")


def json_reason(exc: orjson.JSONDecodeError) -> str:
    """Why a record is not JSON, in words that say what is wrong with its bytes (the decoder's
    own say "str is not valid UTF-8: surrogates not allowed")."""
    message = str(exc)
    if "not valid UTF-8" in message:  # whatever the decoder names as the cause
        return "not JSON: its bytes are not valid UTF-8"
    if "surrogate" in message:
        return f"not JSON: a \\u escape of half a UTF-16 surrogate pair ({message})"
    return f"not JSON: {message}"


def run(
    records: Iterable[RawRecord],
    sink: Sink,
    *,
    speed: float | None = None,
    rate: float | None = None,
    restamp: bool = False,
    stop: threading.Event | None = None,
    progress: Progress | None = None,
    on_sent: Callable[[RawRecord], None] | None = None,
) -> Counters:
    counters = progress.counters if progress else Counters()
    pacer, limiter, restamper = Pacer(speed), RateLimiter(rate), Restamper(restamp)
    for record in records:
        if stop is not None and stop.is_set():
            break
        counters.read += 1
        try:
            if record.reject:
                raise convert.ConversionError(record.reject)
            if record.canonical and isinstance(record.value, dict):
                tweet = record.value
            else:
                parsed = (
                    record.value if isinstance(record.value, dict) else orjson.loads(record.value)
                )
                tweet = convert.to_canonical(parsed)
        except (orjson.JSONDecodeError, convert.ConversionError) as exc:
            reason = json_reason(exc) if isinstance(exc, orjson.JSONDecodeError) else str(exc)
            counters.bad += 1
            if counters.bad <= LOGGED_BAD_RECORDS:
                log.warning("dead-lettered %s: %s", record.position, reason)
            sink.dead_letter(record.value, reason, record.position)
            continue
        tweet = restamper.apply(tweet)
        pacer.wait(tweet["timestamp_ms"])
        limiter.wait()
        sink.send(tweet)
        counters.sent += 1
        if on_sent is not None:
            on_sent(record)
        if progress is not None:
            progress.tick()
    if progress is not None:
        progress.close()
    return counters
