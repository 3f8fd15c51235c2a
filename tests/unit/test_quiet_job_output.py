"""A job's terminal carries tweetflow's messages, not warnings its users cannot act on."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[2]
# What PyFlink imports when a job with a Python UDF (the sentiment enrichment) starts.
BEAM_WORKERS = "import pyflink.fn_execution.beam.beam_worker_pool_service"


def stderr_of(code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return done.stderr


def test_the_pkg_resources_warning_of_beam_does_not_reach_the_terminal() -> None:
    # Without tweetflow's runtime loaded first, the import warns (so the test can fail).
    assert "pkg_resources is deprecated" in stderr_of(BEAM_WORKERS)
    assert "pkg_resources" not in stderr_of(f"import flink_jobs.runtime; {BEAM_WORKERS}")
