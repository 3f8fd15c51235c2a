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


def test_the_python_workers_of_a_job_write_nothing_to_its_terminal() -> None:
    # Beam before 2.61 (PyFlink 1.20's) imported pkg_resources here, and setuptools warned on
    # the terminal of every job with a Python UDF; PyFlink 2.2's Beam does not.
    assert stderr_of(f"import flink_jobs.runtime; {BEAM_WORKERS}") == ""
