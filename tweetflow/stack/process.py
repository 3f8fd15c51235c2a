"""Start, find and stop the stack's daemon processes without leaving strays behind.

Each service runs in its own session with a pid file; its command line carries a marker
(-Dtweetflow.service=NAME -Dtweetflow.state=DIR) so `down` also finds a process whose pid
file was lost.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from tweetflow.core.errors import StackError

# PyFlink runs a local job's Python UDF workers inside the driver process ("loopback mode")
# and leaves these in that process's environment; a PyFlink program started from it later
# would inherit them and refuse to launch a gateway of its own.
PYFLINK_LOOPBACK_VARIABLES = (
    "PYFLINK_GATEWAY_DISABLED",
    "_PYFLINK_CONN_INFO_PATH",
    "PYTHON_LOOPBACK_SERVER_ADDRESS",
    "_PYTHON_WORKER_MEMORY_LIMIT",
)


@contextlib.contextmanager
def exclusive(lock_file: Path, on_wait: Callable[[], None] | None = None) -> Iterator[None]:
    """One `up` or `down` of a state directory at a time: two at once both found nothing
    running, both started the same services on the same ports and data, and the loser's
    clean-up stopped the winner's. `on_wait` is told once when another holds the lock."""
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    with lock_file.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if on_wait is not None:
                on_wait()
            fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def child_environment() -> dict[str, str]:
    """This process's environment for a child process, without PyFlink's loopback state."""
    env = dict(os.environ)
    for name in PYFLINK_LOOPBACK_VARIABLES:
        env.pop(name, None)
    return env


def marker_args(service: str, state_dir: Path) -> list[str]:
    return [f"-Dtweetflow.service={service}", f"-Dtweetflow.state={state_dir.resolve()}"]


def port_is_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def require_free_ports(service: str, host: str, ports: dict[str, int]) -> None:
    for variable, port in ports.items():
        if not port_is_free(host, port):
            raise StackError(
                f"{service} cannot start: {host}:{port} is already in use by another program. "
                f"Stop that program or choose another port with {variable}=<port>."
            )


def _cmdline(pid: int) -> list[str]:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return []
    return [part.decode(errors="replace") for part in raw.split(b"\0") if part]


def find_marked(service: str, state_dir: Path) -> list[int]:
    """Pids of live processes started by tweetflow for this service and state dir."""
    wanted = set(marker_args(service, state_dir))
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and wanted.issubset(_cmdline(int(entry.name))):
            pids.append(int(entry.name))
    return sorted(pids)


def is_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie has exited; it only waits for its parent to reap it.
    try:
        status = Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][0]
    except (OSError, IndexError):
        return False
    return status != "Z"


def spawn(
    command: list[str], log_file: Path, pid_file: Path, env: dict[str, str] | None = None
) -> int:
    log_file.parent.mkdir(parents=True, exist_ok=True)
    with log_file.open("ab") as log:
        proc = subprocess.Popen(
            command,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
            cwd=str(log_file.parent),
            start_new_session=True,
        )
    pid_file.write_text(str(proc.pid))
    return proc.pid


def wait_until(
    check: Callable[[], bool], timeout_s: float, alive: Callable[[], bool], what: str, log: Path
) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if check():
            return
        if not alive():
            raise StackError(f"{what} exited during start-up. Last log lines ({log}):\n{tail(log)}")
        time.sleep(0.5)
    raise StackError(
        f"{what} did not become healthy within {timeout_s:.0f} s. Last log lines ({log}):\n"
        f"{tail(log)}\nRaise TWEETFLOW_STARTUP_TIMEOUT_S on a slow machine."
    )


def tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def stop(pids: list[int], grace_s: float = 30.0) -> None:
    """SIGTERM, then SIGKILL what is still running after the grace period."""
    for pid in pids:
        try:
            os.killpg(pid, signal.SIGTERM)
        except (ProcessLookupError, PermissionError):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace_s
    while time.monotonic() < deadline and any(is_alive(p) for p in pids):
        time.sleep(0.2)
    for pid in pids:
        if is_alive(pid):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(is_alive(p) for p in pids):
        time.sleep(0.1)


def rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0
