from pathlib import Path

import pytest

from flink_jobs.config import JobConfig
from flink_jobs.render import statements


def config(**changes: object) -> JobConfig:
    base = {
        "kafka_bootstrap": "127.0.0.1:9092",
        "es_hosts": "http://127.0.0.1:9200",
        "connector_jars": (Path("a.jar"),),
        "functions_jar": Path("tweetflow-functions.jar"),
    }
    return JobConfig(**{**base, **changes})  # type: ignore[arg-type]


def test_statements_render_every_placeholder() -> None:
    ddl, inserts = statements(config(kafka_topic="my-topic", tweet_rate_window_s=7))
    assert any("'topic' = 'my-topic'" in s for s in ddl)
    assert any("'topic' = 'my-topic.dlq'" in s for s in ddl)
    assert any("INTERVAL '7' SECOND" in s for s in inserts)
    assert all("${" not in s for s in ddl + inserts)


def test_bounded_mode_switches_the_source() -> None:
    def source(**changes: object) -> str:
        ddl, _ = statements(config(**changes))
        return next(s for s in ddl if "CREATE TABLE IF NOT EXISTS raw_tweets" in s)

    assert "'scan.bounded.mode' = 'latest-offset'" in source(bounded=True)
    assert "'scan.bounded.mode' = 'unbounded'" in source(bounded=False)


def test_every_insert_targets_a_declared_sink() -> None:
    ddl, inserts = statements(config())
    for insert in inserts:
        target = insert.split("INSERT INTO", 1)[1].split()[0]
        assert any(f"CREATE TABLE IF NOT EXISTS {target} " in s for s in ddl)


def test_every_sql_file_is_used_exactly_once() -> None:
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
    from flink_jobs.sql_template import SQL_DIR

    setup = {p for q in QUERIES.values() for p in q.setup}  # shared by the queries needing it
    kafka = [KAFKA_DEFAULTS, KAFKA_SECURITY, KAFKA_TRUSTSTORE]
    used = [*FUNCTIONS, *kafka, *SOURCE_DDL, ES_CREDENTIALS, ES_API_KEY, *VIEWS, *setup] + [
        p for q in QUERIES.values() for p in (*q.sinks, *q.inserts)
    ]
    assert len(used) == len(set(used))
    sql_dir = Path(str(SQL_DIR))
    assert set(used) == {p.relative_to(sql_dir).as_posix() for p in sql_dir.rglob("*.sql")}


def test_elasticsearch_mappings_cover_exactly_the_sink_columns() -> None:
    import re

    from flink_jobs.es_templates import templates

    ddl, _ = statements(config(enrichment="vectorized"))
    mapped = templates("p_")
    for statement in ddl:
        match = re.search(r"CREATE TABLE IF NOT EXISTS (\w+)_es \((.*)\) WITH", statement, re.S)
        if not match:
            continue
        columns = {
            line.split()[0].strip("`")
            for line in match.group(2).splitlines()
            if line.strip() and not line.strip().startswith("PRIMARY KEY")
        }
        properties = mapped[f"p_{match.group(1)}"]["template"]["mappings"]["properties"]
        stored = {name for name, spec in properties.items() if spec["type"] != "alias"}
        assert columns == stored, match.group(1)
        for name, spec in properties.items():
            if spec["type"] == "alias":  # another name for a stored column, for filters
                assert spec["path"] in stored, name


def test_elasticsearch_credentials_reach_every_sink_only_when_configured() -> None:
    ddl, _ = statements(config())
    assert not any("'username'" in s for s in ddl)
    secured = config(es_username="tweetflow", es_password="p'ss")
    ddl, _ = statements(secured)
    alter = [s for s in ddl if s.startswith("ALTER TABLE es_defaults")]
    assert len(alter) == 1 and "'password' = 'p''ss'" in alter[0]
    # before the first result table copies es_defaults' options
    assert ddl.index(alter[0]) < min(i for i, s in enumerate(ddl) if "LIKE es_defaults" in s)
    assert "p'ss" not in repr(secured)


def test_an_api_key_reaches_every_sink_when_no_user_is_configured() -> None:
    keyed = config(es_api_key="aWQ6a2V5'")
    ddl, _ = statements(keyed)
    alter = [s for s in ddl if s.startswith("ALTER TABLE es_defaults")]
    assert len(alter) == 1 and "'api-key' = 'aWQ6a2V5'''" in alter[0]
    assert ddl.index(alter[0]) < min(i for i, s in enumerate(ddl) if "LIKE es_defaults" in s)
    assert "aWQ6a2V5" not in repr(keyed)
    with_user = config(es_username="tweetflow", es_password="pw", es_api_key="aWQ6a2V5")
    assert not any("'api-key'" in s for s in statements(with_user)[0])  # the user's, not both


def test_the_job_takes_the_api_key_from_the_environment_unless_a_user_is_set(
    tmp_path: Path,
) -> None:
    from flink_jobs.config import JobConfig
    from tweetflow.core.settings import Settings

    key_file = tmp_path / "key"
    key_file.write_text("aWQ6a2V5\n", encoding="utf-8")
    env = {"TWEETFLOW_ES_API_KEY_FILE": str(key_file)}
    assert JobConfig.from_settings(Settings(), env).es_api_key == "aWQ6a2V5"
    with_user = Settings(es_username="tweetflow")
    with_password = env | {"TWEETFLOW_ES_PASSWORD": "pw"}
    assert JobConfig.from_settings(with_user, with_password).es_api_key == ""


def test_kafka_security_reaches_every_kafka_table_only_when_configured() -> None:
    ddl, _ = statements(config())
    assert not any("security.protocol" in s or "jaas" in s for s in ddl)
    secured = config(
        kafka_security_protocol="SASL_SSL",
        kafka_sasl_username="tweetflow",
        kafka_sasl_password="p\"\\ss'",
        kafka_ssl_cafile="/etc/ca.pem",
    )
    ddl, _ = statements(secured)
    security, truststore = (s for s in ddl if s.startswith("ALTER TABLE kafka_defaults"))
    assert "'properties.security.protocol' = 'SASL_SSL'" in security
    # The connector's shaded login module; the password JAAS-quoted, then SQL-quoted.
    module = "org.apache.flink.kafka.shaded.org.apache.kafka.common.security.plain.PlainLoginModule"
    jaas = f'{module} required username="tweetflow" password="p\\"\\\\ss\'\'";'
    assert f"'properties.sasl.jaas.config' = '{jaas}'" in security
    assert "'properties.ssl.truststore.location' = '/etc/ca.pem'" in truststore
    tables = [i for i, s in enumerate(ddl) if "LIKE kafka_defaults" in s]
    assert len(tables) == 3  # the source, the dead letters, the tracked tweets
    assert ddl.index(truststore) < min(tables)
    assert 'p"' not in repr(secured)


def test_enrichment_is_a_switch() -> None:
    import pytest

    ddl, inserts = statements(config())
    assert not any("sentiment" in s for s in ddl + inserts)  # off: no Python in the job
    for mode in ("scalar", "vectorized"):
        ddl, inserts = statements(config(enrichment=mode))
        [function] = [s for s in ddl if "LANGUAGE PYTHON" in s]
        assert f"AS 'flink_jobs.sentiment.sentiment_{mode}' LANGUAGE PYTHON" in function
        assert sum("INSERT INTO sentiment_es" in s for s in inserts) == 1
        assert sum("INSERT INTO hashtag_sentiment_es" in s for s in inserts) == 1
    with pytest.raises(ValueError, match="turn enrichment on"):
        statements(config(queries=("sentiment",)))
    with pytest.raises(ValueError, match="enrichment 'fast'"):
        statements(config(enrichment="fast"))


def test_the_archive_runs_when_a_path_is_set(tmp_path: Path) -> None:
    import pytest

    ddl, inserts = statements(config(enrichment="vectorized", archive_path=str(tmp_path / "a")))
    [archive] = [s for s in ddl if "CREATE TABLE IF NOT EXISTS archive_fs" in s]
    assert f"'path' = '{(tmp_path / 'a').as_uri()}'" in archive
    assert "'parquet.compression' = 'SNAPPY'" in archive
    assert sum("INSERT INTO archive_fs" in s for s in inserts) == 1
    s3 = statements(config(enrichment="scalar", archive_path="s3://bucket/tweets"))[0]
    assert any("'path' = 's3://bucket/tweets'" in s for s in s3)
    assert not any("archive_fs" in s for s in statements(config(enrichment="vectorized"))[0])
    # Named in words, not as a Python list (it printed "['archive'] score sentiment").
    with pytest.raises(ValueError, match=r"^archive scores sentiment: turn enrichment on \("):
        statements(config(archive_path=str(tmp_path)))


def test_the_state_backend_is_the_clusters_unless_chosen() -> None:
    from flink_jobs.render import session_options

    assert "state.backend.type" not in session_options(config())
    assert session_options(config(state_backend="rocksdb"))["state.backend.type"] == "rocksdb"
    with pytest.raises(ValueError, match="hashmap or rocksdb"):
        session_options(config(state_backend="filesystem"))


def test_aggregates_run_in_one_phase_only_at_parallelism_one() -> None:
    from flink_jobs.render import session_options

    strategy = "table.optimizer.agg-phase-strategy"
    assert session_options(config())[strategy] == "ONE_PHASE"
    assert strategy not in session_options(config(parallelism=2))
    assert strategy not in session_options(config(parallelism=0))  # the cluster's choice
    given = (("table.optimizer.agg-phase-strategy", "TWO_PHASE"),)
    assert session_options(config(flink_options=given))[strategy] == "TWO_PHASE"


@pytest.mark.parametrize(
    ("changes", "transient"),
    [
        ({}, "true"),
        ({"parallelism": 2}, "false"),
        ({"parallelism": 0}, "false"),
        ({"flink_options": (("table.optimizer.agg-phase-strategy", "TWO_PHASE"),)}, "false"),
        (
            {
                "parallelism": 2,
                "flink_options": (("table.optimizer.agg-phase-strategy", "one_phase"),),
            },
            "true",
        ),
    ],
)
def test_hashtag_summaries_merge_in_place_only_where_aggregation_has_one_phase(
    changes: dict[str, object], transient: str
) -> None:
    """HASHTAG_SUMMARY reads a window's slices without copying them only where merges never
    build a summary kept in state: a two-phase aggregation's global step keeps its merges."""
    [view] = [s for s in statements(config(**changes))[0] if "VIEW hashtag_summaries" in s]
    assert f"CAST('{transient}' AS BOOLEAN)" in view


def test_flink_options_given_by_the_user_win_over_tweetflows() -> None:
    from flink_jobs.config import parse_flink_options
    from flink_jobs.render import session_options

    given = parse_flink_options(["execution.checkpointing.interval = 60 s", "a.b=x=y"])
    assert given == (("execution.checkpointing.interval", "60 s"), ("a.b", "x=y"))
    options = session_options(config(flink_options=given))
    assert options["execution.checkpointing.interval"] == "60 s"
    assert options["a.b"] == "x=y"
    assert session_options(config())["execution.checkpointing.interval"] == "10 s"
    assert session_options(config(bounded=True))["execution.checkpointing.interval"] == "60 s"
    chosen = config(bounded=True, checkpoint_interval="5 s")
    assert session_options(chosen)["execution.checkpointing.interval"] == "5 s"
    for bad in ("execution.checkpointing.interval", "=60 s", "key= "):
        with pytest.raises(ValueError, match="expected KEY=VALUE"):
            parse_flink_options([bad])


def test_without_leaves_core_queries_out_and_names_the_ones_it_knows() -> None:
    from flink_jobs.catalog import CORE_QUERIES, core_queries_without

    chosen = core_queries_without(["live_tweets", "users"])
    assert chosen == tuple(q for q in CORE_QUERIES if q not in ("live_tweets", "users"))
    assert "live_tweets" not in config(queries=chosen).run_queries()
    with pytest.raises(ValueError, match="--without nope: not a core query; the core queries"):
        core_queries_without(["nope"])
    with pytest.raises(ValueError, match="sentiment queries go with --enrichment off"):
        core_queries_without(["sentiment"])
    with pytest.raises(ValueError, match="keeps every record it cannot read"):
        core_queries_without(["dead_letters"])


def test_a_bounded_run_gets_the_throughput_collector_unless_one_is_chosen() -> None:
    from flink_jobs.runtime import gateway_jvm_args

    assert gateway_jvm_args(config(heap="2g")) == "-Xmx2g"
    assert gateway_jvm_args(config(heap="2g", bounded=True)) == "-Xmx2g -XX:+UseParallelGC"
    chosen = config(bounded=True, jvm_args="-XX:+UseG1GC -Xlog:gc")
    assert "ParallelGC" not in gateway_jvm_args(chosen)
    assert gateway_jvm_args(chosen).endswith("-XX:+UseG1GC -Xlog:gc")


def test_flink_jvm_options_reach_the_mini_cluster_and_the_clusters_jvms(tmp_path: Path) -> None:
    from flink_jobs.runtime import gateway_jvm_args
    from tweetflow.core.settings import Settings
    from tweetflow.stack.flink_cluster import FlinkTaskManager

    options = "-XX:+HeapDumpOnOutOfMemoryError -Dsome.flag=1"
    settings = Settings.from_env({"TWEETFLOW_FLINK_JVM_OPTIONS": options}, state_dir=tmp_path)
    job = JobConfig.from_settings(settings, env={})
    assert gateway_jvm_args(job) == f"-Xmx1g {options}"

    class Distribution:
        def environment(self, java: object) -> dict[str, str]:
            return {}

    jvm_args = FlinkTaskManager(settings, Distribution(), 1).environment(None)["JVM_ARGS"]  # type: ignore[arg-type]
    assert jvm_args.endswith(options) and "-Dtweetflow.service=" in jvm_args
    assert JobConfig.from_settings(Settings(state_dir=tmp_path), env={}).jvm_args == ""


def test_freshness_intervals_reach_the_sinks_and_the_index_templates() -> None:
    from flink_jobs.es_templates import templates

    ddl, _ = statements(config(es_flush_interval="200ms"))
    assert any("'sink.bulk-flush.interval' = '200ms'" in s for s in ddl)
    for body in templates("p_", refresh_interval="200ms").values():
        assert body["template"]["settings"]["refresh_interval"] == "200ms"


@pytest.mark.parametrize(
    ("field", "value"),
    [("es_flush_interval", "0.2s"), ("es_flush_interval", "200 ms"),
     ("es_refresh_interval", "-1"), ("es_refresh_interval", "0s"), ("es_refresh_interval", "")],
)  # fmt: skip
def test_an_interval_neither_flink_nor_elasticsearch_would_read_is_refused(
    field: str, value: str
) -> None:
    with pytest.raises(ValueError, match="such as 200ms or 1s"):
        config(**{field: value}).check_intervals()
    config(**{field: "200ms"}).check_intervals()
    config(**{field: "2s"}).check_intervals()


def test_on_a_cluster_its_configuration_wins_over_tweetflows_defaults() -> None:
    from flink_jobs.render import session_options

    cluster = {
        "execution.checkpointing.interval": "30 s",
        "state.backend.type": "rocksdb",
        "parallelism.default": "12",
        "restart-strategy.type": "fixed-delay",
    }
    options = session_options(config(on_cluster=True, parallelism=0), cluster)
    assert {k: options[k] for k in cluster} == cluster
    assert not [k for k in options if k.startswith("restart-strategy.exponential-delay")]
    # What the cluster leaves open keeps tweetflow's default; the embedded run ignores it all.
    assert options["execution.checkpointing.mode"] == "EXACTLY_ONCE"
    assert session_options(config(on_cluster=True), {})["execution.checkpointing.interval"] == (
        "10 s"
    )
    embedded = session_options(config(parallelism=0), cluster)
    assert embedded["execution.checkpointing.interval"] == "10 s"
    assert "state.backend.type" not in embedded


def test_an_explicit_choice_wins_over_the_clusters() -> None:
    from flink_jobs.render import session_options

    cluster = {"execution.checkpointing.interval": "30 s", "parallelism.default": "12"}
    mine = config(jobmanager="h:8081", checkpoint_interval="5 s", parallelism=3)
    options = session_options(mine, cluster)
    assert options["execution.checkpointing.interval"] == "5 s"
    assert options["parallelism.default"] == "3"


@pytest.mark.parametrize(
    ("given", "mode", "since_ms"),
    [
        ("earliest", "earliest-offset", 0),
        ("latest", "latest-offset", 0),
        ("group", "group-offsets", 0),
        ("2026-12-06T09:00:00Z", "timestamp", 1_796_547_600_000),
        ("2026-12-06T10:00:00+01:00", "timestamp", 1_796_547_600_000),
        ("2026-12-06T09:00:00", "timestamp", 1_796_547_600_000),  # UTC unless it says
        ("1796547600000", "timestamp", 1_796_547_600_000),
    ],
)
def test_job_run_from_a_start_position(given: str, mode: str, since_ms: int) -> None:
    from flink_jobs.config import start_position

    assert start_position(given) == (mode, since_ms)
    ddl, _ = statements(config(scan_startup_mode=mode, scan_startup_timestamp_ms=since_ms))
    [source] = [s for s in ddl if "CREATE TABLE IF NOT EXISTS raw_tweets" in s]
    assert f"'scan.startup.mode' = '{mode}'" in source
    # A group that committed nothing yet starts at the beginning, not with an error.
    assert "'properties.auto.offset.reset' = 'earliest'" in source


def test_a_start_position_that_is_none_is_named() -> None:
    from flink_jobs.config import start_position

    with pytest.raises(ValueError, match=r"--from 'yesterday': earliest, latest, group, or a"):
        start_position("yesterday")
