"""The Bluesky source against a local Jetstream on loopback (tests/support/jetstream_emulator.py):
drops mid-stream, restarts, failover, bad frames and profile enrichment. No Kafka here: the
sink is a list (tests/integration/test_bluesky_e2e.py goes through the real broker)."""

from __future__ import annotations

import socket
import time
from pathlib import Path
from typing import Any

import pytest

from producer import pipeline
from producer.bluesky import BlueskyConfig, BlueskyError, Checkpoint, JetstreamSource
from producer.bluesky_mapping import ProfileCache
from producer.bluesky_profiles import ProfileFetcher
from tests.support.jetstream_emulator import ProfileApi, delete, identity, post, running

AUTHORS = [f"did:plc:author{n:02d}xxxxxxxxxxxxx" for n in range(30)]
T0 = 1_767_225_600_000_000
STEP = 1_000  # 1 ms between events: a 5 s rewind replays everything before a drop


def stream(n: int = 50) -> list[dict[str, Any] | str]:
    frames: list[dict[str, Any] | str] = [identity(AUTHORS[0], "first.bsky.social", T0)]
    for i in range(n):
        frames.append(post(AUTHORS[i % len(AUTHORS)], f"3k{i:04d}", T0 + (i + 1) * STEP, f"#t{i}"))
        if i % 10 == 5:
            frames.append(delete(AUTHORS[0], f"3k{i:04d}", T0 + (i + 1) * STEP))
    return frames


class ListSink:
    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []
        self.dead: list[tuple[Any, str, str]] = []
        self.flushes = 0

        class Stats:
            failed = 0

        self.stats = Stats()

    def send(self, tweet: dict[str, Any]) -> None:
        self.sent.append(tweet)

    def dead_letter(self, raw: Any, reason: str, position: str) -> None:
        self.dead.append((raw, reason, position))

    def flush(self) -> None:
        self.flushes += 1


def config(urls: list[str], tmp: Path | None = None, **kw: Any) -> BlueskyConfig:
    return BlueskyConfig(
        instances=tuple(urls),
        cursor_file=tmp / "cursor" if tmp else None,
        backoff_s=0.01,
        max_backoff_s=0.05,
        **kw,
    )


def run(source: JetstreamSource, sink: ListSink, checkpoint: Checkpoint | None = None) -> None:
    pipeline.run(source.records(), sink, on_sent=checkpoint.sent if checkpoint else None)
    if checkpoint is not None:
        checkpoint.close()


def ids(sink: ListSink) -> list[str]:
    return [t["id_str"] for t in sink.sent]


def want_ids(n: int = 50) -> list[str]:
    return [f"{AUTHORS[i % len(AUTHORS)]}/3k{i:04d}" for i in range(n)]


def test_drops_mid_stream_lose_and_repeat_nothing() -> None:
    with running(stream(), drops=(17, 9)) as jetstream:
        source = JetstreamSource(config([jetstream.url], count=50))
        sink = ListSink()
        run(source, sink)
    assert ids(sink) == want_ids()
    assert source.stats.reconnects == 2 and source.stats.repeats > 0
    assert jetstream.cursors[0] is None
    # Each reconnect asks for the rewind before the newest event it had.
    assert all(c is not None and c <= T0 + 17 * STEP for c in jetstream.cursors[1:])
    assert sink.sent[1]["user"]["screen_name"] == AUTHORS[1]
    assert sink.sent[0]["user"]["screen_name"] == "first.bsky.social"  # from the identity event


def test_a_restart_resumes_after_the_acknowledged_posts(tmp_path: Path) -> None:
    with running(stream()) as jetstream:
        first, sink = JetstreamSource(config([jetstream.url], tmp_path, count=20)), ListSink()
        run(first, sink, Checkpoint(first.resume_point, sink, first.config.rewind_us, every_s=0))
        assert sink.flushes > 0  # the resume point moved only over flushed sends
        second = JetstreamSource(config([jetstream.url], tmp_path, count=30))
        run(second, sink)
    assert ids(sink) == want_ids()
    assert jetstream.cursors[1] == T0 + 20 * STEP - second.config.rewind_us


def test_failover_to_the_next_instance(tmp_path: Path) -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        dead = f"ws://127.0.0.1:{closed.getsockname()[1]}"
        with running(stream(10)) as jetstream:
            source = JetstreamSource(config([dead, jetstream.url], failover_after=2, count=10))
            sink = ListSink()
            run(source, sink)
    assert ids(sink) == want_ids(10)
    assert source.stats.failures == [f"{dead}: connection refused"] * 2


def test_giving_up_says_why() -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        dead = f"ws://127.0.0.1:{closed.getsockname()[1]}"
        source = JetstreamSource(config([dead], max_failures=3))
        with pytest.raises(BlueskyError, match=r"gave up after 3 failed connections.*refused"):
            list(source.records())


def test_bad_frames_are_dead_lettered_with_reasons() -> None:
    frames = [
        post(AUTHORS[0], "3kgood1", T0 + 1, "#ok"),
        "{not json",
        {"did": AUTHORS[0], "time_us": T0 + 2, "kind": "telepathy"},
        post(AUTHORS[1], "3kgood2", T0 + 3, "#ok"),
    ]
    with running(frames) as jetstream:
        source, sink = JetstreamSource(config([jetstream.url], count=2)), ListSink()
        run(source, sink)
    assert ids(sink) == [f"{AUTHORS[0]}/3kgood1", f"{AUTHORS[1]}/3kgood2"]
    reasons = [(reason.split(":")[0], position) for _, reason, position in sink.dead]
    assert reasons == [
        ("not JSON", "jetstream:frame-2"),
        ("unknown Jetstream event kind 'telepathy'", f"jetstream:{T0 + 2}"),
    ]


def test_profiles_arrive_in_batches_without_holding_the_stream() -> None:
    profiles = {
        did: {"did": did, "handle": f"a{n}.bsky.social", "displayName": f"A {n}",
              "followersCount": 1000 + n, "followsCount": 3, "postsCount": 7}
        for n, did in enumerate(AUTHORS)
    }  # fmt: skip
    api = ProfileApi(profiles)
    fetcher = ProfileFetcher(ProfileCache(), api.url, rate_per_s=50).start()
    try:
        first = [post(did, f"3ka{n:03d}", T0 + n, "#x") for n, did in enumerate(AUTHORS)]
        with running(first) as jetstream:
            source = JetstreamSource(
                config([jetstream.url], count=len(AUTHORS)),
                profiles=fetcher.cache,
                want_profile=fetcher.want,
            )
            sink = ListSink()
            began = time.monotonic()
            run(source, sink)
            assert time.monotonic() - began < 5  # nothing waited for the profile API
        deadline = time.monotonic() + 10
        while fetcher.fetched < len(AUTHORS) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert fetcher.fetched == len(AUTHORS)
        assert all(1 <= len(call) <= 25 for call in api.calls) and len(api.calls) >= 2
        again = [post(did, f"3kb{n:03d}", T0 + 100 + n, "#x") for n, did in enumerate(AUTHORS)]
        with running(again) as jetstream:
            source = JetstreamSource(
                config([jetstream.url], count=len(AUTHORS)), profiles=fetcher.cache
            )
            later = ListSink()
            run(source, later)
        users = {t["user"]["id_str"]: t["user"] for t in later.sent}
        assert users[AUTHORS[3]]["followers_count"] == 1003
        assert users[AUTHORS[3]]["screen_name"] == "a3.bsky.social"
    finally:
        fetcher.close()
        api.close()
