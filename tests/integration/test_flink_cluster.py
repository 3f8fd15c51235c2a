"""The standalone cluster: a real JobManager and two TaskManagers as separate JVMs. The job is
submitted to it (REST, parallelism 2) and through Flink's SQL client, and stopped with a
savepoint and restarted; each run's Elasticsearch output must equal the mini-cluster's exactly."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from elasticsearch import Elasticsearch

from flink_jobs import runtime, sql_scripts
from flink_jobs.config import JobConfig
from flink_jobs.rest import FlinkRest
from producer.kafka_sink import TweetSink
from producer.synthetic import SyntheticConfig, generate
from tests.support import reference
from tests.support.pipeline_results import (
    CLOSED_BY_CLOSING,
    RESTART_QUERIES,
    actual,
    assert_same,
    count,
    expected,
    expected_with_defaults,
    half_sent,
    job_config,
    send_closing,
    send_live_input,
    settle,
)
from tweetflow.core import versions
from tweetflow.stack.flink_cluster import FlinkCluster
from tweetflow.stack.process import child_environment
from tweetflow.stack.stack import LocalStack

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def test_a_jobmanager_and_two_taskmanagers_run_as_separate_jvms(
    cluster: FlinkCluster, rest: FlinkRest
) -> None:
    statuses = cluster.status()
    assert [s.name for s in statuses] == [
        "flink-jobmanager",
        "flink-taskmanager-1",
        "flink-taskmanager-2",
    ]
    assert all(s.healthy for s in statuses)
    pids = [s.pids for s in statuses]
    assert all(len(p) == 1 for p in pids) and len({p[0] for p in pids}) == 3
    overview = rest.overview()
    assert overview["taskmanagers"] == 2
    assert overview["slots-total"] == 2
    assert overview["flink-version"] == versions.load().flink
    assert cluster.up().started == ()  # idempotent: nothing restarted


def test_the_job_on_the_cluster_equals_the_mini_cluster_run(
    stack: LocalStack,
    rest: FlinkRest,
    cluster: FlinkCluster,
    pipeline_run: dict[str, Any],
    tmp_path: Path,
) -> None:
    prefix = f"c{uuid.uuid4().hex[:6]}_"
    config = job_config(
        stack,
        pipeline_run["topic"],
        prefix,
        tmp_path,
        jobmanager=cluster.address,
        parallelism=2,
        checkpoint_dir=None,
    )
    began = time.monotonic()
    result = runtime.start(config)
    client = result.get_job_client()
    assert client is not None
    job_id = str(client.get_job_id())
    assert rest.wait_for_state(job_id, {"FINISHED", "FAILED"}, timeout_s=600) == "FINISHED"
    seconds = time.monotonic() - began
    assert rest.taskmanagers_of(job_id) == {"tweetflow-tm-1", "tweetflow-tm-2"}
    assert max(v["parallelism"] for v in rest.job(job_id)["vertices"]) == 2
    print(
        f"\n{len(pipeline_run['tweets'])} tweets: mini-cluster {pipeline_run['seconds']:.1f} s, "
        f"cluster (parallelism 2) {seconds:.1f} s"
    )
    assert_same(actual(pipeline_run["es"], prefix), pipeline_run["actual"])


def test_job_run_on_the_cluster_with_its_defaults_outlives_the_command(
    stack: LocalStack, rest: FlinkRest, cluster: FlinkCluster, pipeline_run: dict[str, Any],
) -> None:  # fmt: skip
    """`tweetflow job run --jobmanager` as docs/cluster.md gives it: default enrichment (the
    Python UDF), the command exits once the job runs. Its Python workers must not call back
    into that command: the job then restarted forever ("Python harness in loopback mode ...
    Connection refused") and wrote nothing."""
    settings = stack.settings
    topic, prefix = f"cli-{uuid.uuid4().hex[:8]}", f"j{uuid.uuid4().hex[:6]}_"
    tweets = pipeline_run["tweets"]
    send_live_input(settings.kafka_bootstrap, topic, tweets)
    # Not this process's environment as it is: the embedded jobs' UDFs left PyFlink's
    # loopback variables in it, which a command started from here would inherit.
    env = child_environment() | settings.as_env() | {
        "TWEETFLOW_TOPIC": topic, "TWEETFLOW_ES_INDEX_PREFIX": prefix,
    }  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-m", "tweetflow.cli", "job", "run", "--jobmanager", cluster.address],
        env=env, capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
    job_id = re.findall(r"job ([0-9a-f]{32}) \(tweetflow-analytics\) submitted", done.stdout)[0]
    full = expected_with_defaults(tweets)
    want = {query: full[query] for query in CLOSED_BY_CLOSING}
    scored = reference.sentiment(tweets, reference.Windows())["sentiment"]
    es = Elasticsearch(settings.es_url)
    try:
        got = settle(es, prefix, want, timeout_s=300)
        sentiment = actual(es, prefix, ["sentiment"])["sentiment"]
        restarts = rest.restarts(job_id)
        vertices = [v["name"] for v in rest.job(job_id)["vertices"]]
    finally:
        rest.cancel(job_id)
    assert any("Python" in name for name in vertices), "the default job runs the UDF"
    assert restarts == 0
    assert_same(got, want)
    assert {k: v[:2] for k, v in sentiment.items()} == {k: v[:2] for k, v in scored.items()}


def test_the_sql_client_runs_the_same_sql_on_the_cluster(
    stack: LocalStack,
    rest: FlinkRest,
    cluster: FlinkCluster,
    pipeline_run: dict[str, Any],
    tmp_path: Path,
) -> None:
    from flink_jobs import es_templates

    prefix = f"s{uuid.uuid4().hex[:6]}_"
    config = job_config(
        stack, pipeline_run["topic"], prefix, tmp_path, checkpoint_dir=None, parallelism=2
    )
    scripts = sql_scripts.render(config, tmp_path / "sql")
    es_templates.install(stack.settings.es_url, prefix)
    sql_client = cluster.distribution.script("sql-client.sh")
    client = subprocess.run(
        [sql_client, "-i", str(scripts.init), "-f", str(scripts.job)],
        env=cluster.distribution.environment(cluster.java()),
        capture_output=True,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    output = client.stdout + client.stderr
    assert client.returncode == 0, output[-3000:]
    submitted = re.findall(r"Job ID: ([0-9a-f]{32})", output)
    assert len(submitted) == 1, output[-3000:]  # the whole job: one statement set, one job
    assert rest.wait_for_state(submitted[0], {"FINISHED", "FAILED"}, timeout_s=600) == "FINISHED"
    assert_same(actual(pipeline_run["es"], prefix), pipeline_run["actual"])


def test_sql_render_gives_the_sql_client_the_sentiment_udf_by_default(
    stack: LocalStack, rest: FlinkRest, cluster: FlinkCluster, pipeline_run: dict[str, Any],
    tmp_path: Path,
) -> None:  # fmt: skip
    """`tweetflow sql render` has `job run`'s default enrichment: init.sql declares the Python
    UDF, and the SQL client runs the sentiment query with it on the cluster."""
    from flink_jobs import es_templates

    prefix = f"u{uuid.uuid4().hex[:6]}_"
    env = child_environment() | stack.settings.as_env() | {
        "TWEETFLOW_TOPIC": pipeline_run["topic"], "TWEETFLOW_ES_INDEX_PREFIX": prefix,
    }  # fmt: skip
    out = tmp_path / "sql"
    rendered = subprocess.run(
        [sys.executable, "-m", "tweetflow.cli", "sql", "render", "--bounded", "--out", str(out)],
        env=env, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert rendered.returncode == 0, (rendered.stdout + rendered.stderr)[-3000:]
    init = (out / "init.sql").read_text()
    assert "LANGUAGE PYTHON" in init and f"'python.executable' = '{sys.executable}'" in init
    es_templates.install(stack.settings.es_url, prefix)
    client = subprocess.run(
        [cluster.distribution.script("sql-client.sh"), "-i", str(out / "init.sql"),
         "-f", str(out / "queries" / "sentiment.sql")],
        env=cluster.distribution.environment(cluster.java()), capture_output=True, text=True,
        timeout=300, stdin=subprocess.DEVNULL, check=False,
    )  # fmt: skip
    output = client.stdout + client.stderr
    assert client.returncode == 0, output[-3000:]
    [job_id] = re.findall(r"Job ID: ([0-9a-f]{32})", output)
    assert rest.wait_for_state(job_id, {"FINISHED", "FAILED"}, timeout_s=600) == "FINISHED"
    scored = reference.sentiment(pipeline_run["tweets"], reference.Windows())["sentiment"]
    got = actual(pipeline_run["es"], prefix, ["sentiment"])["sentiment"]
    assert {k: v[:2] for k, v in got.items()} == {k: v[:2] for k, v in scored.items()}


def test_sql_render_refuses_an_unknown_enrichment_in_one_line(
    stack: LocalStack, tmp_path: Path
) -> None:
    rendered = subprocess.run(
        [sys.executable, "-m", "tweetflow.cli", "sql", "render", "--enrichment", "vectorised",
         "--out", str(tmp_path / "sql")],
        env=child_environment() | stack.settings.as_env(), capture_output=True, text=True,
        timeout=120, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert rendered.returncode == 1, (rendered.stdout + rendered.stderr)[-3000:]
    assert "error: enrichment 'vectorised': one of" in rendered.stderr
    assert "Traceback" not in rendered.stderr and not (tmp_path / "sql").exists()


SAVEPOINT_QUERIES = ("tweet_rate", "tweet_rolling", "author_counts", "top_hashtags", "users")


def test_job_stop_prints_the_restart_with_the_options_the_job_ran_with(
    stack: LocalStack, rest: FlinkRest, cluster: FlinkCluster, tmp_path: Path
) -> None:
    """`job stop` printed `job run --jobmanager ... --from-savepoint ...` alone; run so, a job
    started with --enrichment off --without users was refused (its savepoint holds other
    operators' state)."""
    topic, prefix = f"stop-{uuid.uuid4().hex[:8]}", f"s{uuid.uuid4().hex[:6]}_"
    TweetSink(stack.settings.kafka_bootstrap, topic, partitions=2).close()
    env = child_environment() | stack.settings.as_env() | {
        "TWEETFLOW_TOPIC": topic, "TWEETFLOW_ES_INDEX_PREFIX": prefix,
        "TWEETFLOW_STATE_DIR": str(tmp_path),
    }  # fmt: skip
    cli = [sys.executable, "-m", "tweetflow.cli", "job"]
    shaped = ["--enrichment", "off", "--without", "users"]
    done = subprocess.run(
        [*cli, "run", "--jobmanager", cluster.address, *shaped], env=env, capture_output=True,
        text=True, timeout=300, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
    job_id = re.findall(r"job ([0-9a-f]{32}) \(tweetflow-analytics\) submitted", done.stdout)[0]

    def every_task_runs() -> bool:  # a job RUNNING may still deploy its tasks
        return all(v["status"] == "RUNNING" for v in rest.job(job_id)["vertices"])

    deadline = time.monotonic() + 120
    while not every_task_runs() and time.monotonic() < deadline:
        time.sleep(1)
    stopped = subprocess.run(
        [*cli, "stop", job_id, "--jobmanager", cluster.address], env=env, capture_output=True,
        text=True, timeout=400, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert stopped.returncode == 0, (stopped.stdout + stopped.stderr)[-3000:]
    [restart] = re.findall(r"restart it with `(.*)`", stopped.stdout)
    assert restart.startswith(f"tweetflow job run --jobmanager {cluster.address} ")
    assert " --enrichment off --without users --from-savepoint " in restart


def test_stop_with_savepoint_and_restart_loses_and_repeats_nothing(
    stack: LocalStack, rest: FlinkRest, cluster: FlinkCluster, tmp_path: Path
) -> None:
    settings = stack.settings
    topic, prefix = f"sp-{uuid.uuid4().hex[:8]}", f"p{uuid.uuid4().hex[:6]}_"
    tweets, sink = half_sent(stack, topic, seed=5)

    def live_job(**changes: Any) -> JobConfig:
        settings: dict[str, Any] = {
            "bounded": False,
            "jobmanager": cluster.address,
            "parallelism": 2,
            "checkpoint_dir": None,
            "queries": SAVEPOINT_QUERIES,
        }
        return job_config(stack, topic, prefix, tmp_path, **(settings | changes))

    es = Elasticsearch(settings.es_url)

    def rate_windows() -> int:
        return count(es, f"{prefix}tweet_rate")

    first = runtime.start(live_job()).get_job_client()
    assert first is not None
    deadline = time.monotonic() + 180
    while rate_windows() < 10 and time.monotonic() < deadline:
        time.sleep(1)
    assert rate_windows() >= 10, "the first run wrote no results"
    savepoint = rest.stop_with_savepoint(str(first.get_job_id()))
    assert rest.job(str(first.get_job_id()))["state"] == "FINISHED"
    windows_before = rate_windows()

    # The rest of the input arrives while the job is down, then a tweet on every partition far
    # past the input's end moves the watermark beyond every window of the input.
    for tweet in tweets[1500:]:
        sink.send(tweet)
    sink.close()
    send_closing(settings.kafka_bootstrap, topic, tweets[-1])

    # A savepoint of other queries is refused with the way out, not half restored.
    with pytest.raises(runtime.SavepointMismatchError, match="allow-non-restored-state"):
        runtime.start(live_job(queries=(*SAVEPOINT_QUERIES, "languages"), from_savepoint=savepoint))

    second = runtime.start(live_job(from_savepoint=savepoint)).get_job_client()
    assert second is not None
    second_id = str(second.get_job_id())
    want = {q: expected(tweets)[q] for q in SAVEPOINT_QUERIES}
    try:
        got = settle(es, prefix, want, timeout_s=240)
        restored = rest.restored_from(second_id)
    finally:
        rest.cancel(second_id)
    assert restored == savepoint
    assert 0 < windows_before < len(want["tweet_rate"])  # the stop really was mid-stream
    assert_same(got, want)


def test_a_taskmanager_killed_mid_stream_costs_a_restart_not_a_result(
    stack: LocalStack, rest: FlinkRest, cluster: FlinkCluster, tmp_path: Path
) -> None:
    """SIGKILL to one of the job's two TaskManagers; a replacement starts as a supervisor
    (systemd, Kubernetes) would start it, and the job goes on from its last checkpoint."""
    settings = stack.settings
    topic, prefix = f"tm-{uuid.uuid4().hex[:8]}", f"t{uuid.uuid4().hex[:6]}_"
    tweets, sink = half_sent(stack, topic, seed=6)
    config = job_config(
        stack,
        topic,
        prefix,
        tmp_path,
        bounded=False,
        jobmanager=cluster.address,
        parallelism=2,
        checkpoint_dir=None,
        checkpoint_interval="2 s",
        queries=RESTART_QUERIES,
    )
    client = runtime.start(config).get_job_client()
    assert client is not None
    job_id = str(client.get_job_id())
    es = Elasticsearch(settings.es_url)
    want = {q: expected(tweets)[q] for q in RESTART_QUERIES}
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and not (
            count(es, f"{prefix}tweet_rate") >= 10 and rest.checkpoints_completed(job_id) > 0
        ):
            time.sleep(1)
        victim = cluster.taskmanagers[1]
        [pid] = victim.pids()
        os.kill(pid, signal.SIGKILL)
        windows_before = count(es, f"{prefix}tweet_rate")
        for tweet in tweets[1500:]:
            sink.send(tweet)
        sink.close()
        send_closing(settings.kafka_bootstrap, topic, tweets[-1])
        assert cluster.up().started == (victim.name,)
        got = settle(es, prefix, want, timeout_s=300)
        assert rest.job(job_id)["state"] == "RUNNING"
        assert rest.restarts(job_id) >= 1
        assert rest.taskmanagers_of(job_id) == {"tweetflow-tm-1", "tweetflow-tm-2"}
    finally:
        rest.cancel(job_id)
    assert 0 < windows_before < len(want["tweet_rate"])  # the kill really was mid-stream
    assert_same(got, want)


def test_flink_run_submits_the_python_entry_point(
    stack: LocalStack, rest: FlinkRest, cluster: FlinkCluster
) -> None:
    """Flink's own `flink run --python` path, as the Kubernetes operator's PythonDriver uses it:
    settings from TWEETFLOW_* variables, parallelism from the cluster."""
    settings = stack.settings
    topic = f"run-{uuid.uuid4().hex[:8]}"
    tweets = list(generate(SyntheticConfig(seed=8, count=50, start_ms=1_767_225_600_000)))
    sink = TweetSink(settings.kafka_bootstrap, topic, partitions=2)
    for tweet in tweets:
        sink.send(tweet)
    sink.close()
    env = cluster.distribution.environment(cluster.java()) | {
        "TWEETFLOW_TOPIC": topic,
        "TWEETFLOW_GROUP_ID": topic,
        "TWEETFLOW_KAFKA_SERVERS": settings.kafka_bootstrap,
        "TWEETFLOW_ES_HOSTS": settings.es_url,
    }
    submitted = subprocess.run(
        # As the Kubernetes operator passes its flinkConfiguration: the cluster's checkpoint
        # interval must win over tweetflow's default of 10 s.
        [
            cluster.distribution.script("flink"),
            "run",
            "--detached",
            "-Dexecution.checkpointing.interval=7 s",
            "-pym",
            "flink_jobs.main",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    output = submitted.stdout + submitted.stderr
    assert submitted.returncode == 0, output[-3000:]
    job_id = re.findall(r"JobID ([0-9a-f]{32})", output)[0]
    es = Elasticsearch(settings.es_url)
    wanted = {t["id_str"] for t in tweets}
    found: set[str] = set()
    try:
        assert rest.wait_for_state(job_id, {"RUNNING"}) == "RUNNING"
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not wanted <= found:
            if es.indices.exists(index="tweetflow_live_tweets-*"):
                es.indices.refresh(index="tweetflow_live_tweets-*")
                hits = es.search(
                    index="tweetflow_live_tweets-*",
                    query={"ids": {"values": sorted(wanted)}},
                    size=len(wanted),
                )["hits"]["hits"]
                found = {h["_source"]["id_str"] for h in hits}
            time.sleep(1)
        assert max(v["parallelism"] for v in rest.job(job_id)["vertices"]) == 2
        assert rest.checkpoint_config(job_id)["interval"] == 7000
    finally:
        rest.cancel(job_id)
    assert found == wanted
