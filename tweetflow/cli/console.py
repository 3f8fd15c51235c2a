"""What every `tweetflow` command prints the same way."""

from __future__ import annotations

from collections.abc import Iterable
from typing import NoReturn

import typer

from tweetflow.stack.service import ServiceStatus


def fail(message: str) -> NoReturn:
    """An actionable error on stderr and exit status 1; never a traceback."""
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(1)


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
