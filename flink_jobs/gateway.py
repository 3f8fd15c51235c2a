"""The JVM behind PyFlink: started with its output in a log file, stopped before we exit.

PyFlink starts its gateway JVM (which also runs the embedded mini-cluster) as a child process
that inherits this process's standard output, and leaves it running when Python exits: the
JVM then shuts the mini-cluster down on its own, and whatever it prints meanwhile (a Kafka
client's error logged after the job's class loader closed, a stack trace from log4j itself)
lands on the user's terminal, even after the shell prompt came back.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import signal
import sys
import time
from collections.abc import Iterator
from pathlib import Path

MAIN_CLASS = "org.apache.flink.client.python.PythonGatewayServer"
OUTPUT_FILE = "gateway.out"
PY4J_LOG = "py4j.log"
_stopped = False


def pyflink_home() -> Path:
    """The Flink distribution inside the PyFlink package: its lib/ and bin/."""
    import pyflink

    return Path(pyflink.__file__).resolve().parent


@contextlib.contextmanager
def stdout_to(log_file: Path) -> Iterator[None]:
    """File descriptor 1 points at `log_file` inside the block, so a child started in it
    writes there; this process's own output is restored afterwards."""
    log_file.parent.mkdir(parents=True, exist_ok=True)
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with log_file.open("ab") as log:
            os.dup2(log.fileno(), 1)
        yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)


class _FromPy4j(logging.Filter):
    """Records py4j logs on the root logger go to its log instead."""

    def __init__(self, log: logging.Handler) -> None:
        super().__init__()
        self.log = log

    def filter(self, record: logging.LogRecord) -> bool:
        if f"{os.sep}py4j{os.sep}" in record.pathname:
            self.log.handle(record)
            return False
        return True


def start(log_dir: Path | None) -> None:
    """Launch the gateway now (PyFlink would at the first environment), its output in
    `log_dir`; a no-op once it runs, or without a log directory."""
    from pyflink import java_gateway

    if java_gateway._gateway is not None or log_dir is None:
        return
    with stdout_to(log_dir / OUTPUT_FILE):
        java_gateway.get_gateway()
    # py4j's own complaints (a call cut short by Ctrl-C, objects collected while the JVM
    # stops) are tracebacks meant for a log, not for the user's terminal. Some it logs on the
    # root logger itself, so a filter there takes those.
    log = logging.FileHandler(log_dir / PY4J_LOG, encoding="utf-8")
    py4j = logging.getLogger("py4j")
    py4j.addHandler(log)
    py4j.propagate = False
    logging.getLogger().addFilter(_FromPy4j(log))
    # Every command that started it waits for its end: nothing outlives the command's prompt.
    atexit.register(stop)


def process_table() -> dict[int, tuple[int, str]]:
    """Every process on the machine: its parent and its command line, from /proc."""
    table = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        table[int(entry.name)] = (parent, cmdline.replace(b"\0", b" ").decode(errors="replace"))
    return table


def descendants(pid: int) -> dict[int, str]:
    """Every process below `pid` (children, theirs, ...), with its command line."""
    table = process_table()
    found: dict[int, str] = {}
    wanted = {pid}
    while wanted:
        wanted = {child for child, (parent, _) in table.items() if parent in wanted}
        found |= {child: table[child][1] for child in wanted}
    return found


def pids() -> list[int]:
    """This process's gateway JVMs (normally one)."""
    return [
        pid
        for pid, (parent, command) in process_table().items()
        if parent == os.getpid() and MAIN_CLASS in command
    ]


def stop(timeout_s: float = 20.0) -> None:
    """SIGTERM to the gateway JVM (its shutdown hooks close the mini-cluster), SIGKILL after
    `timeout_s`; returns once it is gone. Once: `live` stops it before its summary, then the
    exit handler finds nothing to do."""
    global _stopped
    from pyflink import java_gateway

    if _stopped:
        return
    _stopped = True
    if java_gateway._gateway is not None:
        # Python's side first: Java objects collected from now on are not sent to a JVM that
        # is gone (py4j would log a traceback for each).
        java_gateway._gateway.close()
    running = pids()
    for pid in running:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout_s
    for pid in running:
        while not _reaped(pid):
            if time.monotonic() > deadline:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            time.sleep(0.1)


def _reaped(pid: int) -> bool:
    try:
        done, _ = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:  # reaped elsewhere (subprocess's own bookkeeping)
        return True
    return done == pid
