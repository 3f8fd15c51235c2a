"""The `tweetflow` command."""

from __future__ import annotations

import json
import signal
import time
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from producer.synthetic import synthetic_config, synthetic_records
from tweetflow.cli import console
from tweetflow.cli import produce as producer_cli
from tweetflow.cli.cluster import cluster_app, sql_app
from tweetflow.cli.console import fail
from tweetflow.core.errors import StackError
from tweetflow.core.es_connection import connect
from tweetflow.core.settings import Settings
from tweetflow.stack.flink_cluster import FlinkCluster
from tweetflow.stack.stack import LocalStack

if TYPE_CHECKING:
    from flink_jobs.rest import FlinkRest

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
app.add_typer(cluster_app, name="cluster")
app.add_typer(sql_app, name="sql")


def _settings() -> Settings:
    try:
        return Settings.from_env()
    except ValueError as exc:
        fail(str(exc))


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
    if not console.statuses(LocalStack(_settings()).status()):
        raise typer.Exit(1)


@stack_app.command("logs")
def stack_logs(
    service: Annotated[str, typer.Argument(help="kafka or elasticsearch")] = "",
    lines: Annotated[int, typer.Option("-n", min=1, help="lines from the end")] = 40,
) -> None:
    """Print the end of each service's log."""
    logs = LocalStack(_settings()).log_files()
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

    settings = _settings()
    try:
        lock = artifacts.write_lock(settings.cache_dir, LocalStack(settings).java().home)
    except StackError as exc:
        fail(str(exc))
    for name, entry in lock.items():
        typer.echo(f"{name}: {len(entry['sha256'])} jars")  # type: ignore[index]


EnrichmentOption = Annotated[
    str,
    typer.Option(
        help="sentiment by a Python UDF: vectorized (pandas batches), scalar, or off (no "
        "Python in the job at all)"
    ),
]


ArchiveOption = Annotated[
    str,
    typer.Option(
        help="write every tweet with its sentiment as Parquet here (a directory, or a URI "
        "such as s3://bucket/tweets); needs enrichment"
    ),
]


@job_app.command("run")
def job_run(
    bounded: Annotated[
        bool, typer.Option(help="stop at the topic's current end instead of running forever")
    ] = False,
    jobmanager: Annotated[
        str,
        typer.Option(
            help="host:port of a running Flink cluster's REST endpoint (e.g. the one of "
            "`tweetflow cluster up`); the job is submitted there and this command returns",
        ),
    ] = "",
    from_savepoint: Annotated[
        str, typer.Option(help="restore the job's state from this savepoint or checkpoint")
    ] = "",
    allow_non_restored_state: Annotated[
        bool, typer.Option(help="with --from-savepoint: drop state no operator claims")
    ] = False,
    resume: Annotated[
        bool,
        typer.Option(
            help="on the mini-cluster: restore from the newest checkpoint the last run left "
            "(after a crash, kill -9 or Ctrl-C)"
        ),
    ] = False,
    parallelism: Annotated[
        int,
        typer.Option(
            min=0, help="0: 1 on the mini-cluster, the cluster's parallelism.default otherwise"
        ),
    ] = 0,
    enrichment: EnrichmentOption = "vectorized",
    archive: ArchiveOption = "",
    watermark_delay: Annotated[
        int | None,
        typer.Option(
            min=0,
            help="seconds a tweet may arrive late and still count; windows close this much "
            "after their end (default 5)",
        ),
    ] = None,
    flush_interval: Annotated[
        str | None,
        typer.Option(help="how often results are sent to Elasticsearch (default 500ms)"),
    ] = None,
    refresh_interval: Annotated[
        str | None,
        typer.Option(help="how often Elasticsearch makes them searchable (default 1s)"),
    ] = None,
    start: Annotated[
        str,
        typer.Option(
            "--from",
            help="where in the topic to start: earliest (every window complete), latest, group "
            "(the consumer group's committed offsets: windows already under way restart "
            "partial), or a time such as 2026-12-06T09:00:00Z",
        ),
    ] = "earliest",
    without: Annotated[
        list[str] | None,
        typer.Option(
            help="leave this query out (repeatable), e.g. --without live_tweets, which indexes "
            "every tweet: at 20,000 tweets/s that is most of Elasticsearch's work"
        ),
    ] = None,
    set_option: Annotated[
        list[str] | None,
        typer.Option(
            "--set",
            help="a Flink option KEY=VALUE for the job, after tweetflow's own (repeatable), "
            "e.g. --set execution.checkpointing.interval='60 s'",
        ),
    ] = None,
) -> None:
    """Run the analytics job: on the embedded mini-cluster until Ctrl-C (or the topic's end
    with --bounded), or submitted to a Flink cluster with --jobmanager. A window's results are
    searchable about its watermark delay + flush + refresh interval after it ends."""
    from flink_jobs import catalog, runtime
    from flink_jobs.config import parse_flink_options, start_position
    from flink_jobs.rest import FlinkRest, FlinkRestError
    from tweetflow.core import reachable

    settings = _settings()
    stack = LocalStack(settings)
    try:  # before anything is built or started: seconds, not a silent wait
        reachable.kafka(settings.kafka_bootstrap)
        reachable.elasticsearch(settings.es_hosts or settings.es_url)
    except reachable.Unreachable as exc:
        fail(str(exc))
    console.writable_state(settings.state_dir)
    local = from_savepoint.removeprefix("file://")
    if from_savepoint and "://" not in local and not Path(local).exists():
        fail(
            f"--from-savepoint {from_savepoint}: no such savepoint or checkpoint (`tweetflow job "
            "stop` prints where it wrote one; --resume finds the newest checkpoint)"
        )
    if resume:
        if from_savepoint or jobmanager:
            fail("--resume restarts a mini-cluster run; on a cluster use --from-savepoint")
        from flink_jobs import checkpoints

        directory = settings.checkpoint_dir
        newest = checkpoints.latest(directory)
        if newest is None:
            fail(f"no complete checkpoint under {directory}: run without --resume")
        from_savepoint = str(newest)
    rest = FlinkRest(jobmanager) if jobmanager else None
    cluster: dict[str, str] = {}
    if rest is not None:
        try:
            cluster = rest.configuration()
        except FlinkRestError as exc:
            fail(str(exc))
    try:
        config = replace(
            stack.job_config(archive=bool(archive)),
            kafka_group_id="tweetflow",
            bounded=bounded,
            enrichment=enrichment,
            archive_path=archive,
            from_savepoint=from_savepoint,
            allow_non_restored_state=bool(from_savepoint) and allow_non_restored_state,
            flink_options=parse_flink_options(set_option or []),
        )
        mode, since_ms = start_position(start)
        config = replace(config, scan_startup_mode=mode, scan_startup_timestamp_ms=since_ms)
        if watermark_delay is not None:  # else the job's default, and so on
            config = replace(config, watermark_delay_s=watermark_delay)
        if flush_interval is not None:
            config = replace(config, es_flush_interval=flush_interval)
        if refresh_interval is not None:
            config = replace(config, es_refresh_interval=refresh_interval)
        if without:
            config = replace(config, queries=catalog.core_queries_without(without))
        if rest is not None:
            # The cluster's configuration wins for checkpointing, state and parallelism: a
            # client path may not even exist there (docs/cluster.md).
            config = replace(
                config,
                jobmanager=jobmanager,
                checkpoint_dir=None,
                parallelism=0,
                cluster_options=tuple(cluster.items()),
            )
        if parallelism:
            config = replace(config, parallelism=parallelism)
        result = runtime.start(config)
    except (ValueError, runtime.SavepointMismatchError) as exc:
        fail(str(exc))
    except Exception as exc:  # Flink refused it (py4j): its own words, not a Java stack
        refused = console.java_failure(exc)
        if refused is None:
            raise
        fail(f"Flink refused the job: {refused}")
    client = result.get_job_client()
    job_id = str(client.get_job_id()) if client is not None else "?"
    where = f"the cluster at {jobmanager}" if jobmanager else "the embedded mini-cluster"
    typer.echo(f"job {job_id} (tweetflow-analytics) submitted to {where}")
    parallel = config.parallelism or dict(config.cluster_options).get("parallelism.default", "?")
    typer.echo(f"  parallelism {parallel}, {len(config.run_queries())} queries")
    typer.echo(f"  reads  {config.kafka_topic} at {config.kafka_bootstrap}")
    typer.echo(f"  writes {config.es_index_prefix}* at {config.es_hosts}")
    if config.archive_path:
        typer.echo(f"  archives to {config.archive_path}")
    if config.from_savepoint:
        typer.echo(f"  state from {config.from_savepoint}")
    if rest is not None:
        typer.echo(f"  web UI {rest.web_ui(job_id)}")
        typer.echo(
            f"stop it with `tweetflow job stop {job_id} --savepoint --jobmanager {jobmanager}`"
        )
        return
    try:
        result.wait()
    except KeyboardInterrupt:  # raised out of py4j's blocked call; the JVM stops at exit
        typer.echo(
            f"\njob {job_id} stopped; its checkpoints are kept: `tweetflow job run --resume` "
            "goes on from the newest"
        )
        raise typer.Exit(130) from None
    typer.echo(f"job {job_id} finished")


def _rest(jobmanager: str) -> FlinkRest:
    from flink_jobs.rest import FlinkRest

    return FlinkRest(jobmanager or FlinkCluster(_settings()).address)


JobManagerOption = Annotated[
    str, typer.Option(help="host:port of the cluster's REST endpoint; default: the local cluster")
]


@job_app.command("list")
def job_list(jobmanager: JobManagerOption = "") -> None:
    """The cluster's jobs, oldest first; the web UI of each running one."""
    from flink_jobs.rest import FlinkRestError

    rest = _rest(jobmanager)
    try:
        jobs = rest.jobs()
    except FlinkRestError as exc:
        fail(str(exc))
    for j in jobs:
        typer.echo(f"{j.job_id}  {j.state:<10} {j.duration_ms / 1000:>8.0f} s  {j.name}")
        if j.state == "RUNNING":
            typer.echo(f"  {j.tasks_total} tasks; web UI {rest.web_ui(j.job_id)}")
    if not jobs:
        typer.echo(f"no jobs on {rest.url}")


@job_app.command("stop")
def job_stop(
    job_id: Annotated[str, typer.Argument(help="the job's id (`tweetflow job list`)")],
    savepoint: Annotated[
        bool, typer.Option(help="take a savepoint first, to restart with --from-savepoint")
    ] = True,
    directory: Annotated[
        str, typer.Option(help="savepoint directory; default: the cluster's state.savepoints.dir")
    ] = "",
    jobmanager: JobManagerOption = "",
) -> None:
    """Stop a job on the cluster: with a savepoint (default), or cancel it (--no-savepoint)."""
    from flink_jobs.rest import FlinkRestError

    rest = _rest(jobmanager)
    try:
        if not savepoint:
            rest.cancel(job_id)
            typer.echo(f"job {job_id} cancelled; its state is gone")
            return
        location = rest.stop_with_savepoint(job_id, directory or None)
    except FlinkRestError as exc:
        fail(str(exc))
    typer.echo(f"job {job_id} stopped with a savepoint at {location}")
    typer.echo(
        f"restart it with `tweetflow job run --jobmanager {rest.url.split('://')[1]} "
        f"--from-savepoint {location}`"
    )


@job_app.command("explain")
def job_explain() -> None:
    """Print the optimized plan of the whole job."""
    from flink_jobs import runtime

    stack = LocalStack(_settings())
    typer.echo(
        runtime.explain(
            replace(stack.job_config(), kafka_group_id="tweetflow-explain", bounded=True)
        )
    )


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


@app.command("dead-letters")
def dead_letters(
    newest: Annotated[
        int, typer.Option(min=0, help="show this many of the newest dead letters")
    ] = 5,
    prefix: PrefixOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the summary as JSON")] = False,
) -> None:
    """What was rejected: dead letters per reason (producer and job), late tweets, the newest."""
    from producer.kafka_sink import KafkaUnavailable, explained_failures
    from tweetflow.core import reachable
    from tweetflow.ops import dead_letters as letters

    settings = _settings()
    prefix = prefix or settings.es_index_prefix
    try:
        reachable.kafka(settings.kafka_bootstrap)  # seconds, not the client's half minute
        with explained_failures(settings.kafka_bootstrap):
            summary = letters.read(settings.kafka_bootstrap, settings.topic, max(newest, 1))
    except (KafkaUnavailable, reachable.Unreachable) as exc:
        fail(str(exc))
    late: int | None = None
    dropped: int | None = None
    es_url = settings.es_hosts or settings.es_url
    try:
        reachable.elasticsearch(es_url)
        es = connect(settings, timeout=10)
        index = f"{prefix}late_tweets"
        late = int(es.count(index=index)["count"]) if es.indices.exists(index=index) else 0
        dropped = letters.duplicates(es, prefix)
    except Exception as exc:  # the counts of Kafka still stand on their own; say what is not
        typer.echo(
            f"late and repeated tweets unknown: Elasticsearch at {es_url} did not answer "
            f"({type(exc).__name__})",
            err=True,
        )
    if as_json:
        extra = {"late_tweets": late, "duplicates_dropped": dropped}
        typer.echo(json.dumps(summary.as_dict() | extra, ensure_ascii=False))
    else:
        typer.echo(letters.render(summary, late, dropped=dropped))


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

    settings = _settings()
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

    settings = _settings()
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
    stack = LocalStack(_settings())
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

    settings = _settings()
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
