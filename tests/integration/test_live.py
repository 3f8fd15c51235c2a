"""`tweetflow live` as a user runs it: one command brings the stack (already up here: it is
left alone), a producer, the SQL job and the terminal view; Ctrl-C, `kill` or a crash of the
command stop every part of it, and nothing but its own summary reaches the terminal."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from flink_jobs.gateway import MAIN_CLASS, OUTPUT_FILE
from tests.support.jetstream_emulator import facet, post, running, tag
from tests.support.processes import descendants, one, wait_gone
from tests.support.terminal import Terminal, python_cli, stop
from tweetflow.stack.process import child_environment
from tweetflow.stack.stack import LocalStack

pytestmark = [pytest.mark.integration, pytest.mark.slow]

SUMMARY = "live stopped: job cancelled, producer exited with 0"


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
    parts = descendants(int(terminal.pane("pane_pid")))
    jvm, producer = one(parts, MAIN_CLASS), one(parts, "tweetflow.cli produce")
    # The JVM's own output (a Kafka client's error while the job shuts down, log4j's status
    # messages) goes to the log, whatever it prints and whenever.
    assert os.readlink(f"/proc/{jvm}/fd/1").endswith(f"/{OUTPUT_FILE}")

    stop(terminal, SUMMARY, timeout_s=30)
    assert wait_gone([jvm, producer], 0) == [], "live exited before its JVM and producer"
    printed = terminal.history().splitlines()
    started = printed.index("starting the Flink SQL job on the embedded mini-cluster...")
    shown = [line for line in printed[started + 1 :] if line.strip()]
    assert shown[0].startswith(SUMMARY) and shown[1].startswith("[exit status 0]"), shown


def start_live(stack: LocalStack, output: Path) -> subprocess.Popen[bytes]:
    """Synthetic live without a terminal (the view prints plain frames); a session of its own,
    so that a signal reaches this command only, as `kill PID` would."""
    env = child_environment() | stack.settings.as_env() | {
        "TWEETFLOW_TOPIC": f"live-signal-{time.time_ns()}",
        "PYTHONUNBUFFERED": "1",
    }  # fmt: skip
    with output.open("wb") as out:
        live = subprocess.Popen(
            [*python_cli(), "live", "--source", "synthetic", "--rate", "500",
             "--enrichment", "off"],
            env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    deadline = time.monotonic() + 240
    while "tweetflow watch · tweets ·" not in output.read_text(errors="replace"):
        assert live.poll() is None, output.read_text(errors="replace")
        assert time.monotonic() < deadline, f"no view in 240 s:\n{output.read_text()}"
        time.sleep(0.5)
    return live


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGHUP])
def test_kill_stops_every_part(stack: LocalStack, tmp_path: Path, stop_signal: int) -> None:
    """`timeout 60 tweetflow live`, `kill`, a closed terminal: the producer must not go on."""
    output = tmp_path / "live.out"
    live = start_live(stack, output)
    parts = descendants(live.pid)
    jvm, producer = one(parts, MAIN_CLASS), one(parts, "tweetflow.cli produce")
    live.send_signal(stop_signal)
    assert live.wait(timeout=60) == 0, output.read_text()
    last_line = output.read_text().rstrip().splitlines()[-1]
    assert last_line.startswith(SUMMARY), output.read_text()
    assert "Traceback" not in output.read_text()
    assert wait_gone([jvm, producer], 0) == []


def test_a_crashed_live_leaves_nothing_running(stack: LocalStack, tmp_path: Path) -> None:
    """SIGKILL gives `live` no chance to stop anything: the producer stops itself (it is told
    its parent died) and so does the JVM (its input closes)."""
    output = tmp_path / "live.out"
    live = start_live(stack, output)
    parts = descendants(live.pid)
    jvm, producer = one(parts, MAIN_CLASS), one(parts, "tweetflow.cli produce")
    live.kill()
    live.wait(timeout=30)
    assert wait_gone([jvm, producer], 60) == [], descendants(1)
