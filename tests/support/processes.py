"""The processes a command left: its children and theirs, read from /proc."""

from __future__ import annotations

import time

from flink_jobs import gateway
from tweetflow.stack.process import is_alive


def descendants(pid: int) -> dict[int, str]:
    """Every live process below `pid` (not the zombies of the exited), with its command line."""
    below = gateway.descendants(pid)
    return {child: command for child, command in below.items() if is_alive(child)}


def one(processes: dict[int, str], part: str) -> int:
    """The single process whose command line holds `part`."""
    matching = [pid for pid, command in processes.items() if part in command]
    assert len(matching) == 1, f"{part!r}: {len(matching)} processes among {processes}"
    return matching[0]


def wait_gone(pids: list[int], timeout_s: float) -> list[int]:
    """The pids still alive after at most `timeout_s`."""
    deadline = time.monotonic() + timeout_s
    while (alive := [pid for pid in pids if is_alive(pid)]) and time.monotonic() < deadline:
        time.sleep(0.2)
    return alive
