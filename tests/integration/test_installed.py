"""tweetflow as a user installs it: the wheel built from this checkout, installed with its
dependencies into a fresh virtualenv in a temporary directory, run from there (no checkout on
sys.path, another working directory). `tweetflow job run --bounded` -- the default job,
sentiment included -- over the shared test input writes exactly what the reference computes."""

from __future__ import annotations

import subprocess
import uuid
import zipfile
from pathlib import Path
from typing import Any

import pytest

from producer.kafka_sink import TweetSink
from tests.support import pipeline_results, reference
from tests.support.installed import user_environment
from tweetflow.stack.stack import LocalStack

pytestmark = [pytest.mark.integration, pytest.mark.slow]

REPOSITORY = Path(__file__).resolve().parents[2]


def test_the_wheel_holds_every_file_the_job_reads(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    sql = {p.relative_to(REPOSITORY).as_posix() for p in (REPOSITORY / "sql").rglob("*.sql")}
    assert sql and {f"flink_jobs/{name}" for name in sql} <= names
    # tweetflow's Java code (the functions and the connector; the local Elasticsearch node's
    # launcher), compiled where it runs, and the connector's registration.
    java = {
        p.relative_to(REPOSITORY).as_posix()
        for pattern in ("flink_jobs/java/**/*.java", "tweetflow/stack/java/**/*.java")
        for p in REPOSITORY.glob(pattern)
    }
    assert len(java) > 20 and java <= names
    assert "flink_jobs/java/META-INF/services/org.apache.flink.table.factories.Factory" in names
    for data in (
        "flink_jobs/index_templates.json",
        "producer/tweet.schema.json",
        "tweetflow/core/versions.toml",
        "tweetflow/core/artifacts.lock.json",
    ):
        assert data in names
    assert not any(n.startswith(("tests/", "bench/")) for n in names)


def test_the_installed_package_runs_the_default_job_exactly(
    venv: Path, stack: LocalStack, pipeline_run: dict[str, Any], tmp_path: Path
) -> None:
    # The shared input's tweets in a topic of this test's own (the shared topic's dead letters
    # are counted by other tests).
    topic, prefix = f"wheel-{uuid.uuid4().hex[:6]}", f"w{uuid.uuid4().hex[:6]}_"
    sink = TweetSink(stack.settings.kafka_bootstrap, topic, partitions=2)
    for tweet in pipeline_run["tweets"]:
        sink.send(tweet)
    sink.close()
    env = user_environment(
        stack.settings.as_env() | {"TWEETFLOW_TOPIC": topic, "TWEETFLOW_ES_INDEX_PREFIX": prefix}
    )
    where = subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import flink_jobs, sys; print(flink_jobs.__file__)"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert where.stdout.startswith(str(venv)), where.stdout
    done = subprocess.run(
        [str(venv / "bin" / "tweetflow"), "job", "run", "--bounded"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "finished" in done.stdout

    tweets = pipeline_run["tweets"]
    want = pipeline_results.expected_with_defaults(tweets)
    got = pipeline_results.actual(pipeline_run["es"], prefix)
    for query in pipeline_results.COMPARED:
        assert want[query], f"the reference for {query} is empty"
        assert got[query] == want[query], query
    # The sentiment UDF ran in the virtualenv's interpreter, from the installed package.
    scored = reference.sentiment(tweets, reference.Windows())
    enriched = pipeline_results.actual(
        pipeline_run["es"], prefix, tuple(pipeline_results.SENTIMENT_SHAPES)
    )
    assert enriched["sentiment"].keys() == scored["sentiment"].keys()
    assert {k: v[:2] for k, v in enriched["sentiment"].items()} == {
        k: v[:2] for k, v in scored["sentiment"].items()
    }
