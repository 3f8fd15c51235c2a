"""The live X API v2 filtered stream, through tweepy's StreamingClient.

tweepy keeps the connection: it reads the newline-delimited JSON, skips keep-alive blank
lines and reconnects after network errors. tweetflow adds what a long-running producer needs:
rules built from `--track` terms, clear errors for a bad token (401), an access tier without
filtered-stream access (403) and rejected rules, and exponential backoff after 429/5xx whose
start is configurable. The bearer token comes from X_BEARER_TOKEN or the file named by
X_BEARER_TOKEN_FILE and is never logged.

TWEETFLOW_X_API_BASE sends every request to another base URL (an API gateway, or the local
emulator the tests use) through a requests transport adapter; tweepy runs unchanged.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import requests
import tweepy
from requests.adapters import HTTPAdapter

from producer.pipeline import RawRecord

log = logging.getLogger("tweetflow.producer.x")
X_API = "https://api.twitter.com"
TWEET_FIELDS = "created_at,lang,entities,referenced_tweets,in_reply_to_user_id,note_tweet,source"
USER_FIELDS = "username,name,public_metrics,verified,location,description"
EXPANSIONS = "author_id,referenced_tweets.id,referenced_tweets.id.author_id,in_reply_to_user_id"
RULE_TAG = "tweetflow"

# tweepy logs request headers, the bearer token among them, at DEBUG.
logging.getLogger("tweepy").setLevel(logging.INFO)


class XStreamError(RuntimeError):
    """A problem only the user can fix (token, access tier, rules); not retried."""


@dataclass(frozen=True)
class XStreamConfig:
    bearer_token: str = field(repr=False)
    track: tuple[str, ...] = ()
    api_base: str = X_API
    rate_limit_wait_s: float = 60.0  # first wait after a 429, doubled on each further one
    error_wait_s: float = 5.0  # first wait after a 5xx, doubled up to max_wait_s
    max_wait_s: float = 320.0
    max_attempts: int = 0  # consecutive failed connections before giving up; 0 = never

    @classmethod
    def from_env(cls, track: list[str], env: dict[str, str] | None = None) -> XStreamConfig:
        env = dict(os.environ if env is None else env)
        token = env.get("X_BEARER_TOKEN", "")
        if not token and env.get("X_BEARER_TOKEN_FILE"):
            try:
                with open(env["X_BEARER_TOKEN_FILE"], encoding="utf-8") as handle:
                    token = handle.read().strip()
            except OSError as exc:
                raise XStreamError(
                    f"X_BEARER_TOKEN_FILE={env['X_BEARER_TOKEN_FILE']}: {exc.strerror}; name "
                    "a readable file holding the bearer token, or set X_BEARER_TOKEN"
                ) from None
        if not token:
            raise XStreamError(
                "no X API bearer token: set X_BEARER_TOKEN, or X_BEARER_TOKEN_FILE to a file "
                "holding it (the filtered stream needs a Basic or higher access tier)"
            )
        return cls(
            bearer_token=token,
            track=tuple(track),
            api_base=env.get("TWEETFLOW_X_API_BASE", X_API).rstrip("/"),
            rate_limit_wait_s=float(env.get("TWEETFLOW_X_RATE_LIMIT_WAIT_S", 60)),
            error_wait_s=float(env.get("TWEETFLOW_X_ERROR_WAIT_S", 5)),
        )


class _Rebase(HTTPAdapter):
    """Sends requests addressed to the X API to another base URL instead."""

    def __init__(self, base: str) -> None:
        super().__init__()
        self.base = base

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        request.url = self.base + str(request.url)[len(X_API) :]
        return super().send(request, **kwargs)


class _Stream(tweepy.StreamingClient):
    def __init__(self, config: XStreamConfig, sink: queue.Queue[tuple[str, Any]]) -> None:
        super().__init__(config.bearer_token, wait_on_rate_limit=False, max_retries=0, daemon=True)
        self.sink = sink
        if config.api_base != X_API:
            self.session.mount(X_API, _Rebase(config.api_base))

    def on_data(self, raw_data: bytes) -> None:
        self.sink.put(("data", raw_data))

    def on_request_error(self, status_code: int) -> None:
        self.sink.put(("http", status_code))
        self.disconnect()  # tweetflow decides how long to wait, see records()

    def on_connect(self) -> None:
        self.sink.put(("connected", None))

    def on_exception(self, exception: Exception) -> None:
        self.sink.put(("exception", exception))

    def on_connection_error(self) -> None:  # refused, reset, timed out, a name not resolved
        self.sink.put(("exception", ConnectionError("the connection failed or timed out")))


def _explain(status: int) -> str:
    return {
        401: "the X API refused the bearer token (401 Unauthorized): check X_BEARER_TOKEN",
        403: "the X API denied the filtered stream (403 Forbidden): this app's access tier "
        "has no filtered-stream access, or the app is not attached to a project",
    }.get(status, f"the X API answered HTTP {status}")


def _sync_rules(client: tweepy.StreamingClient, track: tuple[str, ...], api_base: str) -> None:
    """Make the stream's tweetflow rules exactly the tracked terms (one rule per term)."""
    try:
        current = client.get_rules().data or []
        stale = [r.id for r in current if r.tag == RULE_TAG and r.value not in track]
        if stale:
            client.delete_rules(stale)
        present = {r.value for r in current if r.tag == RULE_TAG}
        wanted = [tweepy.StreamRule(term, tag=RULE_TAG) for term in track if term not in present]
        if wanted:
            response = client.add_rules(wanted)
            if response.errors:
                details = "; ".join(
                    f"{e.get('value', '?')}: {e.get('title', '')} {e.get('details', '')}".strip()
                    for e in response.errors
                )
                raise XStreamError(f"the X API rejected stream rules: {details}")
    except tweepy.Unauthorized as exc:
        raise XStreamError(_explain(401)) from exc
    except tweepy.Forbidden as exc:
        raise XStreamError(_explain(403)) from exc
    except tweepy.BadRequest as exc:
        raise XStreamError(f"the X API rejected stream rules: {exc}") from exc
    except requests.RequestException as exc:  # the first contact: a wrong address, no network
        raise XStreamError(
            f"cannot reach the X API at {api_base}: {type(exc).__name__}; check the network "
            "(or TWEETFLOW_X_API_BASE)"
        ) from None


def records(config: XStreamConfig, stop: threading.Event | None = None) -> Iterator[RawRecord]:
    """Stream payloads as they arrive, reconnecting until stopped or a user error occurs."""
    stop = stop or threading.Event()
    events: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=10_000)
    if config.track:
        _sync_rules(_Stream(config, events), config.track, config.api_base)
    count = 0
    rate_limit_wait, error_wait = config.rate_limit_wait_s, config.error_wait_s
    failures = 0
    while not stop.is_set():
        stream = _Stream(config, events)
        thread = stream.filter(
            threaded=True,
            expansions=EXPANSIONS,
            tweet_fields=TWEET_FIELDS,
            user_fields=USER_FIELDS,
        )
        wait = 0.0
        try:
            while thread.is_alive() or not events.empty():
                if stop.is_set():
                    stream.disconnect()
                    return
                try:
                    kind, value = events.get(timeout=0.2)
                except queue.Empty:
                    continue
                if kind == "data":
                    count += 1
                    yield RawRecord(f"x:{count}", value)
                elif kind == "connected":
                    failures, rate_limit_wait, error_wait = (
                        0,
                        config.rate_limit_wait_s,
                        config.error_wait_s,
                    )
                    log.info("connected to the filtered stream")
                elif kind == "http":
                    if value in (401, 403):
                        raise XStreamError(_explain(value))
                    failures += 1
                    if value == 429:
                        wait, rate_limit_wait = (
                            rate_limit_wait,
                            min(rate_limit_wait * 2, config.max_wait_s),
                        )
                        log.warning("rate limited (429); reconnecting in %.0f s", wait)
                    else:
                        wait, error_wait = error_wait, min(error_wait * 2, config.max_wait_s)
                        log.warning("%s; reconnecting in %.0f s", _explain(value), wait)
                elif kind == "exception":
                    # A dropped connection, a DNS failure: the stream reconnects, as it does
                    # after a server error, with the same backoff and the same limit.
                    failures += 1
                    wait, error_wait = error_wait, min(error_wait * 2, config.max_wait_s)
                    log.warning(
                        "the filtered stream failed (%s); reconnecting in %.0f s",
                        type(value).__name__,
                        wait,
                    )
        finally:
            # Also when the consumer stops iterating: no orphaned connection keeps running.
            stream.disconnect()
        thread.join()
        if config.max_attempts and failures >= config.max_attempts:
            raise XStreamError(f"gave up after {failures} failed connections to the X API")
        stop.wait(wait)
