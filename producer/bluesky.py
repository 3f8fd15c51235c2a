"""Bluesky's public post stream, read from a Jetstream instance over WebSocket.

Free and without an account: `tweetflow produce --source bluesky`. The source subscribes with
`wantedCollections=app.bsky.feed.post`, maps each new post to a canonical tweet
(producer/bluesky_mapping.py) and keeps going through everything a long-running client meets:

- **resume without gaps or repeats**: every event carries `time_us`; after a disconnect the
  source reconnects with `cursor=<last time_us - rewind>` (Jetstream replays from that instant;
  its README advises the rewind, and `time_us` differs slightly between instances) and drops
  the posts whose ids it already passed on. Across restarts the resume file in the state
  directory holds the `time_us` of the newest post the broker acknowledged and the ids of the
  posts acknowledged within the rewind before it (`Checkpoint`), replaced atomically about once
  a second and at a clean stop;
- **failover**: after `failover_after` consecutive failed connections to one instance it moves
  to the next of `instances` (round robin);
- **backoff**: exponential with full jitter, from `backoff_s` up to `max_backoff_s`, and a
  clear log line for each failure saying what failed and when the next try is.

Not used: Jetstream's zstd compression. It needs the custom dictionary of the Jetstream
repository, which no package ships; the uncompressed post stream is a few hundred KB/s.
"""

from __future__ import annotations

import logging
import os
import random
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import orjson
from websockets.exceptions import InvalidStatus, WebSocketException
from websockets.sync.client import connect

from producer.bluesky_mapping import POST, BadEvent, Handles, ProfileCache, Skipped, to_tweet
from producer.pipeline import RawRecord

log = logging.getLogger("tweetflow.producer.bluesky")

# Bluesky's public instances (the Jetstream repository's README).
PUBLIC_INSTANCES = (
    "wss://jetstream2.us-east.bsky.network",
    "wss://jetstream1.us-east.bsky.network",
    "wss://jetstream1.us-west.bsky.network",
    "wss://jetstream2.us-west.bsky.network",
)
RECV_TIMEOUT_S = 1.0  # how often a quiet connection checks whether to stop


class BlueskyError(RuntimeError):
    """A failure the source gives up on (max_failures reached)."""


@dataclass(frozen=True)
class BlueskyConfig:
    instances: tuple[str, ...] = PUBLIC_INSTANCES
    cursor_file: Path | None = None  # None: no resume across restarts
    failover_after: int = 3  # consecutive failed connections before trying the next instance
    backoff_s: float = 1.0
    max_backoff_s: float = 60.0
    max_failures: int = 0  # consecutive failed connections before giving up; 0 = never
    count: int | None = None  # stop after this many posts; None = endless
    rewind_us: int = 5_000_000  # replayed on reconnect; repeats within it are dropped by id

    @classmethod
    def from_env(
        cls, state_dir: Path, count: int | None = None, env: dict[str, str] | None = None
    ) -> BlueskyConfig:
        env = dict(os.environ if env is None else env)
        raw = env.get("TWEETFLOW_BLUESKY_JETSTREAM", "")
        instances = tuple(u.strip().rstrip("/") for u in raw.split(",") if u.strip())
        return cls(
            instances=instances or PUBLIC_INSTANCES,
            cursor_file=state_dir / "bluesky" / "cursor",
            backoff_s=float(env.get("TWEETFLOW_BLUESKY_BACKOFF_S", 1.0)),
            max_failures=int(env.get("TWEETFLOW_BLUESKY_MAX_FAILURES", 0)),
            count=count,
        )


class ResumePoint:
    """Where to resume, on disk: the newest acknowledged post's `time_us` and the ids of the
    posts acknowledged within the rewind before it. Replaced atomically (write, fsync, rename)."""

    def __init__(self, path: Path | None) -> None:
        self.path = path

    def load(self) -> tuple[int, dict[str, int]] | None:
        if self.path is None or not self.path.exists():
            return None
        try:
            saved = orjson.loads(self.path.read_bytes())
            return int(saved["time_us"]), {str(k): int(v) for k, v in saved["recent"].items()}
        except (orjson.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError):
            log.warning("ignoring the unreadable Bluesky resume file %s", self.path)
            return None

    def save(self, time_us: int, recent: dict[str, int]) -> None:
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        partial = self.path.with_suffix(".partial")
        with open(partial, "wb") as handle:
            handle.write(orjson.dumps({"time_us": time_us, "recent": recent}))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, self.path)


class RecentIds:
    """Ids of the posts passed on within a time window, oldest first, to drop replays."""

    def __init__(self, window_us: int) -> None:
        self.window_us = window_us
        self.newest = 0
        self._ids: OrderedDict[str, int] = OrderedDict()

    def seen(self, post_id: str) -> bool:
        return post_id in self._ids

    def add(self, post_id: str, time_us: int) -> None:
        self._ids[post_id] = time_us
        self.newest = max(self.newest, time_us)
        while self._ids and next(iter(self._ids.values())) < self.newest - self.window_us:
            self._ids.popitem(last=False)

    def since(self, time_us: int) -> dict[str, int]:
        return {k: v for k, v in self._ids.items() if v >= time_us}


@dataclass
class StreamStats:
    posts: int = 0
    skipped: int = 0
    bad: int = 0
    repeats: int = 0  # posts replayed by a reconnect and dropped
    reconnects: int = 0
    last_time_us: int = 0
    instance: str = ""
    failures: list[str] = field(default_factory=list)

    def lag_s(self) -> float:
        return max(0.0, time.time() - self.last_time_us / 1e6) if self.last_time_us else 0.0

    def line(self) -> str:
        """The source's part of the producer's progress line."""
        return f"{self.reconnects} reconnects  {self.lag_s():,.1f} s behind"


def _position(time_us: Any, n: int) -> str:
    return f"jetstream:{time_us}" if isinstance(time_us, int) else f"jetstream:frame-{n}"


class JetstreamSource:
    def __init__(
        self,
        config: BlueskyConfig,
        handles: Handles | None = None,
        profiles: ProfileCache | None = None,
        want_profile: Any = None,  # called with each author's DID when its profile is stale
        stop: threading.Event | None = None,
    ) -> None:
        self.config = config
        self.handles = handles or Handles()
        self.profiles = profiles
        self.want_profile = want_profile
        self.stop = stop or threading.Event()
        self.stats = StreamStats()
        self.resume_point = ResumePoint(config.cursor_file)
        # Twice the rewind: a reconnect replays the rewind, and instances' clocks differ.
        self.recent = RecentIds(2 * config.rewind_us)
        self._frames = 0

    def url(self, instance: str, cursor: int | None) -> str:
        query: list[tuple[str, Any]] = [("wantedCollections", POST)]
        if cursor is not None:
            query.append(("cursor", cursor))
        return f"{instance}/subscribe?{urlencode(query)}"

    def _record(self, frame: bytes | str) -> RawRecord | None:
        self._frames += 1
        raw = frame.encode("utf-8") if isinstance(frame, str) else frame
        try:
            event = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            self.stats.bad += 1
            return RawRecord(_position(None, self._frames), raw, reject=f"not JSON: {exc}")
        time_us = event.get("time_us") if isinstance(event, dict) else None
        if isinstance(time_us, int):
            self.stats.last_time_us = max(self.stats.last_time_us, time_us)
        try:
            tweet = to_tweet(event, self.handles, self.profiles)
        except Skipped:
            self.stats.skipped += 1
            return None
        except BadEvent as exc:
            self.stats.bad += 1
            return RawRecord(_position(time_us, self._frames), raw, reject=str(exc))
        if self.recent.seen(tweet["id_str"]):
            self.stats.repeats += 1  # replayed after a reconnect: already passed on
            return None
        self.recent.add(tweet["id_str"], time_us)  # type: ignore[arg-type]
        self.stats.posts += 1
        did = tweet["user"]["id_str"]
        if self.want_profile is not None and self.profiles is not None and self.profiles.stale(did):
            self.want_profile(did)
        return RawRecord(_position(time_us, self._frames), tweet, canonical=True)

    def _wait(self, failures: int) -> None:
        ceiling = min(self.config.max_backoff_s, self.config.backoff_s * 2 ** (failures - 1))
        self.stop.wait(random.uniform(0, ceiling))  # full jitter

    def records(self) -> Iterator[RawRecord]:
        """Posts as canonical tweets and bad events to dead-letter, until stop or count."""
        resume = self.resume_point.load()
        if resume is not None:
            self.stats.last_time_us, recent = resume
            for post_id, time_us in sorted(recent.items(), key=lambda kv: kv[1]):
                self.recent.add(post_id, time_us)
            log.info("resuming the Bluesky stream after time_us %d", self.stats.last_time_us)
        instances = self.config.instances
        which, failures, on_this = 0, 0, 0
        while not self.stop.is_set():
            instance = instances[which % len(instances)]
            last = self.stats.last_time_us
            url = self.url(instance, max(1, last - self.config.rewind_us) if last else None)
            self.stats.instance = instance
            try:
                with connect(url, open_timeout=10, close_timeout=2, max_size=2**22) as ws:
                    log.info("connected to %s", instance)
                    got_one = False
                    while not self.stop.is_set():
                        try:
                            frame = ws.recv(timeout=RECV_TIMEOUT_S)
                        except TimeoutError:
                            continue
                        if not got_one:
                            failures, on_this, got_one = 0, 0, True
                        record = self._record(frame)
                        if record is None:
                            continue
                        yield record
                        if self.config.count is not None and self.stats.posts >= self.config.count:
                            return
                    return
            except (OSError, WebSocketException, TimeoutError) as exc:
                if self.stop.is_set():
                    return
                failures, on_this = failures + 1, on_this + 1
                self.stats.reconnects += 1
                reason = _explain(exc)
                self.stats.failures.append(f"{instance}: {reason}")
                if self.config.max_failures and failures >= self.config.max_failures:
                    raise BlueskyError(
                        f"gave up after {failures} failed connections; last: {instance}: {reason}"
                    ) from exc
                if on_this >= self.config.failover_after and len(instances) > 1:
                    which, on_this = which + 1, 0
                    log.warning(
                        "%s failed %d times (%s); switching to %s",
                        instance,
                        self.config.failover_after,
                        reason,
                        instances[which % len(instances)],
                    )
                else:
                    log.warning("%s: %s; reconnecting", instance, reason)
                self._wait(failures)


def _explain(exc: BaseException) -> str:
    if isinstance(exc, InvalidStatus):
        return f"the server answered HTTP {exc.response.status_code}"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, OSError) and exc.errno in (101, 113):  # ENETUNREACH, EHOSTUNREACH
        return "the network is unreachable (offline, or a firewall?)"
    if isinstance(exc, OSError) and "Name or service not known" in str(exc):
        return "the host name does not resolve (offline, or DNS blocked?)"
    if isinstance(exc, TimeoutError):
        return "timed out"
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


class Checkpoint:
    """Moves the resume point only over posts the broker acknowledged: the sink is flushed
    (every send confirmed, acks=all) before the file is written, about every `every_s`
    seconds and at close."""

    def __init__(self, resume_point: ResumePoint, sink: Any, rewind_us: int, every_s: float = 1.0):
        self.resume_point, self.sink, self.every_s = resume_point, sink, every_s
        # As long as the source's own window: what a restart replays, across instances.
        self.sent_ids = RecentIds(2 * rewind_us)
        self.newest = 0
        self.last_write = time.monotonic()

    def sent(self, record: RawRecord) -> None:
        time_us = record.position.removeprefix("jetstream:")
        if isinstance(record.value, dict) and time_us.isdigit():
            self.newest = max(self.newest, int(time_us))
            self.sent_ids.add(record.value["id_str"], int(time_us))
        if time.monotonic() - self.last_write >= self.every_s:
            self.sink.flush()
            self._write()

    def _write(self) -> None:
        if not self.newest or getattr(self.sink.stats, "failed", 0):
            return  # never move past a post the broker did not take
        window = self.newest - self.sent_ids.window_us
        self.resume_point.save(self.newest, self.sent_ids.since(window))
        self.last_write = time.monotonic()

    def close(self) -> None:
        """After the sink's own close, which flushed everything."""
        self._write()


# websockets logs every handshake at INFO.
logging.getLogger("websockets.client").setLevel(logging.WARNING)
