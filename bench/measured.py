"""One bounded run of the job in a process of its own, so its JVM (the embedded mini-cluster:
JobManager and TaskManager in one) starts and ends with it, measured: seconds, the JVM's peak
resident memory (what the machine gives it) and its peak live heap (the heap still in use
after a garbage collection: the state and buffers, without the garbage)."""

from __future__ import annotations

import contextlib
import dataclasses
import multiprocessing
import os
import signal
import subprocess
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import orjson

from flink_jobs import gateway, runtime
from flink_jobs.config import JobConfig
from tweetflow.stack import process


@dataclass(frozen=True)
class Measured:
    seconds: float
    peak_rss_bytes: int
    peak_live_heap_bytes: int  # 0: unknown (no recording)
    exit_code: int  # -9: stopped after the time limit
    out_of_memory: bool  # the job's logs show an OutOfMemoryError


def run_afresh(config: JobConfig) -> None:
    """The job with a gateway JVM of its own: without the state a Python UDF run leaves in the
    parent's environment, PyFlink would refuse to start one here."""
    for name in process.PYFLINK_LOOPBACK_VARIABLES:
        os.environ.pop(name, None)
    runtime.run(config)


def spawn(config: JobConfig) -> multiprocessing.process.BaseProcess:
    child = multiprocessing.get_context("spawn").Process(target=run_afresh, args=(config,))
    child.start()
    return child


def _peak_rss(pid: int) -> int:
    """VmHWM: the most resident memory the process ever had."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _jvms(pid: int) -> list[int]:
    out = []
    for child in gateway.descendants(pid):
        try:
            if Path(f"/proc/{child}/exe").resolve().name == "java":
                out.append(child)
        except OSError:
            continue
    return out


def live_heap_peak(recording: Path, jfr_tool: Path) -> int:
    """The largest heap in use right after a collection, from a flight recording (0 when there
    is none or it cannot be read)."""
    printed = subprocess.run(
        [str(jfr_tool), "print", "--json", "--events", "jdk.GCHeapSummary", str(recording)],
        capture_output=True, check=False, timeout=600,
    )  # fmt: skip
    if printed.returncode != 0:
        return 0
    events = orjson.loads(printed.stdout)["recording"]["events"]
    return max(
        (e["values"]["heapUsed"] for e in events if e["values"]["when"] == "After GC"), default=0
    )


def measure(config: JobConfig, tmp: Path, jfr_tool: Path, limit_s: float = 3600) -> Measured:
    """The run, stopped (with its JVM) after `limit_s`: a job whose state outgrows the heap
    restarts forever instead of failing."""
    recording = tmp / f"memory-{uuid.uuid4().hex[:6]}.jfr"
    jvm_args = f"-XX:StartFlightRecording=filename={recording},settings=default,dumponexit=true"
    config = dataclasses.replace(config, jvm_args=f"{config.jvm_args} {jvm_args}".strip())
    peak = 0
    began = time.monotonic()
    child = spawn(config)
    stop = threading.Event()

    def watch() -> None:
        nonlocal peak
        while not stop.is_set():
            for jvm in _jvms(child.pid or 0):
                peak = max(peak, _peak_rss(jvm))
            stop.wait(0.5)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    child.join(limit_s)
    seconds = time.monotonic() - began
    if child.is_alive():
        for jvm in _jvms(child.pid or 0):  # keep what the recording holds so far
            subprocess.run(
                [str(jfr_tool.parent / "jcmd"), str(jvm), "JFR.dump", f"filename={recording}"],
                capture_output=True, check=False, timeout=120,
            )  # fmt: skip
        for pid in [*gateway.descendants(child.pid or 0), child.pid or 0]:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        child.join()
    stop.set()
    watcher.join()
    heap = live_heap_peak(recording, jfr_tool) if recording.exists() else 0
    logs = config.log_dir.glob("flink-*.log") if config.log_dir else ()  # this run's own
    oom = any("java.lang.OutOfMemoryError" in p.read_text(errors="replace") for p in logs)
    return Measured(seconds, peak, heap, child.exitcode or 0, oom)
