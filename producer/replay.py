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


def files(paths: Iterable[Path]) -> list[Path]:
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(p for p in path.rglob("*") if p.is_file() and p.name.endswith(SUFFIXES))
        elif path.is_file():
            found.append(path)
        else:
            raise FileNotFoundError(f"no such file or directory: {path}")
    return found


def _open(path: Path) -> IO[bytes]:
    if path.name.endswith(".gz"):
        return gzip.open(path, "rb")
    if path.name.endswith(".bz2"):
        return bz2.open(path, "rb")
    return path.open("rb")


def records(paths: Iterable[Path], skip: int = 0) -> Iterator[RawRecord]:
    """Every non-empty line as a record; the first `skip` lines are passed over (resume)."""
    seen = 0
    for path in files(paths):
        with _open(path) as handle:
            for number, line in enumerate(handle, start=1):
                line = line.strip()
                if not line:
                    continue
                seen += 1
                if seen <= skip:
                    continue
                yield RawRecord(f"{path}:{number}", line)
