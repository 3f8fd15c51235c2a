"""Build the analytics job from sql/ and run it on the embedded mini-cluster.

All INSERTs go into one statement set: one job, one read of the Kafka topic.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from flink_jobs import sql_template

if TYPE_CHECKING:
    from pyflink.table import TableEnvironment

# DDL first (sources, then sinks), then one INSERT per query file.
SOURCE_DDL = ("ddl/tweets.sql",)
QUERIES: dict[str, tuple[str, ...]] = {
    "tweet_rate": ("ddl/tweet_rate_es.sql", "queries/tweet_rate.sql"),
}


@dataclass(frozen=True)
class JobConfig:
    kafka_bootstrap: str
    es_hosts: str
    connector_jars: tuple[Path, ...]
    kafka_topic: str = "tweets"
    kafka_group_id: str = "tweetflow"
    scan_startup_mode: str = "earliest-offset"
    bounded: bool = False  # stop at the offsets current at start (finite replays, tests)
    es_index_prefix: str = "tweetflow_"
    es_flush_interval: str = "500ms"
    watermark_delay_s: int = 5
    tweet_rate_window_s: int = 2
    parallelism: int = 1
    checkpoint_interval: str = "10 s"
    checkpoint_dir: Path | None = None
    log_dir: Path | None = None
    heap: str = "1g"
    java_home: Path | None = None
    queries: tuple[str, ...] = field(default_factory=lambda: tuple(QUERIES))

    def sql_params(self) -> dict[str, object]:
        return {
            "kafka_bootstrap": self.kafka_bootstrap,
            "kafka_topic": self.kafka_topic,
            "kafka_group_id": self.kafka_group_id,
            "scan_startup_mode": self.scan_startup_mode,
            "scan_bounded_mode": "latest-offset" if self.bounded else "unbounded",
            "es_hosts": self.es_hosts,
            "es_index_prefix": self.es_index_prefix,
            "es_flush_interval": self.es_flush_interval,
            "watermark_delay_s": self.watermark_delay_s,
            "tweet_rate_window_s": self.tweet_rate_window_s,
        }


def statements(config: JobConfig) -> tuple[list[str], list[str]]:
    """(DDL statements, INSERT statements) rendered from sql/ for this configuration."""
    unknown = sorted(set(config.queries) - set(QUERIES))
    if unknown:
        raise ValueError(f"unknown queries {unknown}; known: {sorted(QUERIES)}")
    params = config.sql_params()
    ddl = [sql_template.load(path, params) for path in SOURCE_DDL]
    inserts = []
    for name in config.queries:
        *sink_ddl, insert = QUERIES[name]
        ddl += [sql_template.load(path, params) for path in sink_ddl]
        inserts.append(sql_template.load(insert, params))
    return ddl, inserts


def _prepare_gateway_environment(config: JobConfig) -> None:
    """The PyFlink gateway JVM reads these when it starts, i.e. at the first TableEnvironment."""
    os.environ["JVM_ARGS"] = f"-Xmx{config.heap}"
    if config.java_home is not None:
        os.environ["JAVA_HOME"] = str(config.java_home)
    if config.log_dir is not None:
        config.log_dir.mkdir(parents=True, exist_ok=True)
        os.environ["FLINK_LOG_DIR"] = str(config.log_dir)


def table_environment(config: JobConfig) -> TableEnvironment:
    _prepare_gateway_environment(config)
    from pyflink.table import EnvironmentSettings, TableEnvironment

    env = TableEnvironment.create(EnvironmentSettings.in_streaming_mode())
    conf = env.get_config()
    conf.set("pipeline.jars", ";".join(p.resolve().as_uri() for p in config.connector_jars))
    conf.set("pipeline.name", "tweetflow-analytics")
    conf.set("parallelism.default", str(config.parallelism))
    # Window bounds are computed in UTC whatever the machine's zone is.
    conf.set("table.local-time-zone", "UTC")
    # A quiet partition must not hold back the watermark, or windows never fire.
    conf.set("table.exec.source.idle-timeout", "5 s")
    conf.set("execution.checkpointing.interval", config.checkpoint_interval)
    if config.checkpoint_dir is not None:
        conf.set("state.checkpoints.dir", config.checkpoint_dir.resolve().as_uri())
    return env


def run(config: JobConfig, wait: bool = True) -> str:
    """Submit the job; with wait, block until it ends (bounded) or is cancelled. Returns job id."""
    env = table_environment(config)
    ddl, inserts = statements(config)
    for statement in ddl:
        env.execute_sql(statement)
    statement_set = env.create_statement_set()
    for insert in inserts:
        statement_set.add_insert_sql(insert)
    result = statement_set.execute()
    client = result.get_job_client()
    job_id = str(client.get_job_id()) if client is not None else ""
    if wait:
        result.wait()
    return job_id


def explain(config: JobConfig) -> str:
    env = table_environment(config)
    ddl, inserts = statements(config)
    for statement in ddl:
        env.execute_sql(statement)
    statement_set = env.create_statement_set()
    for insert in inserts:
        statement_set.add_insert_sql(insert)
    return statement_set.explain()
