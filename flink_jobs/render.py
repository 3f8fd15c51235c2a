"""The job as statements and session options, rendered from sql/ for one configuration."""

from __future__ import annotations

import sys
from collections.abc import Mapping

from flink_jobs import sql_template
from flink_jobs.catalog import (
    ES_API_KEY,
    ES_CREDENTIALS,
    FUNCTIONS,
    KAFKA_DEFAULTS,
    KAFKA_SECURITY,
    KAFKA_TRUSTSTORE,
    QUERIES,
    SOURCE_DDL,
    VIEWS,
)
from flink_jobs.config import AGG_PHASE_STRATEGY, JobConfig


def statements(config: JobConfig) -> tuple[list[str], list[str]]:
    """(DDL statements, INSERT statements) rendered from sql/ for this configuration."""
    chosen = config.run_queries()
    params = config.sql_params()
    credentials = (
        (ES_CREDENTIALS,) if config.es_username else (ES_API_KEY,) if config.es_api_key else ()
    )
    kafka = (
        KAFKA_DEFAULTS,
        *((KAFKA_SECURITY,) if config.kafka_security_protocol else ()),
        *((KAFKA_TRUSTSTORE,) if config.kafka_ssl_cafile else ()),
    )
    setup = dict.fromkeys(path for name in chosen for path in QUERIES[name].setup)
    paths = (*FUNCTIONS, *kafka, SOURCE_DDL[0], SOURCE_DDL[1], *credentials, *VIEWS, *setup)
    ddl = [sql_template.load(path, params) for path in paths]
    inserts = []
    for name in chosen:
        ddl += [sql_template.load(path, params) for path in QUERIES[name].sinks]
        inserts += [sql_template.load(path, params) for path in QUERIES[name].inserts]
    return ddl, inserts


# What a Flink cluster's operator configures for every job: on a cluster its value wins over
# tweetflow's default (never over the user's explicit one).
CLUSTER_OWNED = (
    "execution.checkpointing.interval",
    "execution.checkpointing.mode",
    "execution.checkpointing.dir",
    "state.checkpoints.dir",  # its name before Flink 2.0, still read as a fallback
    "state.backend.type",
    "parallelism.default",
    "python.executable",
    "python.client.executable",
)
RESTART_STRATEGY = "restart-strategy."


def session_options(config: JobConfig, cluster: Mapping[str, str] | None = None) -> dict[str, str]:
    """Options of the job's table session: set on the PyFlink environment, and written as SET
    statements into the SQL client's init file. `cluster`: the configuration of the Flink
    cluster the job runs on, as far as it is known (None: the embedded mini-cluster)."""
    defaults = _defaults(config)
    explicit = _explicit(config)
    if config.remote and cluster is not None:
        owned = {k: v for k, v in cluster.items() if k in CLUSTER_OWNED}
        if any(k.startswith(RESTART_STRATEGY) for k in cluster):
            defaults = {k: v for k, v in defaults.items() if not k.startswith(RESTART_STRATEGY)}
            owned |= {k: v for k, v in cluster.items() if k.startswith(RESTART_STRATEGY)}
        defaults |= owned
    return defaults | explicit | dict(config.flink_options)


def _explicit(config: JobConfig) -> dict[str, str]:
    """What the configuration asks for by name, above any default and the cluster's."""
    options: dict[str, str] = {}
    if config.checkpoint_interval:
        options["execution.checkpointing.interval"] = config.checkpoint_interval
    if config.parallelism > 0:
        options["parallelism.default"] = str(config.parallelism)
    if config.agg_phase_strategy:
        # One task per operator: a local pre-aggregation before the global one saves no
        # network, and HASHTAG_SUMMARY's partial summaries then cross it serialized (Kryo). The
        # whole default job over 300,000 generated tweets: 3,158 tweets/s in one phase, 2,372
        # in two (one ad-hoc run each); bench.job_scale, start-up included, on another day:
        # 1,950 and 1,893. A parallel job keeps them: its one summary task would get every tweet.
        options[AGG_PHASE_STRATEGY] = config.agg_phase_strategy
    if config.state_backend:
        if config.state_backend not in ("hashmap", "rocksdb"):
            raise ValueError(f"state backend {config.state_backend!r}: hashmap or rocksdb")
        options["state.backend.type"] = config.state_backend
    if config.checkpoint_dir is not None:
        options["execution.checkpointing.dir"] = config.checkpoint_dir.resolve().as_uri()
    return options


def _defaults(config: JobConfig) -> dict[str, str]:
    options = {
        "pipeline.name": "tweetflow-analytics",
        # Window bounds are computed in UTC whatever the machine's zone is.
        "table.local-time-zone": "UTC",
        # A quiet partition must not hold back the watermark, or windows never fire.
        "table.exec.source.idle-timeout": "0 ms" if config.bounded else config.source_idle_timeout,
        "execution.checkpointing.interval": "60 s" if config.bounded else "10 s",
        "execution.checkpointing.mode": config.checkpoint_mode,
        # Only the latest profile per author keeps state outside windows and the duplicate
        # filter (which forgets a minute at a time); the dead-letter counts opt out by hint.
        "table.exec.state.ttl": config.dedup_horizon,
        # Each INSERT is planned from its own copy of the views; without this, the projections
        # pushed into each copy keep them apart, and every query got its own duplicate filter
        # (a shuffle and the ids' state each) and its own call of the sentiment UDF.
        "table.optimizer.reuse-optimize-block-with-digest-enabled": "true",
        # Chained operators hand rows over without a copy (SQL operators copy what they keep):
        # 9% more tweets per second in bench.peers' catch-up.
        "pipeline.object-reuse": "true",
        # A killed job (kill -9, a lost machine) restarts from its newest checkpoint: keep it
        # when the job is cancelled too (`job run --resume` finds it).
        "execution.checkpointing.externalized-checkpoint-retention": "RETAIN_ON_CANCELLATION",
        # A failure (a lost TaskManager, Elasticsearch or Kafka unreachable: the connectors fail
        # a request they cannot complete) restarts the job from its newest checkpoint, forever,
        # waiting 1 s, 2 s, 4 s ... at most 30 s in between; Kafka keeps the input meanwhile and
        # the idempotent upserts make the replay exact.
        "restart-strategy.type": "exponential-delay",
        "restart-strategy.exponential-delay.initial-backoff": "1 s",
        "restart-strategy.exponential-delay.max-backoff": "30 s",
        "restart-strategy.exponential-delay.backoff-multiplier": "2.0",
        "restart-strategy.exponential-delay.reset-backoff-threshold": "10 min",
        "restart-strategy.exponential-delay.jitter-factor": "0.1",
        "restart-strategy.exponential-delay.attempts-before-reset-backoff": str(2**31 - 1),
    }
    if config.enrichment != "off":
        # The UDF's workers run this interpreter, where tweetflow and VADER are installed.
        options["python.executable"] = sys.executable
        options["python.client.executable"] = sys.executable
    return options
