"""`tweetflow produce`: one command for every source, the same Kafka side for all."""

from __future__ import annotations

import enum
import itertools
import json
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any

import typer

from producer import metrics, pipeline, replay
from producer.kafka_sink import KafkaUnavailable, SinkStopped, explained_failures, open_sink
from producer.pipeline import RawRecord
from producer.planted import scenario
from producer.synthetic import SyntheticConfig, synthetic_config, synthetic_records
from tweetflow.cli.console import fail
from tweetflow.core import reachable
from tweetflow.core.settings import Settings
from tweetflow.ops.live import STOP_WITH_PARENT


class Backend(str, enum.Enum):
    kafka_python = "kafka-python"
    confluent_kafka = "confluent-kafka"


class Source(str, enum.Enum):
    synthetic = "synthetic"
    replay = "replay"
    x = "x"
    bluesky = "bluesky"


def parse_speed(speed: str) -> float | None:
    """`max` (no pacing), `realtime` (1x) or a multiplier such as `10`."""
    if speed == "max":
        return None
    if speed == "realtime":
        return 1.0
    try:
        value = float(speed)
    except ValueError:
        raise typer.BadParameter("use max, realtime or a positive multiplier such as 10") from None
    if value <= 0:
        raise typer.BadParameter("the multiplier must be positive")
    return value


def plant(config: SyntheticConfig, labels: Path) -> SyntheticConfig:
    """The standard labelled scenario over the run's event time, its labels written to
    `labels`; the generator's own trending tag left out (it would be an unlabelled burst)."""
    if config.count is None:
        raise typer.BadParameter(
            "planted events need a finite run: give --count", param_hint="'--planted-labels'"
        )
    minutes = int(config.count / config.per_second / 60)
    if minutes < 60:
        raise typer.BadParameter(
            f"{config.count} tweets at {config.per_second:g}/s span {minutes} minutes of event "
            "time; the planted scenario needs at least 60 (more --count or less --event-rate)",
            param_hint="'--planted-labels'",
        )
    events = scenario(config.start_ms, minutes, config.seed)
    labels.write_text("".join(json.dumps(e.label()) + "\n" for e in events))
    return replace(config, trending_tag="", events=events)


def produce(
    source: Annotated[
        Source | None,
        typer.Option(help="where tweets come from [default: replay with PATHS, else synthetic]"),
    ] = None,
    paths: Annotated[
        list[Path] | None, typer.Argument(help="replay: files (.json/.gz/.bz2) or directories")
    ] = None,
    count: Annotated[
        int | None,
        typer.Option(
            min=0,
            help="synthetic: how many (10,000); replay, bluesky: stop after this many; "
            "0 = endless (synthetic, bluesky) or all (replay)",
        ),
    ] = None,
    seed: Annotated[
        int | None,
        typer.Option(
            help="synthetic: the same seed gives the same tweets and ids; without one, every "
            "run has ids of its own"
        ),
    ] = None,
    rate: Annotated[
        float, typer.Option(min=0, help="tweets per second sent; 0 = as fast as possible")
    ] = 0,
    event_rate: Annotated[
        float, typer.Option(help="synthetic without --rate: tweets per second of event time")
    ] = 50.0,
    late: Annotated[
        float, typer.Option(min=0, max=1, help="synthetic: share of late events (0 to 1)")
    ] = 0.0,
    out_of_order: Annotated[
        float, typer.Option(min=0, max=1, help="synthetic: share out of order (0 to 1)")
    ] = 0.02,
    speed: Annotated[str, typer.Option(help="replay: max, realtime or a multiplier")] = "max",
    restamp: Annotated[bool, typer.Option(help="replay: shift event times to now")] = False,
    skip: Annotated[int, typer.Option(min=0, help="replay: resume after this many records")] = 0,
    track: Annotated[list[str] | None, typer.Option(help="x: a term to follow (repeat)")] = None,
    backend: Annotated[
        Backend, typer.Option(help="Kafka client: kafka-python, or confluent-kafka (faster)")
    ] = Backend.kafka_python,
    enrich_profiles: Annotated[
        bool, typer.Option(help="bluesky: fetch follower counts and names in the background")
    ] = False,
    planted_labels: Annotated[
        Path | None,
        typer.Option(
            help="synthetic, finite: plant labelled events (bursts, evergreen tags, spam "
            "floods, a copy-paste campaign) among the tweets and write their labels here, a "
            "JSON object per line (producer/planted.py)"
        ),
    ] = None,
) -> None:
    """Tweets from a source, normalised to the canonical schema, into the Kafka topic."""
    source = check_source(source, paths)
    if event_rate <= 0:
        raise typer.BadParameter(f"{event_rate:g} is not above 0", param_hint="'--event-rate'")
    settings = Settings.from_env()
    with _as_messages():
        # The source's own mistakes (a missing file, no token) first, then whether Kafka is there.
        if source is Source.replay:
            missing = [str(p) for p in paths or [] if not p.exists()]
            if missing:
                raise replay.ReplayError(f"no such file or directory: {', '.join(missing)}")
            records: Iterator[RawRecord] = replay.records(paths or [], skip=skip)
            if count:
                records = itertools.islice(records, count)
            pace = parse_speed(speed)
        elif source is Source.x:
            from producer import x_stream

            try:
                x_config = x_stream.XStreamConfig.from_env(track or [])
            except x_stream.XStreamError as exc:
                raise ProducerError(str(exc)) from None
            records = _x_records(x_stream.records(x_config))
            pace = None
        elif source is Source.bluesky:
            _require_kafka(settings)
            bluesky_send(settings, count or None, rate or None, backend.value, enrich_profiles)
            return
        else:
            n = 10_000 if count is None else count
            config = synthetic_config(n or None, seed, rate or None, event_rate, late, out_of_order)
            if planted_labels is not None:
                config = plant(config, planted_labels)
            records = synthetic_records(config)
            pace = None
        _require_kafka(settings)
        send(
            settings, records, pace=pace, rate=rate or None, restamp=restamp, backend=backend.value
        )


class ProducerError(RuntimeError):
    """A source or Kafka cannot be used; the message says why and what to change."""


@contextmanager
def _as_messages() -> Iterator[None]:
    """A source or Kafka that cannot be used: one message and status 1, not a traceback."""
    try:
        yield
    except (replay.ReplayError, ProducerError) as exc:
        fail(str(exc))


def _require_kafka(settings: Settings) -> None:
    """Seconds, not the Kafka client's half minute of retries, to say that nothing is there."""
    try:
        reachable.kafka(settings.kafka_bootstrap)
    except reachable.Unreachable as exc:
        raise ProducerError(str(exc)) from None


def _x_records(records: Iterator[RawRecord]) -> Iterator[RawRecord]:
    """The X stream's own errors (a refused token, a denied tier) as producer errors."""
    from producer.x_stream import XStreamError

    try:
        yield from records
    except XStreamError as exc:
        raise ProducerError(str(exc)) from None


def check_source(source: Source | None, paths: list[Path] | None) -> Source:
    """Files name a replay; a file given to a source that reads none is a mistake, not noise."""
    if source is None:
        return Source.replay if paths else Source.synthetic
    if source is Source.replay and not paths:
        raise typer.BadParameter("replay needs at least one file or directory")
    if source is not Source.replay and paths:
        raise typer.BadParameter(
            f"{source.value} reads no files, but {', '.join(map(str, paths))} was given: "
            "replay it with --source replay (or leave --source out)",
            param_hint="'PATHS'",
        )
    return source


def bluesky_send(
    settings: Settings,
    count: int | None,
    rate: float | None,
    backend: str,
    enrich_profiles: bool,
    env: dict[str, str] | None = None,
) -> pipeline.Counters:
    """Bluesky's post stream into the topic, resuming where the last run's acknowledged posts
    ended (producer/bluesky.py)."""
    from producer.bluesky import BlueskyConfig, BlueskyError, Checkpoint, JetstreamSource
    from producer.bluesky_mapping import ProfileCache
    from producer.bluesky_profiles import PUBLIC_API, ProfileFetcher

    env = dict(os.environ if env is None else env)
    config = BlueskyConfig.from_env(settings.state_dir, count, env)
    fetcher = None
    if enrich_profiles:
        api = env.get("TWEETFLOW_BLUESKY_API", PUBLIC_API)
        rate_per_s = float(env.get("TWEETFLOW_BLUESKY_PROFILE_RATE", 3.0))
        fetcher = ProfileFetcher(ProfileCache(), api, rate_per_s).start()
    source = JetstreamSource(
        config,
        profiles=fetcher.cache if fetcher else None,
        want_profile=fetcher.want if fetcher else None,
    )
    typer.echo(f"reading Bluesky posts from {', '.join(config.instances)}", err=True)
    try:
        return send(
            settings,
            source.records(),
            rate=rate,
            backend=backend,
            checkpoint=lambda sink: Checkpoint(source.resume_point, sink, config.rewind_us),
            progress_extra=source.stats.line,
            stop=source.stop,
            source_stats=source.stats,
        )
    except BlueskyError as exc:
        typer.secho(f"error: {exc}", fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from exc
    finally:
        if fetcher is not None:
            fetcher.close()
        stats = source.stats
        typer.echo(
            f"bluesky: {stats.posts:,} posts, {stats.skipped:,} other events skipped, "
            f"{stats.bad:,} bad, {stats.repeats:,} replays dropped, {stats.reconnects:,} "
            "reconnects",
            err=True,
        )


ORPHAN_GRACE_S = 45.0  # the sink's close waits 30 s for Kafka at most


def _stop_without_parent(parent: int, stop: threading.Event) -> None:
    """Started by `tweetflow live` (pid `parent`): stop once it is gone, and exit if stopping
    has not ended ORPHAN_GRACE_S later. The SIGINT its death sends (PR_SET_PDEATHSIG) does
    the same when it arrives and the stop completes; once in a CI run the producer of a
    SIGKILLed `live` went on running."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        stop.set()
        time.sleep(ORPHAN_GRACE_S)
        print(
            f"tweetflow produce: `live` (pid {parent}) is gone and stopping took over "
            f"{ORPHAN_GRACE_S:.0f} s; exiting",
            file=sys.stderr,
            flush=True,
        )
        os._exit(3)

    threading.Thread(target=watch, name="tweetflow-orphan-watch", daemon=True).start()


def send(
    settings: Settings,
    records: Iterator[RawRecord],
    pace: float | None = None,
    rate: float | None = None,
    restamp: bool = False,
    backend: str = "kafka-python",
    checkpoint: Callable[[Any], Any] | None = None,
    progress_extra: Callable[[], str] | None = None,
    stop: threading.Event | None = None,
    source_stats: Any = None,
) -> pipeline.Counters:
    """checkpoint: made from the sink; told of every sent record, closed after the sink.
    source_stats: the source's reconnects and lag for the metrics, when it has them."""
    try:
        with explained_failures(settings.kafka_bootstrap):
            sink = open_sink(
                backend, settings.kafka_bootstrap, settings.topic, settings.topic_partitions
            )
    except KafkaUnavailable as exc:
        fail(str(exc))
    stop = stop or threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    parent = os.environ.get(STOP_WITH_PARENT, "")
    if parent.isdigit():
        _stop_without_parent(int(parent), stop)
    sink.stop = stop  # a send waiting for an unreachable Kafka gives up on Ctrl-C
    progress = pipeline.Progress(pipeline.Counters(), extra=progress_extra)
    collector = metrics.ProducerCollector(progress.counters, sink.stats, source_stats)
    stop_metrics = metrics.serve(settings.host, settings.producer_metrics_port, collector)
    keeper = checkpoint(sink) if checkpoint is not None else None
    began = time.monotonic()
    try:
        counters = pipeline.run(
            records,
            sink,
            speed=pace,
            rate=rate,
            restamp=restamp,
            stop=stop,
            progress=progress,
            on_sent=keeper.sent if keeper is not None else None,
        )
    except SinkStopped:
        counters = progress.counters
    finally:
        sink.close()
        if keeper is not None:
            keeper.close()
        stop_metrics()
    seconds = time.monotonic() - began
    stats = sink.stats
    typer.echo(
        f"sent {counters.sent:,} tweets to {settings.topic} in {seconds:.1f} s "
        f"({counters.sent / max(seconds, 1e-9):,.0f}/s, {stats.bytes / 1e6:,.1f} MB); "
        f"acked {stats.acked:,}; dead-lettered {counters.bad:,} to {sink.dlq}; "
        f"failed {stats.failed:,}"
    )
    for error in stats.errors:
        typer.echo(f"  send error: {error}", err=True)
    if stats.failed:
        raise typer.Exit(1)
    return counters
