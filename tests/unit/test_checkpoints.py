"""Which checkpoint `tweetflow job run --resume` restores (flink_jobs/checkpoints.py)."""

from __future__ import annotations

import os
from pathlib import Path

from flink_jobs import checkpoints


def checkpoint(root: Path, job: str, n: int, mtime: float, complete: bool = True) -> Path:
    directory = root / job / f"chk-{n}"
    directory.mkdir(parents=True)
    if complete:
        (directory / "_metadata").write_bytes(b"x")
        os.utime(directory / "_metadata", (mtime, mtime))
    return directory


def test_the_newest_complete_checkpoint_of_the_last_job(tmp_path: Path) -> None:
    assert checkpoints.latest(tmp_path) is None
    checkpoint(tmp_path, "a" * 32, 7, 1_000)
    newest = checkpoint(tmp_path, "b" * 32, 2, 2_000)  # a later run, a lower number
    checkpoint(tmp_path, "b" * 32, 3, 3_000, complete=False)  # interrupted by the kill
    (tmp_path / ("b" * 32) / "shared").mkdir()
    assert checkpoints.latest(tmp_path) == newest


def test_a_tie_in_time_goes_to_the_higher_number(tmp_path: Path) -> None:
    checkpoint(tmp_path, "a" * 32, 9, 1_000)
    higher = checkpoint(tmp_path, "a" * 32, 10, 1_000)
    assert checkpoints.latest(tmp_path) == higher
