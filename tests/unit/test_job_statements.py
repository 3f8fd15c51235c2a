from pathlib import Path

from flink_jobs.job import JobConfig, statements


def config(**changes: object) -> JobConfig:
    base = {
        "kafka_bootstrap": "127.0.0.1:9092",
        "es_hosts": "http://127.0.0.1:9200",
        "connector_jars": (Path("a.jar"),),
    }
    return JobConfig(**{**base, **changes})  # type: ignore[arg-type]


def test_statements_render_every_placeholder() -> None:
    ddl, inserts = statements(config(kafka_topic="my-topic", tweet_rate_window_s=7))
    assert any("'topic' = 'my-topic'" in s for s in ddl)
    assert any("INTERVAL '7' SECOND" in s for s in inserts)
    assert all("${" not in s for s in ddl + inserts)


def test_bounded_mode_switches_the_source() -> None:
    (source, *_), _ = statements(config(bounded=True))
    assert "'scan.bounded.mode' = 'latest-offset'" in source
    (source, *_), _ = statements(config(bounded=False))
    assert "'scan.bounded.mode' = 'unbounded'" in source


def test_every_insert_targets_a_declared_sink() -> None:
    ddl, inserts = statements(config())
    for insert in inserts:
        target = insert.split("INSERT INTO", 1)[1].split()[0]
        assert any(f"CREATE TABLE IF NOT EXISTS {target} " in s for s in ddl)
