"""The `tweetflow` command."""

from __future__ import annotations

import json
import time
import urllib.request
from typing import Annotated

import typer

from producer import cli as producer_cli
from tweetflow.settings import Settings
from tweetflow.stack.errors import StackError
from tweetflow.stack.stack import LocalStack

app = typer.Typer(
    help="Real-time tweet analytics on Apache Flink SQL.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
stack_app = typer.Typer(help="The local stack: Kafka and Elasticsearch as plain processes.")
job_app = typer.Typer(help="The Flink SQL analytics job.")
app.add_typer(stack_app, name="stack")
app.add_typer(job_app, name="job")
app.command("produce")(producer_cli.produce)


def _settings() -> Settings:
    try:
        return Settings.from_env()
    except ValueError as exc:
        _fail(str(exc))


def _fail(message: str) -> None:
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(1)


def _up(stack: LocalStack) -> None:
    try:
        report = stack.up()
    except StackError as exc:
        _fail(str(exc))
    for name in report.started:
        typer.echo(f"started {name:<14} {stack.services[name].endpoint}")
    for name in report.already_running:
        typer.echo(f"running {name:<14} {stack.services[name].endpoint} (already up)")
    typer.echo(f"stack up in {report.seconds:.1f} s; state in {stack.settings.state_dir}")


@stack_app.command("up")
def stack_up() -> None:
    """Start Kafka and Elasticsearch (idempotent) and fetch the Flink connector jars."""
    _up(LocalStack(_settings()))


@stack_app.command("down")
def stack_down() -> None:
    """Stop every stack process; nothing is left running."""
    stack = LocalStack(_settings())
    stack.down()
    typer.echo("stack down")


@stack_app.command("status")
def stack_status() -> None:
    """Show each service, its health, pids and resident memory. Exit 1 unless all healthy."""
    statuses = LocalStack(_settings()).status()
    for s in statuses:
        state = "healthy" if s.healthy else ("unhealthy" if s.running else "stopped")
        pids = ",".join(map(str, s.pids)) or "-"
        typer.echo(f"{s.name:<14} {state:<9} {s.endpoint:<24} pid {pids:<8} {s.rss_kib >> 10} MiB")
    if not all(s.healthy for s in statuses):
        raise typer.Exit(1)


@stack_app.command("logs")
def stack_logs(
    service: Annotated[str, typer.Argument(help="kafka or elasticsearch")] = "",
    lines: Annotated[int, typer.Option("-n", help="lines from the end")] = 40,
) -> None:
    """Print the end of each service's log."""
    for name, path in LocalStack(_settings()).log_files().items():
        if service and name != service:
            continue
        typer.echo(f"==> {path} <==")
        if path.exists():
            typer.echo("\n".join(path.read_text(errors="replace").splitlines()[-lines:]))


@stack_app.command("lock")
def stack_lock() -> None:
    """Re-resolve every jar and rewrite artifacts.lock.json (after editing versions.toml)."""
    from tweetflow.stack import artifacts

    settings = _settings()
    try:
        lock = artifacts.write_lock(settings.cache_dir, LocalStack(settings).java().home)
    except StackError as exc:
        _fail(str(exc))
    for name, entry in lock.items():
        typer.echo(f"{name}: {len(entry['sha256'])} jars")  # type: ignore[index]


@job_app.command("run")
def job_run(
    bounded: Annotated[
        bool, typer.Option(help="stop at the topic's current end instead of running forever")
    ] = False,
) -> None:
    """Run the analytics job on the embedded mini-cluster (Ctrl-C stops it)."""
    from flink_jobs import job

    stack = LocalStack(_settings())
    config = stack.job_config(kafka_group_id="tweetflow", bounded=bounded)
    result = job.start(config)
    client = result.get_job_client()
    job_id = client.get_job_id() if client is not None else "?"
    typer.echo(
        f"job {job_id} (tweetflow-analytics) running on the embedded mini-cluster: "
        f"{len(config.queries)} queries, reading {config.kafka_topic} at {config.kafka_bootstrap}, "
        f"writing {config.es_index_prefix}* at {config.es_hosts}"
    )
    result.wait()
    typer.echo(f"job {job_id} finished")


@job_app.command("explain")
def job_explain() -> None:
    """Print the optimized plan of the whole job."""
    from flink_jobs import job

    stack = LocalStack(_settings())
    typer.echo(job.explain(stack.job_config(kafka_group_id="tweetflow-explain", bounded=True)))


def index_summary(es_url: str, prefix: str = "tweetflow_") -> dict[str, int]:
    url = f"{es_url}/_cat/indices/{prefix}*?format=json&h=index,docs.count"
    urllib.request.urlopen(f"{es_url}/{prefix}*/_refresh", data=b"", timeout=30).close()
    with urllib.request.urlopen(url, timeout=30) as response:
        rows = json.load(response)
    return {row["index"]: int(row["docs.count"]) for row in sorted(rows, key=lambda r: r["index"])}


es_app = typer.Typer(help="tweetflow's Elasticsearch indexes.")
app.add_typer(es_app, name="es")


@es_app.command("prune")
def es_prune(
    keep_days: Annotated[int, typer.Option(help="days of live tweets to keep, today included")] = 7,
    prefix: Annotated[str, typer.Option(help="index prefix")] = "tweetflow_",
) -> None:
    """Delete live-tweet indexes older than --keep-days (run it daily, e.g. from cron)."""
    from flink_jobs import retention

    deleted = retention.prune(_settings().es_url, prefix, keep_days)
    typer.echo(f"deleted {len(deleted)} index(es): {', '.join(deleted) or 'none'}")


@app.command()
def demo(
    tweets: Annotated[int, typer.Option(help="synthetic tweets to produce")] = 20_000,
) -> None:
    """End to end on embedded defaults: local stack, tweets into Kafka, SQL job, results in ES."""
    from flink_jobs import job

    settings = _settings()
    stack = LocalStack(settings)
    _up(stack)
    began = time.monotonic()
    produced_from_ms = int(time.time() * 1000)
    config = producer_cli.synthetic_config(tweets, int(time.time()), None, 50.0)
    producer_cli.send(settings, producer_cli.synthetic_records(config))
    # Read only what this demo produced, whatever earlier runs left in the topic.
    job_config = stack.job_config(
        kafka_group_id=f"tweetflow-demo-{int(time.time())}",
        bounded=True,
        scan_startup_mode="timestamp",
        scan_startup_timestamp_ms=produced_from_ms,
    )
    typer.echo("running the Flink SQL job on the embedded mini-cluster until the topic's end")
    job_id = job.run(job_config)
    typer.echo(f"job {job_id} done in {time.monotonic() - began:.1f} s")
    typer.echo(f"results in Elasticsearch at {settings.es_url}:")
    for index, docs in index_summary(settings.es_url).items():
        typer.echo(f"  {index:<32} {docs:>8} documents")
    typer.echo("the stack keeps running; stop it with `tweetflow stack down`")


def main() -> None:  # pragma: no cover
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
