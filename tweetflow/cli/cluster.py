"""`tweetflow cluster` (a standalone Flink cluster on this machine) and `tweetflow sql` (the job
as Flink SQL client scripts)."""

from __future__ import annotations

import os
import subprocess
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from tweetflow.cli import console
from tweetflow.cli.console import fail
from tweetflow.cli.job import EnrichmentOption
from tweetflow.core.errors import StackError
from tweetflow.core.settings import Settings
from tweetflow.stack.flink_cluster import FlinkCluster
from tweetflow.stack.stack import LocalStack

if TYPE_CHECKING:
    from flink_jobs.config import JobConfig

cluster_app = typer.Typer(
    help="A Flink standalone cluster on this machine: a JobManager and TaskManagers as JVMs."
)
sql_app = typer.Typer(help="The analytics job in the Flink SQL client.")


def _cluster() -> FlinkCluster:
    try:
        return FlinkCluster(Settings.from_env())
    except ValueError as exc:
        fail(str(exc))


@cluster_app.command("up")
def cluster_up() -> None:
    """Start the JobManager and the TaskManagers (idempotent); connectors are in its lib/."""
    cluster = _cluster()
    console.writable_state(cluster.settings.state_dir)
    try:
        report = cluster.up()
    except StackError as exc:
        fail(str(exc))
    endpoints = {service.name: service.endpoint for service in cluster.services}
    console.started(report.started, report.already_running, endpoints)
    overview = cluster.overview()
    typer.echo(
        f"Flink {overview['flink-version']} cluster up in {report.seconds:.1f} s: "
        f"{overview['taskmanagers']} TaskManagers, {overview['slots-total']} slots"
    )
    typer.echo(f"web UI and REST: {cluster.rest_url}")
    typer.echo(f"submit the job:  tweetflow job run --jobmanager {cluster.address}")


@cluster_app.command("down")
def cluster_down() -> None:
    """Stop the TaskManagers and the JobManager; running jobs stop with them."""
    _cluster().down()
    typer.echo("cluster down")


@cluster_app.command("status")
def cluster_status() -> None:
    """Each process, its health and memory; the cluster's slots and jobs. Exit 1 unless healthy."""
    cluster = _cluster()
    if not console.statuses(cluster.status()):
        raise typer.Exit(1)
    overview = cluster.overview()
    typer.echo(
        f"{overview['slots-available']}/{overview['slots-total']} slots free, "
        f"{overview['jobs-running']} job(s) running; web UI {cluster.rest_url}"
    )


@cluster_app.command("logs")
def cluster_logs(
    lines: Annotated[int, typer.Option("-n", min=1, help="lines from the end")] = 40,
) -> None:
    """Print the end of each process's log."""
    for path in _cluster().log_files().values():
        typer.echo(f"==> {path} <==")
        if path.exists():
            typer.echo("\n".join(path.read_text(errors="replace").splitlines()[-lines:]))


def _require_running(cluster: FlinkCluster) -> None:
    """Before Flink's own tools: without a cluster they wait a minute or more, and the SQL
    client then exits 0 as if the script had run."""
    try:
        cluster.overview()
    except StackError as exc:
        fail(str(exc))


def _sql_config(bounded: bool, cluster: FlinkCluster, enrichment: str) -> JobConfig:
    """The job as `job run` runs it by default (enrichment included), for the SQL client."""
    configured = cluster.distribution.configuration()
    return replace(
        LocalStack(cluster.settings).job_config(),
        kafka_group_id="tweetflow-sql-client",
        bounded=bounded,
        checkpoint_dir=None,
        parallelism=0,
        on_cluster=True,
        cluster_options=tuple((key, str(value)) for key, value in configured.items()),
        enrichment=enrichment,
    )


@sql_app.command("render")
def sql_render(
    out: Annotated[Path, typer.Option(help="directory for init.sql, job.sql and queries/")] = Path(
        "build/sql"
    ),
    bounded: Annotated[bool, typer.Option(help="read the topic up to its current end")] = False,
    enrichment: EnrichmentOption = "vectorized",
) -> None:
    """Write sql/ with the local stack's parameters as SQL client scripts."""
    from flink_jobs import sql_scripts

    config = _sql_config(bounded, _cluster(), enrichment)
    scripts = sql_scripts.render(config, out)
    typer.echo(f"wrote {scripts.init}, {scripts.job} and {len(scripts.queries)} queries in {out}")
    typer.echo(f"run: tweetflow sql client -f {scripts.job}")
    typer.echo(
        f"on a Flink cluster of your own, its lib/ needs tweetflow's functions: "
        f"{config.functions_jar}"
    )


@sql_app.command(
    "client",
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
)
def sql_client(
    ctx: typer.Context,
    file: Annotated[
        Path | None, typer.Option("-f", help="run this script and exit; else interactive")
    ] = None,
    bounded: Annotated[bool, typer.Option(help="read the topic up to its current end")] = False,
    enrichment: EnrichmentOption = "vectorized",
) -> None:
    """Flink's SQL client on the local cluster, with tweetflow's tables and views created.

    Extra arguments go to sql-client.sh unchanged."""
    from flink_jobs import es_templates, sql_scripts

    cluster = _cluster()
    _require_running(cluster)
    config = _sql_config(bounded, cluster, enrichment)
    scripts = sql_scripts.render(config, cluster.distribution.root / "sql")
    es_templates.install_for(config)
    command = [cluster.distribution.script("sql-client.sh"), "-i", str(scripts.init)]
    if file is not None:
        command += ["-f", str(file)]
    env = cluster.distribution.environment(cluster.java())
    if file is None:
        os.execvpe(command[0], command + ctx.args, env)  # the terminal belongs to the client
    raise typer.Exit(subprocess.run(command + ctx.args, env=env, check=False).returncode)


@cluster_app.command(
    "flink",
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
)
def cluster_flink(ctx: typer.Context) -> None:
    """Flink's own CLI (bin/flink) configured for this cluster, e.g.
    `tweetflow cluster flink run -d -pym flink_jobs.main` or `... list`."""
    cluster = _cluster()
    _require_running(cluster)
    env = cluster.distribution.environment(cluster.java())
    command = [cluster.distribution.script("flink"), *ctx.args]
    raise typer.Exit(subprocess.run(command, env=env, check=False).returncode)
