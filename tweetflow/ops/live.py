"""`tweetflow live`: the whole pipeline live in one command, for a newcomer.

The local stack comes up, a producer feeds the topic in the background (Bluesky's public post
stream, or synthetic tweets), the SQL job runs on the embedded mini-cluster reading from this
moment on, and the terminal view shows the results in the foreground. Ctrl-C stops the view,
cancels the job and lets the producer flush what it read before it exits.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from tweetflow.stack.process import child_environment

if TYPE_CHECKING:
    from tweetflow.stack.stack import LocalStack


PR_SET_PDEATHSIG = 1  # linux/prctl.h
# Tells the producer to watch for `live` going away too (tweetflow/cli/produce.py).
STOP_WITH_PARENT = "TWEETFLOW_STOP_WITH_PARENT"
CANCEL_TIMEOUT_S = 20


@dataclass(frozen=True)
class LiveOptions:
    source: str = "bluesky"  # or synthetic
    rate: float = 200.0  # synthetic: tweets per second
    enrich_profiles: bool = True  # bluesky: followers for the influencers query
    hashtag: str = ""
    interval_s: float = 2.0
    enrichment: str = "vectorized"  # the sentiment UDF; "off" leaves Python out of the job


def producer_command(options: LiveOptions) -> list[str]:
    command = [sys.executable, "-m", "tweetflow.cli", "produce", "--source", options.source]
    if options.source == "synthetic":
        command += ["--count", "0", "--rate", f"{options.rate:g}"]
    elif options.enrich_profiles:
        command.append("--enrich-profiles")
    return command


def _stop_with_parent() -> None:
    """In the producer, before it runs: SIGINT when `live` dies, even by SIGKILL (Linux), so
    the producer never feeds the topic on its own."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGINT)


def start_producer(options: LiveOptions, log_file: Path) -> subprocess.Popen[bytes]:
    log_file.parent.mkdir(parents=True, exist_ok=True)
    with open(log_file, "ab") as log:
        # A session of its own: Ctrl-C reaches the view; the producer is stopped in order.
        return subprocess.Popen(
            producer_command(options),
            env={**child_environment(), STOP_WITH_PARENT: str(os.getpid())},
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            preexec_fn=_stop_with_parent if sys.platform == "linux" else None,
        )


def wait_producer(process: subprocess.Popen[bytes], timeout_s: float = 30.0) -> int | None:
    """The producer, sent SIGINT once (as Ctrl-C would: a second one would cut its flush
    short), flushes every acknowledged send and exits; SIGKILL if it has not in `timeout_s`."""
    try:
        process.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    return process.returncode


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt(signal.Signals(signum).name)


def run(stack: LocalStack, options: LiveOptions, say: TextIO = sys.stderr) -> int:
    from flink_jobs import gateway, runtime
    from tweetflow.ops import watch

    settings = stack.settings
    began_ms = int(time.time() * 1000)
    log_file = settings.state_dir / "logs" / "live-producer.log"
    # `kill`, `timeout` or a closed terminal stop everything as Ctrl-C does.
    for stop_signal in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(stop_signal, _interrupt)
    producer = start_producer(options, log_file)
    result = None
    try:
        config = replace(
            stack.job_config(),
            kafka_group_id=f"tweetflow-live-{began_ms}",
            scan_startup_mode="timestamp",
            scan_startup_timestamp_ms=began_ms,
            enrichment=options.enrichment,
        )
        say.write(f"producer ({options.source}) running, log: {log_file}\n")
        say.write("starting the Flink SQL job on the embedded mini-cluster...\n")
        result = runtime.start(config)
        if producer.poll() is not None:
            say.write(f"the producer stopped (status {producer.returncode}); see {log_file}\n")
            return 1
        return watch.run(
            watch.Source(watch.client(settings), config.es_index_prefix),
            settings.es_url,
            options.hashtag,
            options.interval_s,
        )
    except KeyboardInterrupt:  # before the view took over
        return 0
    finally:
        # Stopping: a second Ctrl-C (or SIGTERM) must not cut it short.
        for stop_signal in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(stop_signal, signal.SIG_IGN)
        if producer.poll() is None:
            producer.send_signal(signal.SIGINT)  # it flushes while the job is cancelled
        if result is not None and (client := result.get_job_client()) is not None:
            with contextlib.suppress(Exception):  # the job may already have failed
                cancelled = client.cancel()
                deadline = time.monotonic() + CANCEL_TIMEOUT_S
                while not cancelled.done() and time.monotonic() < deadline:
                    time.sleep(0.1)
        status = wait_producer(producer)
        # Last, and waited for: the JVM's shutdown writes to its log, not onto the terminal.
        gateway.stop()
        say.write(f"live stopped: job cancelled, producer exited with {status}; log: {log_file}\n")
