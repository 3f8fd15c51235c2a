"""The processes a command left: its children and theirs, read from /proc."""

from __future__ import annotations

import time
from pathlib import Path

from tweetflow.stack.process import is_alive


def descendants(pid: int) -> dict[int, str]:
    """Every live process below `pid`, with its command line."""
    parents: dict[int, int] = {}
    commands: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        child = int(entry.name)
        parents[child] = int(stat.rsplit(")", 1)[1].split()[1])
        commands[child] = cmdline.replace(b"\0", b" ").decode(errors="replace")
    found: dict[int, str] = {}
    wanted = {pid}
    while wanted:
        below = {child for child, parent in parents.items() if parent in wanted}
        found |= {child: commands[child] for child in below if is_alive(child)}
        wanted = below
    return found


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
