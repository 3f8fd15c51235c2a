"""`tweetflow job`: run the analytics job, explain its plan, and list and stop it on a cluster.
`run` and `explain` take the same options that shape the job, so the plan shown is the job run."""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from tweetflow.cli import console
from tweetflow.cli.console import fail
from tweetflow.stack.flink_cluster import FlinkCluster
from tweetflow.stack.stack import LocalStack

if TYPE_CHECKING:
    from flink_jobs.config import JobConfig
    from flink_jobs.rest import FlinkRest
    from tweetflow.core.settings import Settings

job_app = typer.Typer(help="The Flink SQL analytics job.")


def _enrichment(value: str) -> str:
    """Refuses an unknown mode at the command line, whichever command takes it."""
    from flink_jobs.config import enrichment_mode

    try:
        return enrichment_mode(value)
    except ValueError as exc:
        fail(str(exc))


EnrichmentOption = Annotated[
    str,
    typer.Option(
        help="sentiment by a Python UDF: vectorized (pandas batches), scalar, or off (no "
        "Python in the job at all)",
        callback=_enrichment,
    ),
]


ArchiveOption = Annotated[
    str,
    typer.Option(
        help="write every tweet with its sentiment as Parquet here (a directory, or a URI "
        "such as s3://bucket/tweets); needs enrichment"
    ),
]


BoundedOption = Annotated[
    bool, typer.Option(help="stop at the topic's current end instead of running forever")
]

WatermarkOption = Annotated[
    int | None,
    typer.Option(
        min=0,
        help="seconds a tweet may arrive late and still count; windows close this much "
        "after their end (default 5)",
    ),
]

FlushOption = Annotated[
    str | None,
    typer.Option(help="how often results are sent to Elasticsearch (default 500ms)"),
]

RefreshOption = Annotated[
    str | None,
    typer.Option(help="how often Elasticsearch makes them searchable (default 1s)"),
]

FromOption = Annotated[
    str,
    typer.Option(
        "--from",
        help="where in the topic to start: group (the consumer group's committed offsets, "
        "so a restart goes on where the last run left off; a group that has committed "
        "nothing starts at the earliest offset; windows under way at the stop restart "
        "partial, which --resume avoids), earliest (the whole topic, every window "
        "complete), latest, or a time such as 2026-12-06T09:00:00Z",
    ),
]

WithoutOption = Annotated[
    list[str] | None,
    typer.Option(
        help="leave this query out (repeatable), e.g. --without live_tweets, which indexes "
        "every tweet: at 20,000 tweets/s that is most of Elasticsearch's work"
    ),
]

HashtagCapacityOption = Annotated[
    int | None,
    typer.Option(
        min=0,
        help="counters (hashtags, related hashtags, authors) each minute of the hashtag "
        "windows keeps: exact up to 1.25 x this many, estimates beyond, memory bounded "
        "(default 10000, about 110 MB for the hour); 0: always exact, memory unbounded",
    ),
]


def _dedup_horizon(value: str | None) -> str | None:
    """Refuses a horizon Flink cannot read at the command line."""
    from flink_jobs.config import dedup_horizon

    try:
        return None if value is None else dedup_horizon(value)
    except ValueError as exc:
        fail(str(exc))


DedupHorizonOption = Annotated[
    str | None,
    typer.Option(
        help="how long a tweet id is remembered to drop its repeats: until the watermark is "
        "this far past its minute (default '5 min'; about 190 bytes of heap per id)",
        callback=_dedup_horizon,
    ),
]

TrendSlideOption = Annotated[
    int | None,
    typer.Option(
        min=10,
        help="trending: seconds per bucket, how often it is refreshed (default 60)",
    ),
]
TrendMinAuthorsOption = Annotated[
    int | None,
    typer.Option(
        min=1,
        help="trending: the fewest distinct authors in a bucket for a key to start trending "
        "(default 10; more for a denser stream)",
    ),
]

SetOption = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        help="a Flink option KEY=VALUE for the job, after tweetflow's own (repeatable), "
        "e.g. --set execution.checkpointing.interval='60 s'",
    ),
]


@dataclass(frozen=True)
class Shape:
    """What `run` and `explain` both take: the options that make the job what it is."""

    bounded: bool
    enrichment: str
    archive: str
    watermark_delay: int | None
    flush_interval: str | None
    refresh_interval: str | None
    start: str
    without: list[str] | None
    set_option: list[str] | None
    hashtag_capacity: int | None = None
    dedup_horizon: str | None = None
    trend_slide: int | None = None
    trend_min_authors: int | None = None


def _as_options(shape: Shape) -> list[str]:
    """The options of `job run` that give a job this shape (--from aside: a restart from a
    savepoint goes on from the savepoint's offsets)."""
    options = ["--enrichment", shape.enrichment]
    options += ["--bounded"] if shape.bounded else []
    options += ["--archive", shape.archive] if shape.archive else []
    named = (
        ("--watermark-delay", shape.watermark_delay),
        ("--flush-interval", shape.flush_interval),
        ("--refresh-interval", shape.refresh_interval),
        ("--hashtag-capacity", shape.hashtag_capacity),
        ("--dedup-horizon", shape.dedup_horizon),
        ("--trend-slide", shape.trend_slide),
        ("--trend-min-authors", shape.trend_min_authors),
    )
    options += [part for name, value in named if value is not None for part in (name, str(value))]
    options += [part for query in shape.without or [] for part in ("--without", query)]
    options += [part for option in shape.set_option or [] for part in ("--set", option)]
    return options


def _remembered(settings: Settings, job_id: str) -> Path:
    """Where `job run` keeps the options a cluster job was started with, for `job stop`."""
    return settings.state_dir / "jobs" / f"{job_id}.json"


def _shaped(config: JobConfig, shape: Shape) -> JobConfig:
    """`config` changed as the options say; ValueError names an option that is wrong."""
    from flink_jobs import catalog
    from flink_jobs.config import parse_flink_options, start_position

    mode, since_ms = start_position(shape.start)
    config = replace(
        config,
        bounded=shape.bounded,
        enrichment=shape.enrichment,
        archive_path=shape.archive,
        flink_options=parse_flink_options(shape.set_option or []),
        scan_startup_mode=mode,
        scan_startup_timestamp_ms=since_ms,
    )
    if shape.watermark_delay is not None:  # else the job's default, and so on
        config = replace(config, watermark_delay_s=shape.watermark_delay)
    if shape.flush_interval is not None:
        config = replace(config, es_flush_interval=shape.flush_interval)
    if shape.refresh_interval is not None:
        config = replace(config, es_refresh_interval=shape.refresh_interval)
    if shape.without:
        config = replace(config, queries=catalog.core_queries_without(shape.without))
    if shape.hashtag_capacity is not None:
        config = replace(config, hashtag_capacity=shape.hashtag_capacity)
    if shape.dedup_horizon is not None:
        config = replace(config, dedup_horizon=shape.dedup_horizon)
    if shape.trend_slide is not None:
        config = replace(config, trend_slide_s=shape.trend_slide)
    if shape.trend_min_authors is not None:
        config = replace(config, trend_min_authors=shape.trend_min_authors)
    return config


@job_app.command("run")
def job_run(
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
        bool, typer.Option(help="with --from-savepoint or --resume: drop state no operator claims")
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
    bounded: BoundedOption = False,
    watermark_delay: WatermarkOption = None,
    flush_interval: FlushOption = None,
    refresh_interval: RefreshOption = None,
    start: FromOption = "group",
    without: WithoutOption = None,
    set_option: SetOption = None,
    hashtag_capacity: HashtagCapacityOption = None,
    dedup_horizon: DedupHorizonOption = None,
    trend_slide: TrendSlideOption = None,
    trend_min_authors: TrendMinAuthorsOption = None,
) -> None:
    """Run the analytics job: on the embedded mini-cluster until Ctrl-C (or the topic's end
    with --bounded), or submitted to a Flink cluster with --jobmanager. A window's results are
    searchable about its watermark delay + flush + refresh interval after it ends."""
    from flink_jobs import runtime
    from flink_jobs.rest import FlinkRest, FlinkRestError
    from tweetflow.core import reachable

    shape = Shape(bounded, enrichment, archive, watermark_delay, flush_interval,
                  refresh_interval, start, without, set_option, hashtag_capacity,
                  dedup_horizon, trend_slide, trend_min_authors)  # fmt: skip
    settings = console.settings()
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
            _shaped(stack.job_config(archive=bool(archive)), shape),
            kafka_group_id="tweetflow",
            from_savepoint=from_savepoint,
            allow_non_restored_state=bool(from_savepoint) and allow_non_restored_state,
        )
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
    except runtime.SavepointMismatchError as exc:
        if not resume:
            fail(str(exc))
        # --resume chose the checkpoint: whichever run wrote last, maybe with other options.
        fail(
            f"--resume chose the newest checkpoint under {settings.checkpoint_dir}, "
            f"{from_savepoint}, but it holds state of queries this run does not have: the run "
            "that wrote it had other options (--without, --enrichment, --archive) or other "
            "SQL. Run with that run's options, or drop the state of the queries left out with "
            "--allow-non-restored-state, or start afresh without --resume (--from group goes "
            "on from the consumer group's offsets)."
        )
    except ValueError as exc:
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
        remembered = _remembered(settings, job_id)
        remembered.parent.mkdir(parents=True, exist_ok=True)
        remembered.write_text(json.dumps({"options": _as_options(shape)}))
        typer.echo(f"  web UI {rest.web_ui(job_id)}")
        typer.echo(
            f"stop it with `tweetflow job stop {job_id} --savepoint --jobmanager {jobmanager}`"
        )
        return
    try:
        runtime.wait(config, result)
    except KeyboardInterrupt:  # raised out of py4j's blocked call; the JVM stops at exit
        typer.echo(
            f"\njob {job_id} stopped; its checkpoints are kept: `tweetflow job run --resume` "
            "goes on from the newest"
        )
        raise typer.Exit(130) from None
    typer.echo(f"job {job_id} finished")


def _rest(jobmanager: str) -> FlinkRest:
    from flink_jobs.rest import FlinkRest

    return FlinkRest(jobmanager or FlinkCluster(console.settings()).address)


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
        str,
        typer.Option(
            help="savepoint directory; default: the cluster's execution.checkpointing.savepoint-dir"
        ),
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
    # The same queries and options, or the savepoint's state would not map onto the job.
    remembered = _remembered(console.settings(), job_id)
    options = json.loads(remembered.read_text())["options"] if remembered.exists() else None
    shaped = "" if options is None else shlex.join(options) + " "
    typer.echo(
        f"restart it with `tweetflow job run --jobmanager {rest.url.split('://')[1]} "
        f"{shaped}--from-savepoint {location}`"
        + (" and the options it was started with" if options is None else "")
    )


@job_app.command("explain")
def job_explain(
    enrichment: EnrichmentOption = "vectorized",
    archive: ArchiveOption = "",
    bounded: BoundedOption = False,
    watermark_delay: WatermarkOption = None,
    flush_interval: FlushOption = None,
    refresh_interval: RefreshOption = None,
    start: FromOption = "group",
    without: WithoutOption = None,
    set_option: SetOption = None,
    hashtag_capacity: HashtagCapacityOption = None,
    dedup_horizon: DedupHorizonOption = None,
    trend_slide: TrendSlideOption = None,
    trend_min_authors: TrendMinAuthorsOption = None,
) -> None:
    """Print the optimized plan of the job `job run` runs with the same options."""
    from flink_jobs import runtime

    shape = Shape(bounded, enrichment, archive, watermark_delay, flush_interval,
                  refresh_interval, start, without, set_option, hashtag_capacity,
                  dedup_horizon, trend_slide, trend_min_authors)  # fmt: skip
    stack = LocalStack(console.settings())
    try:
        config = _shaped(stack.job_config(archive=bool(archive)), shape)
        plan = runtime.explain(replace(config, kafka_group_id="tweetflow-explain"))
    except ValueError as exc:
        fail(str(exc))
    typer.echo(plan)
