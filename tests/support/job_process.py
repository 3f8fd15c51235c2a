"""The analytics job in a process of its own, so a test can kill it with SIGKILL as a crash
would: `python -m tests.support.job_process CONFIG` runs the pickled JobConfig until it ends."""

from __future__ import annotations

import os
import pickle
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from flink_jobs import runtime
from flink_jobs.config import JobConfig
from tweetflow.stack import process

REPOSITORY = Path(__file__).resolve().parents[2]


class JobProcess:
    def __init__(self, config: JobConfig, directory: Path, name: str) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        spec = directory / f"{name}.pickle"
        spec.write_bytes(pickle.dumps(config))
        self.log = directory / f"{name}.log"
        with self.log.open("wb") as output:
            # A session of its own: the kill takes the PyFlink gateway JVM (the mini-cluster)
            # with the Python driver, as a crash of the machine's job would.
            self.popen = subprocess.Popen(
                [sys.executable, "-m", "tests.support.job_process", str(spec)],
                cwd=REPOSITORY,
                env=process.child_environment(),
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def alive(self) -> bool:
        return self.popen.poll() is None

    def kill(self) -> None:
        """SIGKILL to the driver and its JVM at once."""
        if self.alive():
            os.killpg(self.popen.pid, signal.SIGKILL)
        self.popen.wait(timeout=30)

    def wait(self, timeout_s: float) -> int:
        return self.popen.wait(timeout=timeout_s)

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


def wait_for(condition: Callable[[], bool], timeout_s: float, what: str, job: JobProcess) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return
        assert job.alive(), f"the job ended while waiting for {what}:\n{job.output()[-3000:]}"
        time.sleep(0.5)
    raise AssertionError(f"no {what} after {timeout_s} s:\n{job.output()[-3000:]}")


if __name__ == "__main__":
    runtime.run(pickle.loads(Path(sys.argv[1]).read_bytes()))
