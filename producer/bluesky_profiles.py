"""Follower counts and display names for Bluesky authors, fetched in the background.

Jetstream posts carry no profile, so without this every author has zero followers and the
influencers query ranks nobody. `--enrich-profiles` asks Bluesky's public AppView
(`app.bsky.actor.getProfiles`, no account needed) for the authors it sees: up to 25 DIDs a
call, at most `rate_per_s` calls a second, each profile cached for `ttl_s`. The stream never
waits for it: a post is sent with what the cache holds at that moment (zero followers the
first time an author is seen), and the queue of wanted profiles is bounded, so an author
missed while it is full is asked for again at their next post.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from typing import Any

import requests

from producer.bluesky_mapping import Profile, ProfileCache

log = logging.getLogger("tweetflow.producer.bluesky.profiles")
PUBLIC_API = "https://public.api.bsky.app"
BATCH = 25  # getProfiles' limit per call


class ProfileFetcher:
    def __init__(
        self,
        cache: ProfileCache,
        api_base: str = PUBLIC_API,
        rate_per_s: float = 3.0,
        queue_size: int = 10_000,
        timeout_s: float = 10.0,
    ) -> None:
        self.cache, self.api_base = cache, api_base.rstrip("/")
        self.interval_s = 1.0 / rate_per_s
        self.timeout_s = timeout_s
        self.wanted: queue.Queue[str] = queue.Queue(maxsize=queue_size)
        self.pending: set[str] = set()
        self.stop = threading.Event()
        self.session = requests.Session()
        self.calls = self.fetched = self.failures = 0
        self._thread = threading.Thread(target=self._run, name="bluesky-profiles", daemon=True)

    def start(self) -> ProfileFetcher:
        self._thread.start()
        return self

    def close(self) -> None:
        self.stop.set()
        self._thread.join(timeout=self.timeout_s + 1)

    def want(self, did: str) -> None:
        """Ask for a profile; returns at once, whatever the queue holds."""
        if did in self.pending:
            return
        try:
            self.wanted.put_nowait(did)
            self.pending.add(did)
        except queue.Full:
            pass  # asked again at the author's next post

    def _batch(self) -> list[str]:
        try:
            batch = [self.wanted.get(timeout=0.5)]
        except queue.Empty:
            return []
        while len(batch) < BATCH:
            try:
                batch.append(self.wanted.get_nowait())
            except queue.Empty:
                break
        return batch

    def fetch(self, dids: list[str]) -> int:
        """One getProfiles call; the profiles it returned go to the cache."""
        self.calls += 1
        url = f"{self.api_base}/xrpc/app.bsky.actor.getProfiles"
        response = self.session.get(
            url, params=[("actors", d) for d in dids], timeout=self.timeout_s
        )
        response.raise_for_status()
        now = time.monotonic()
        found = 0
        for p in response.json().get("profiles", []):
            if not isinstance(p, dict) or not isinstance(p.get("did"), str):
                continue
            self.cache.put(p["did"], _profile(p, now))
            found += 1
        self.fetched += found
        return found

    def _run(self) -> None:
        wait = self.interval_s
        while not self.stop.is_set():
            batch = self._batch()
            if not batch:
                continue
            began = time.monotonic()
            try:
                self.fetch(batch)
                wait = self.interval_s
            except (requests.RequestException, ValueError) as exc:
                self.failures += 1
                if self.failures <= 5 or self.failures % 100 == 0:
                    log.warning("profile lookup failed (%s); the stream goes on without it", exc)
                wait = min(wait * 2, 60.0)
            finally:
                self.pending.difference_update(batch)
            self.stop.wait(max(0.0, began + wait - time.monotonic()))


def _count(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0


def _profile(p: dict[str, Any], now: float) -> Profile:
    return Profile(
        handle=p.get("handle") if isinstance(p.get("handle"), str) else "",
        display_name=p.get("displayName") if isinstance(p.get("displayName"), str) else "",
        followers=_count(p.get("followersCount")),
        follows=_count(p.get("followsCount")),
        posts=_count(p.get("postsCount")),
        fetched_at=now,
    )
