"""What every `tweetflow` command prints the same way."""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import NoReturn

import typer

from tweetflow.core.settings import Settings
from tweetflow.stack.service import ServiceStatus


def fail(message: str) -> NoReturn:
    """An actionable error on stderr and exit status 1; never a traceback."""
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(1)


def settings() -> Settings:
    """The TWEETFLOW_* settings, or one message naming the variable that is wrong."""
    try:
        return Settings.from_env()
    except ValueError as exc:
        fail(str(exc))


def writable_state(directory: Path) -> None:
    """The state directory (data, logs, checkpoints) can be written, else one message: the
    services and the job would each fail there later with a traceback of their own."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=directory, prefix=".writable-"):
            pass
    except OSError as exc:
        fail(
            f"TWEETFLOW_STATE_DIR={directory}: cannot write there ({exc.strerror}); set it to a "
            "directory you can write, or leave it unset for the default"
        )


def java_failure(exc: Exception) -> str | None:
    """What a Java exception behind py4j says, first line and root cause; None otherwise."""
    java = getattr(exc, "java_exception", None)
    if java is None:
        return None
    first = str(java.toString()).splitlines()[0]
    root = java
    while root.getCause() is not None and root.getCause() != root:
        root = root.getCause()
    cause = str(root.toString()).splitlines()[0]
    return first if cause == first else f"{first}; caused by {cause}"


def started(
    names: Iterable[str], already_running: Iterable[str], endpoints: dict[str, str]
) -> None:
    for name in names:
        typer.echo(f"started {name:<20} {endpoints[name]}")
    for name in already_running:
        typer.echo(f"running {name:<20} {endpoints[name]} (already up)")


def statuses(rows: list[ServiceStatus]) -> bool:
    """One line per service; True when all are healthy."""
    for s in rows:
        state = "healthy" if s.healthy else ("unhealthy" if s.running else "stopped")
        pids = ",".join(map(str, s.pids)) or "-"
        typer.echo(f"{s.name:<20} {state:<9} {s.endpoint:<44} pid {pids:<8} {s.rss_kib >> 10} MiB")
    return all(s.healthy for s in rows)
