"""The Flink image's path without Docker: what deploy/flink/Dockerfile builds, laid out in a
temporary directory -- a Flink distribution whose lib/ holds the verified connector jars and
tweetflow's functions jar, tweetflow installed from the wheel (not editable) into a fresh
virtualenv, no Maven, no tweetflow cache, no checkout -- runs the compose `job` service's exact
command against a real standalone cluster. The job's results equal the reference."""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from pathlib import Path
from typing import Any

import pytest
import yaml
from elasticsearch import Elasticsearch

from flink_jobs import java_functions
from flink_jobs.rest import FlinkRest
from tests.support.installed import REPOSITORY, user_environment
from tests.support.pipeline_results import (
    CLOSED_BY_CLOSING,
    assert_same,
    expected_with_defaults,
    send_live_input,
    settle,
)
from tweetflow.core import artifacts
from tweetflow.stack.flink_cluster import FlinkCluster
from tweetflow.stack.stack import LocalStack

pytestmark = [pytest.mark.integration, pytest.mark.slow]

COMPOSE = yaml.safe_load((REPOSITORY / "docker-compose.yml").read_text())
DOCKERFILE = (REPOSITORY / "deploy" / "flink" / "Dockerfile").read_text()


@pytest.fixture(scope="module")
def image(venv: Path, stack: LocalStack, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """/opt/flink and /opt/venv of the image under a temporary root. The distribution is the
    PyFlink package's (the same Flink release as the image's base); lib/ gets what the
    Dockerfile's connector and function stages put there: verified jars, built beforehand."""
    root = tmp_path_factory.mktemp("image")
    pyflink = next(venv.glob("lib/python*/site-packages/pyflink"))
    flink = root / "opt" / "flink"
    for part in ("bin", "conf", "opt", "plugins"):
        shutil.copytree(pyflink / part, flink / part, symlinks=True)
    (flink / "lib").mkdir()
    (flink / "log").mkdir()
    java = stack.java()
    connectors = artifacts.ensure("flink-connectors", stack.settings.cache_dir, java.home)
    functions = java_functions.jar(stack.settings.cache_dir, java)
    for jar in (*sorted((pyflink / "lib").glob("*.jar")), *connectors.glob("*.jar"), functions):
        (flink / "lib" / jar.name).symlink_to(jar.resolve())
    (root / "opt" / "venv").symlink_to(venv)
    return root


def test_the_layout_follows_the_dockerfile() -> None:
    """What the layout above assumes of the image, read from the Dockerfile itself."""
    assert "COPY --from=connectors /jars/*.jar /opt/flink/lib/" in DOCKERFILE
    assert "COPY --from=functions /tweetflow-functions.jar /opt/flink/lib/" in DOCKERFILE
    assert "python3 -m venv /opt/venv && /opt/venv/bin/pip install --no-cache-dir /src" in (
        DOCKERFILE
    )
    assert "ENV PATH=/opt/venv/bin:$PATH" in DOCKERFILE
    job = COMPOSE["services"]["job"]
    assert job["image"] == COMPOSE["services"]["jobmanager"]["image"]
    assert "-pym flink_jobs.main" in job["command"][0]


def test_the_compose_job_command_runs_the_job_from_the_image_layout(
    image: Path, cluster: FlinkCluster, stack: LocalStack, pipeline_run: dict[str, Any],
    tmp_path: Path,
) -> None:  # fmt: skip
    settings = stack.settings
    rest = FlinkRest(cluster.address)
    assert not rest.running("tweetflow-analytics")
    topic, prefix = f"img-{uuid.uuid4().hex[:8]}", f"i{uuid.uuid4().hex[:6]}_"
    tweets = pipeline_run["tweets"]
    send_live_input(settings.kafka_bootstrap, topic, tweets)

    # Maven must never run: a stand-in first on PATH leaves a mark if anything calls it.
    shadow = tmp_path / "shadow-bin"
    shadow.mkdir()
    (shadow / "mvn").write_text(f"#!/bin/sh\ntouch {tmp_path / 'maven-was-called'}\nexit 97\n")
    (shadow / "mvn").chmod(0o755)
    cache, home = tmp_path / "no-cache", tmp_path / "home"
    cache.mkdir()
    home.mkdir()
    job = COMPOSE["services"]["job"]
    compose_env = {k: str(v) for k, v in job["environment"].items()}
    flink = image / "opt" / "flink"
    base = user_environment({})
    env = {
        "PATH": os.pathsep.join(
            [
                str(shadow),
                str(image / "opt" / "venv" / "bin"),
                str(flink / "bin"),
                str(stack.java().home / "bin"),
                base["PATH"],
            ]
        ),
        "HOME": str(home),
        "JAVA_HOME": str(stack.java().home),
        "FLINK_HOME": str(flink),
        "LANG": "C.UTF-8",
        **compose_env,
        # The compose network's names, for this machine's stack and cluster.
        "TWEETFLOW_KAFKA_SERVERS": settings.kafka_bootstrap,
        "TWEETFLOW_ES_HOSTS": settings.es_url,
        "TWEETFLOW_CACHE_DIR": str(cache),
        "TWEETFLOW_STATE_DIR": str(tmp_path / "state"),
        "TWEETFLOW_TOPIC": topic,
        "TWEETFLOW_GROUP_ID": topic,
        "TWEETFLOW_ES_INDEX_PREFIX": prefix,
    }
    assert compose_env["TWEETFLOW_ENRICHMENT"] == "vectorized"
    command = job["command"][0].replace("jobmanager:8081", cluster.address)

    def run_compose_job() -> str:
        done = subprocess.run(
            ["sh", "-c", command], cwd=tmp_path, env=env, capture_output=True, text=True,
            timeout=600, stdin=subprocess.DEVNULL,
        )  # fmt: skip
        assert done.returncode == 0, (done.stdout + done.stderr)[-4000:]
        return done.stdout + done.stderr

    output = run_compose_job()
    running = rest.running("tweetflow-analytics")
    assert len(running) == 1, output[-3000:]
    job_id = running[0].job_id
    full = expected_with_defaults(tweets)
    want = {query: full[query] for query in CLOSED_BY_CLOSING}
    try:
        got = settle(Elasticsearch(settings.es_url), prefix, want, timeout_s=300)
        # A second `up` of the one-shot service finds the job and submits nothing.
        run_compose_job()
        assert [j.job_id for j in rest.running("tweetflow-analytics")] == [job_id]
        interval = rest.checkpoint_config(job_id)["interval"]
    finally:
        rest.cancel(job_id)
    assert_same(got, want)
    assert interval == 10_000  # neither the cluster nor the image sets one: tweetflow's
    assert not (tmp_path / "maven-was-called").exists()
    assert not any(cache.iterdir()), "the job needed tweetflow's download cache"
