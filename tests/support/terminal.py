"""A real terminal for tests: tmux on a private socket, read with capture-pane and typed into
with send-keys, as a person at the keyboard would."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tweetflow.stack.process import PYFLINK_LOOPBACK_VARIABLES

COLUMNS, ROWS = 80, 40
# Runs the program and prints how it ended. tmux's own #{pane_dead_status} proved unreliable
# when its server is started from the test process (sometimes never set). The wrapper handles
# SIGINT (so Ctrl-C reaches the program, whose handler is reset to the default, and not it).
REPORT_EXIT = (
    "import signal, subprocess, sys; signal.signal(signal.SIGINT, lambda *_: None); "
    "code = subprocess.call(sys.argv[1:]); print(f'[exit status {code}]', flush=True)"
)
EXIT = re.compile(r"\[exit status (-?\d+)\]")


class Terminal:
    """One tmux session on a private socket, its pane kept after the program exits."""

    def __init__(self, tmp: Path) -> None:
        if shutil.which("tmux") is None:
            pytest.fail("tmux is needed for the terminal tests: apt-get install tmux")
        self.base = ["tmux", "-S", str(tmp / "tmux.sock"), "-f", "/dev/null"]

    def tmux(self, *args: str) -> str:
        done = subprocess.run([*self.base, *args], capture_output=True, text=True, check=True)
        return done.stdout

    def start(self, args: list[str], env: dict[str, str]) -> None:
        # A fresh shell's environment: the tmux server inherits this test process's, which
        # holds PyFlink's loopback state once a job with a Python UDF has run here.
        unset = [f"--unset={name}" for name in PYFLINK_LOOPBACK_VARIABLES]
        program = ["env", *unset, *(f"{k}={v}" for k, v in env.items()), *args]
        command = shlex.join([sys.executable, "-c", REPORT_EXIT, *program])
        self.tmux(
            "new-session", "-d", "-s", "w", "-x", str(COLUMNS), "-y", str(ROWS), command,
            ";", "set-option", "-t", "w", "remain-on-exit", "on",
        )  # fmt: skip

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", "w")

    def wait_for(self, check: Callable[[str], bool], what: str, timeout_s: float = 60) -> str:
        deadline = time.monotonic() + timeout_s
        while True:
            text = self.screen()
            if check(text):
                return text
            if time.monotonic() > deadline:
                pytest.fail(f"the screen never showed {what}; it shows:\n{text}")
            time.sleep(0.3)

    def history(self) -> str:
        """Everything the pane printed, scrolled-off lines included, wrapped lines joined."""
        return self.tmux("capture-pane", "-p", "-J", "-S", "-", "-t", "w")

    def pane(self, field: str) -> str:
        return self.tmux("display-message", "-p", "-t", "w", f"#{{{field}}}").strip()

    def close(self) -> None:
        subprocess.run([*self.base, "kill-server"], capture_output=True)


def python_cli() -> list[str]:
    return [sys.executable, "-m", "tweetflow.cli"]


def stop(terminal: Terminal, says: str = "tweetflow watch stopped", timeout_s: float = 20) -> str:
    """Ctrl-C; the program must say `says`, exit with status 0 and leave no traceback."""
    terminal.tmux("send-keys", "-t", "w", "C-c")
    text = terminal.wait_for(lambda s: says in s, "the exit message", timeout_s)
    text = terminal.wait_for(lambda s: EXIT.search(s) is not None, "the exit status", 15)
    [code] = EXIT.findall(text)
    assert code == "0", f"exit status {code}:\n{text}"
    assert "Traceback" not in text
    return text
