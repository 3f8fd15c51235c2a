"""`tweetflow live --source bluesky` in a real terminal: one command brings the stack (already
up here: it is left alone), a Bluesky producer reading a local Jetstream, the SQL job and the
terminal view; the hashtags of the posts appear on screen, and Ctrl-C stops everything."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from tests.jetstream_emulator import facet, post, running, tag
from tests.terminal import Terminal, python_cli, stop
from tweetflow.stack.stack import LocalStack

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def live_posts(now_us: int) -> list[dict[str, Any] | str]:
    """Three minutes of posts up to now, #flink in every other one, #kafka in every third."""
    out: list[dict[str, Any] | str] = []
    for i in range(360):
        tags = [t for t, every in (("flink", 2), ("kafka", 3)) if i % every == 0]
        text = "live " + " ".join(f"#{t}" for t in tags)
        out.append(post(f"did:plc:live{i % 7}abcdefghijklmnop", f"3kl{i:05d}",
                        now_us - (360 - i) * 500_000,
                        text, facets=[facet(text, f"#{t}", tag(t)) for t in tags]))  # fmt: skip
    return out


def test_one_command_gives_live_bluesky_analytics(
    stack: LocalStack, terminal: Terminal, tmp_path: Path
) -> None:
    with running(live_posts(int(time.time() * 1_000_000))) as jetstream:
        env = stack.settings.as_env() | {
            "TWEETFLOW_TOPIC": f"live-{int(time.time())}",
            "TWEETFLOW_BLUESKY_JETSTREAM": jetstream.url,
            "TWEETFLOW_BLUESKY_API": "http://127.0.0.1:9",  # no profile API: must not matter
            "PYTHONUNBUFFERED": "1",
        }
        terminal.start([*python_cli(), "live", "--source", "bluesky"], env)
        screen = terminal.wait_for(
            lambda s: " 1 #flink " in s and " 2 #kafka " in s, "the live hashtags", 240
        )
    assert screen.splitlines()[0].startswith("tweetflow watch · tweets ·")
    assert "@did:plc:live" in screen  # newest posts, authors known by DID only
    stop(terminal, "live stopped: job cancelled, producer exited with 0", timeout_s=90)
