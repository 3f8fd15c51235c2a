"""The Parquet archive written by the real job (tests/pipeline_results.enriched_run), read back
with DuckDB: every good tweet once, in its hour's partition, with its hashtags and sentiment,
Snappy-compressed, and no unfinished file visible."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import duckdb
import pytest

from flink_jobs.sentiment import score

pytestmark = [pytest.mark.integration, pytest.mark.slow]
REPOSITORY = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def archive(enriched_run: dict[str, Any]) -> Path:
    return Path(enriched_run["archive"])


def parquet(archive: Path) -> str:
    return f"read_parquet('{archive}/dt=*/hr=*/part-*', hive_partitioning = true)"


def test_every_tweet_once_in_its_hour(archive: Path, pipeline_run: dict[str, Any]) -> None:
    tweets = pipeline_run["tweets"]
    rows = duckdb.sql(f"SELECT id_str, timestamp_ms, dt, hr FROM {parquet(archive)}").fetchall()
    assert sorted(r[0] for r in rows) == sorted(t["id_str"] for t in tweets)
    for _, timestamp_ms, dt, hr in rows:
        moment = datetime.fromtimestamp(timestamp_ms / 1000, tz=timezone.utc)
        assert (str(dt), hr) == (moment.strftime("%Y-%m-%d"), moment.strftime("%H"))
    partitions = {p.relative_to(archive).as_posix() for p in archive.glob("dt=*/hr=*")}
    assert partitions == {f"dt={dt}/hr={hr}" for _, _, dt, hr in rows}
    hidden = [p for p in archive.rglob(".*") if p.is_file()]
    assert hidden == []  # in-progress files are finished or gone once the job has ended


def test_hashtag_counts_and_sentiment_match_the_input(
    archive: Path, pipeline_run: dict[str, Any]
) -> None:
    tweets = pipeline_run["tweets"]
    got = dict(
        duckdb.sql(
            f"SELECT tag, count(*) FROM (SELECT unnest(hashtags) AS tag "
            f"FROM {parquet(archive)}) GROUP BY 1"
        ).fetchall()
    )
    # As written: the archive keeps each hashtag's own spelling (DuckDB's lower() would also
    # fold 'İ' differently from Java's and Python's).
    want = Counter(h["text"] for t in tweets for h in t["entities"]["hashtags"])
    assert got == dict(want)
    labels = dict(
        duckdb.sql(
            f"SELECT coalesce(sentiment_label, 'none'), count(*) FROM {parquet(archive)} GROUP BY 1"
        ).fetchall()
    )
    expected = Counter(score(t["text"], t["lang"])[0] or "none" for t in tweets)
    assert labels == dict(expected)


def test_files_are_snappy_parquet(archive: Path) -> None:
    codecs = duckdb.sql(
        f"SELECT DISTINCT compression FROM parquet_metadata('{archive}/dt=*/hr=*/part-*')"
    ).fetchall()
    assert {c for (c,) in codecs} == {"SNAPPY"}


def test_the_docs_duckdb_example_runs_as_written(
    archive: Path, pipeline_run: dict[str, Any], tmp_path: Path
) -> None:
    """docs/queries.md's shell snippet, run by a shell as a reader pastes it (the README's
    once called a `duckdb` command that `pip install duckdb` does not ship), over the archive at
    the default state directory's place."""
    docs = (REPOSITORY / "docs" / "queries.md").read_text()
    [snippet] = re.findall(r"```sh\n(python - <<'EOF'\n.*?\nEOF)\n```", docs, re.DOTALL)
    state = tmp_path / ".local" / "state" / "tweetflow"
    state.mkdir(parents=True)
    (state / "archive").symlink_to(archive)
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    done = subprocess.run(
        ["bash", "-c", snippet], env=os.environ | {"HOME": str(tmp_path), "PATH": path},
        capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    tags = Counter(
        h["text"].lower() for t in pipeline_run["tweets"] for h in t["entities"]["hashtags"]
    )
    [(top, count)] = tags.most_common(1)
    assert re.search(rf"│ {re.escape(top)}\s+│\s+{count} │", done.stdout), done.stdout
