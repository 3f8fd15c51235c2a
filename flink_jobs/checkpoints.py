"""Finding the checkpoint a killed job restarts from."""

from __future__ import annotations

from pathlib import Path


def latest(directory: Path) -> Path | None:
    """The newest complete checkpoint under an execution.checkpointing.dir (`<job id>/chk-<n>`), of
    whichever job wrote last; None when there is none.

    Complete means its `_metadata` exists: Flink writes it last, so a checkpoint the kill
    interrupted is never chosen."""
    complete = [m.parent for m in directory.glob("*/chk-*/_metadata") if m.is_file()]
    if not complete:
        return None
    return max(complete, key=lambda c: ((c / "_metadata").stat().st_mtime, _number(c)))


def _number(checkpoint: Path) -> int:
    try:
        return int(checkpoint.name.removeprefix("chk-"))
    except ValueError:
        return -1
