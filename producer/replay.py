"""Recorded tweets: JSON-lines files, .gz and .bz2, and directories of them.

The layout of public tweet-stream archives (nested folders of compressed hourly files) is read
in sorted path order; each line is one record in v1.1, v2 or canonical shape, detected per line.
"""

from __future__ import annotations

import bz2
import gzip
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

from producer.pipeline import RawRecord

SUFFIXES = (".json", ".jsonl", ".ndjson", ".txt", ".gz", ".bz2")


class ReplayError(RuntimeError):
    """A file cannot be read to its end; the message names it and how to resume after it."""


def files(paths: Iterable[Path]) -> list[Path]:
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(p for p in path.rglob("*") if p.is_file() and p.name.endswith(SUFFIXES))
        elif path.is_file():
            found.append(path)
        else:
            raise ReplayError(f"no such file or directory: {path}")
    return found


def _open(path: Path) -> IO[bytes]:
    if path.name.endswith(".gz"):
        return gzip.open(path, "rb")
    if path.name.endswith(".bz2"):
        return bz2.open(path, "rb")
    return path.open("rb")


def records(paths: Iterable[Path], skip: int = 0) -> Iterator[RawRecord]:
    """Every non-empty line as a record; the first `skip` lines are passed over (resume). A
    file that is not what its name says (a .gz that is no gzip, one cut short) stops the
    replay with its name and the --skip that resumes after what was read."""
    seen = 0
    for path in files(paths):
        number, before = 0, seen
        try:
            with _open(path) as handle:
                for number, line in enumerate(handle, start=1):
                    line = line.strip()
                    if not line:
                        continue
                    seen += 1
                    if seen <= skip:
                        continue
                    yield RawRecord(f"{path}:{number}", line)
        except (OSError, EOFError) as exc:  # gzip.BadGzipFile, a truncated stream, bz2's
            raise ReplayError(
                f"{path}: cannot be read past line {number} ({type(exc).__name__}: {exc}); is "
                f"it a whole {_kind(path)}? The records before it were sent. Resume with "
                f"--skip {seen} once it is repaired, or with --skip {before} without it"
            ) from None


def _kind(path: Path) -> str:
    if path.name.endswith(".gz"):
        return "gzip file"
    return "bzip2 file" if path.name.endswith(".bz2") else "file"
