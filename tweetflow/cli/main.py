"""The `tweetflow` command."""

from __future__ import annotations

import json
import signal
import time
from dataclasses import asdict, replace
from typing import Annotated

import typer

from producer.synthetic import synthetic_config, synthetic_records
from tweetflow.cli import console
from tweetflow.cli import produce as producer_cli
from tweetflow.cli.cluster import cluster_app, sql_app
from tweetflow.cli.console import fail
from tweetflow.cli.job import EnrichmentOption, job_app
from tweetflow.core.errors import StackError
from tweetflow.core.es_connection import connect
from tweetflow.core.settings import Settings
from tweetflow.stack.stack import LocalStack

app = typer.Typer(
    help="Real-time tweet analytics on Apache Flink SQL.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
stack_app = typer.Typer(help="The local stack: Kafka and Elasticsearch as plain processes.")
app.add_typer(stack_app, name="stack")
app.add_typer(job_app, name="job")
app.command("produce")(producer_cli.produce)
app.add_typer(cluster_app, name="cluster")
app.add_typer(sql_app, name="sql")


def _up(stack: LocalStack) -> None:
    console.writable_state(stack.settings.state_dir)

    def waiting() -> None:
        typer.echo("another `tweetflow stack up` or `down` is at work on this stack: waiting")

    try:
        report = stack.up(on_wait=waiting)
    except StackError as exc:
        fail(str(exc))
    endpoints = {name: service.endpoint for name, service in stack.services.items()}
    console.started(report.started, report.already_running, endpoints)
    typer.echo(f"stack up in {report.seconds:.1f} s; state in {stack.settings.state_dir}")


OPTIONAL_SERVICES = ("prometheus",)


@stack_app.command("up")
def stack_up(
    with_: Annotated[
        list[str],
        typer.Option(
            "--with",
            help="also start prometheus (scraping the job, the local cluster and the producer; "
            "or TWEETFLOW_PROMETHEUS=on)",
        ),
    ] = [],  # noqa: B006 - typer reads the default, never mutates it
) -> None:
    """Start Kafka and Elasticsearch (idempotent) and fetch the Flink connector jars."""
    settings = console.settings()
    unknown = sorted(set(with_) - set(OPTIONAL_SERVICES))
    if unknown:
        fail(f"--with {', '.join(unknown)}: the stack can add {', '.join(OPTIONAL_SERVICES)}")
    if "prometheus" in with_:
        settings = replace(settings, prometheus="on")
    _up(LocalStack(settings))


@stack_app.command("down")
def stack_down() -> None:
    """Stop every stack process; nothing is left running."""
    stack = LocalStack(console.settings())
    stack.down()
    typer.echo("stack down")


@stack_app.command("status")
def stack_status() -> None:
    """Show each service, its health, pids and resident memory. Exit 1 unless all healthy."""
    if not console.statuses(LocalStack(console.settings()).status()):
        raise typer.Exit(1)


@stack_app.command("logs")
def stack_logs(
    service: Annotated[str, typer.Argument(help="kafka or elasticsearch")] = "",
    lines: Annotated[int, typer.Option("-n", min=1, help="lines from the end")] = 40,
) -> None:
    """Print the end of each service's log."""
    logs = LocalStack(console.settings()).log_files()
    if service and service not in logs:
        raise typer.BadParameter(
            f"no service {service!r}; the stack has {', '.join(logs)}", param_hint="'SERVICE'"
        )
    for name, path in logs.items():
        if service and name != service:
            continue
        typer.echo(f"==> {path} <==")
        if path.exists():
            typer.echo("\n".join(path.read_text(errors="replace").splitlines()[-lines:]))


@stack_app.command("lock")
def stack_lock() -> None:
    """Re-resolve every jar and rewrite artifacts.lock.json (after editing versions.toml)."""
    from tweetflow.core import artifacts

    settings = console.settings()
    try:
        lock = artifacts.write_lock(settings.cache_dir, LocalStack(settings).java().home)
    except StackError as exc:
        fail(str(exc))
    for name, entry in lock.items():
        typer.echo(f"{name}: {len(entry['sha256'])} jars")  # type: ignore[index]


def index_summary(settings: Settings) -> dict[str, int]:
    prefix = settings.es_index_prefix
    es = connect(settings, timeout=30)
    es.indices.refresh(index=f"{prefix}*")
    rows = es.cat.indices(index=f"{prefix}*", format="json", h="index,docs.count")
    return {row["index"]: int(row["docs.count"]) for row in sorted(rows, key=lambda r: r["index"])}


PrefixOption = Annotated[
    str | None,
    typer.Option(help="index prefix of the job's results [default: TWEETFLOW_ES_INDEX_PREFIX]"),
]


@app.command("status")
def status(
    interval: Annotated[
        float, typer.Option(min=0.5, help="seconds between the two readings rates come from")
    ] = 2.0,
) -> None:
    """The pipeline's health on one screen: job state, rates, duplicates, dead letters, lag,
    results written, the last checkpoint, the producer. Exit 1 unless a job runs."""
    from tweetflow.ops import status as health
    from tweetflow.stack.prometheus import targets

    found = targets(console.settings()).values()
    urls = [f"http://{target}/metrics" for kind in found for target in kind]
    before = health.read(urls)
    time.sleep(interval)
    text, running = health.render(before, health.read(urls))
    typer.echo(text)
    if not running:
        raise typer.Exit(1)


@app.command("dead-letters")
def dead_letters(
    newest: Annotated[
        int, typer.Option(min=0, help="show this many of the newest dead letters")
    ] = 5,
    prefix: PrefixOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the summary as JSON")] = False,
) -> None:
    """What was rejected: dead letters per reason (producer and job), late tweets, result
    documents Elasticsearch refused, the newest dead letters."""
    from producer.kafka_sink import KafkaUnavailable, explained_failures
    from tweetflow.core import reachable
    from tweetflow.ops import dead_letters as letters

    settings = console.settings()
    prefix = prefix or settings.es_index_prefix
    try:
        reachable.kafka(settings.kafka_bootstrap)  # seconds, not the client's half minute
        with explained_failures(settings.kafka_bootstrap):
            summary = letters.read(settings.kafka_bootstrap, settings.topic, max(newest, 1))
    except (KafkaUnavailable, reachable.Unreachable) as exc:
        fail(str(exc))
    late: int | None = None
    dropped: int | None = None
    rejected: list[letters.Rejections] | None = None
    es_url = settings.es_hosts or settings.es_url
    try:
        reachable.elasticsearch(es_url)
        es = connect(settings, timeout=10)
        index = f"{prefix}late_tweets"
        late = int(es.count(index=index)["count"]) if es.indices.exists(index=index) else 0
        dropped = letters.duplicates(es, prefix)
        rejected = letters.rejected_documents(es, prefix)
    except Exception as exc:  # the counts of Kafka still stand on their own; say what is not
        typer.echo(
            "late, repeated tweets and refused documents unknown: Elasticsearch at "
            f"{es_url} did not answer ({type(exc).__name__})",
            err=True,
        )
    if as_json:
        extra = {
            "late_tweets": late,
            "duplicates_dropped": dropped,
            "rejected_documents": [asdict(r) for r in rejected or []],
        }
        typer.echo(json.dumps(summary.as_dict() | extra, ensure_ascii=False))
    else:
        typer.echo(letters.render(summary, late, dropped=dropped, rejected=rejected))


es_app = typer.Typer(help="tweetflow's Elasticsearch indexes.")
app.add_typer(es_app, name="es")


@es_app.command("prune")
def es_prune(
    keep_days: Annotated[
        int, typer.Option(min=1, help="days of live tweets to keep, today included")
    ] = 7,
    prefix: PrefixOption = None,
    dry_run: Annotated[
        bool, typer.Option(help="list what would be deleted, delete nothing")
    ] = False,
) -> None:
    """Delete live-tweet indexes older than --keep-days (run it daily, e.g. from cron)."""
    from flink_jobs import retention
    from tweetflow.core import reachable

    settings = console.settings()
    try:
        reachable.elasticsearch(settings.es_hosts or settings.es_url)
    except reachable.Unreachable as exc:
        fail(str(exc))
    deleted = retention.prune(
        connect(settings), prefix or settings.es_index_prefix, keep_days, dry_run=dry_run
    )
    verb = "would delete" if dry_run else "deleted"
    typer.echo(f"{verb} {len(deleted)} index(es): {', '.join(deleted) or 'none'}")


@app.command()
def watch(
    hashtag: Annotated[
        str, typer.Option(help="the hashtag view: its volume, co-occurring hashtags, influencers")
    ] = "",
    interval: Annotated[float, typer.Option(min=0.5, help="seconds between refreshes")] = 2.0,
    prefix: PrefixOption = None,
    once: Annotated[
        bool, typer.Option(help="print one screen and exit; status 1 if Elasticsearch failed")
    ] = False,
) -> None:
    """The dashboards in the terminal: tweet rate, top hashtags and authors, newest tweets."""
    from tweetflow.ops import watch as view

    settings = console.settings()
    tag = hashtag.lstrip("#").lower()
    source = view.Source(view.client(settings), prefix or settings.es_index_prefix)
    status = view.run(source, settings.es_url, tag, max(interval, 0.5), once)
    # Stopped: a second Ctrl-C (an impatient user, a loaded machine delivering late) must not
    # turn a clean exit into a KeyboardInterrupt during shutdown.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if not once:
        typer.echo("tweetflow watch stopped")
    raise typer.Exit(status)


@app.command()
def live(
    source: Annotated[str, typer.Option(help="bluesky (the public post stream) or synthetic")] = (
        "bluesky"
    ),
    rate: Annotated[float, typer.Option(min=0, help="synthetic: tweets per second")] = 200.0,
    enrich_profiles: Annotated[
        bool, typer.Option(help="bluesky: fetch follower counts for the influencers query")
    ] = True,
    hashtag: Annotated[str, typer.Option(help="show the hashtag view")] = "",
    enrichment: EnrichmentOption = "vectorized",
) -> None:
    """Everything live in one command: stack, producer, SQL job and the terminal view.
    Ctrl-C stops them all."""
    from tweetflow.ops import live as pipeline_live

    if source not in ("bluesky", "synthetic"):
        fail(f"--source {source!r}: live runs bluesky or synthetic")
    stack = LocalStack(console.settings())
    _up(stack)
    options = pipeline_live.LiveOptions(
        source, rate, enrich_profiles, hashtag.lstrip("#").lower(), 2.0, enrichment
    )
    raise typer.Exit(pipeline_live.run(stack, options))


@app.command()
def demo(
    tweets: Annotated[int, typer.Option(min=1, help="synthetic tweets to produce")] = 20_000,
    enrichment: EnrichmentOption = "vectorized",
    archive: Annotated[
        bool, typer.Option(help="archive the tweets as Parquet in $TWEETFLOW_STATE_DIR/archive")
    ] = True,
) -> None:
    """End to end on embedded defaults: local stack, tweets into Kafka, SQL job, results in ES."""
    from flink_jobs import runtime

    settings = console.settings()
    stack = LocalStack(settings)
    _up(stack)
    began = time.monotonic()
    produced_from_ms = int(time.time() * 1000)
    config = synthetic_config(tweets, None, None, 50.0)
    producer_cli.send(settings, synthetic_records(config))
    # Read only what this demo produced, whatever earlier runs left in the topic.
    archived = archive and enrichment != "off"
    job_config = replace(
        stack.job_config(archive=archived),
        kafka_group_id=f"tweetflow-demo-{int(time.time())}",
        bounded=True,
        scan_startup_mode="timestamp",
        scan_startup_timestamp_ms=produced_from_ms,
        enrichment=enrichment,
        archive_path=str(settings.state_dir / "archive") if archived else "",
    )
    typer.echo("running the Flink SQL job on the embedded mini-cluster until the topic's end")
    job_id = runtime.run(job_config)
    typer.echo(f"job {job_id} done in {time.monotonic() - began:.1f} s")
    typer.echo(f"results in Elasticsearch at {settings.es_url}:")
    for index, docs in index_summary(settings).items():
        typer.echo(f"  {index:<32} {docs:>8} documents")
    if job_config.archive_path:
        typer.echo(f"archive (Parquet): {job_config.archive_path}")
        typer.echo(_archive_summary(job_config.archive_path))
    typer.echo("the stack keeps running; stop it with `tweetflow stack down`")


def _archive_summary(path: str) -> str:
    """The archive's tweets per sentiment label, read back with DuckDB when it is installed
    (the dev extra); else where to read how."""
    try:
        import duckdb
    except ImportError:
        return "  read it with DuckDB (pip install duckdb): docs/queries.md, the Parquet archive"
    files = f"{path}/*/*/part-*".replace("'", "''")
    rows = duckdb.sql(
        f"SELECT sentiment_label, count(*) FROM read_parquet('{files}', hive_partitioning = true)"
        " GROUP BY 1 ORDER BY 2 DESC"
    ).fetchall()
    lines = [f"  {label or 'not scored (not English)'}: {n:,}" for label, n in rows]
    return "\n".join(["tweets per sentiment label in the archive (DuckDB):", *lines])


def main() -> None:  # pragma: no cover
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
