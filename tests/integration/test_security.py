"""Kafka secured: TLS with the stack's generated CA and SASL authentication, the whole pipeline
through it (producer, job, dead letters); wrong credentials give a clear error; the password
never shows up in logs, errors, the job's plan or rendered configuration."""

from __future__ import annotations

import base64
import dataclasses
import json
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from elasticsearch import Elasticsearch
from elasticsearch import exceptions as es_errors
from kafka import KafkaAdminClient
from kafka.errors import KafkaError

from flink_jobs import es_templates, runtime, sql_scripts
from tests.support import grafana_es
from tests.support.job_process import JobProcess
from tests.support.pipeline_results import (
    RESTART_QUERIES,
    actual,
    assert_same,
    expected,
    job_config,
    topic_records,
)
from tweetflow.core.es_connection import connect
from tweetflow.core.settings import Settings
from tweetflow.stack import process
from tweetflow.stack.ports import private_settings
from tweetflow.stack.stack import LocalStack

pytestmark = [pytest.mark.integration, pytest.mark.slow]

REPOSITORY = Path(__file__).resolve().parents[2]
KAFKA_PASSWORD = f"kafka-pw-{uuid.uuid4().hex}"
ES_PASSWORD = f"es-pw-{uuid.uuid4().hex}"
READER_PASSWORD = f"reader-pw-{uuid.uuid4().hex}"
# An API key as Elasticsearch hands one out: its id, its secret, and "encoded", what clients send.
API_KEY_SECRET = f"key-{uuid.uuid4().hex}"
API_KEY = base64.b64encode(f"tweetflow-job:{API_KEY_SECRET}".encode()).decode()
SECRETS = (KAFKA_PASSWORD, ES_PASSWORD, READER_PASSWORD, API_KEY_SECRET, API_KEY)


def security_env(settings: Settings, password_file: Path) -> dict[str, str]:
    return {
        "TWEETFLOW_KAFKA_SECURITY_PROTOCOL": "SASL_SSL",
        "TWEETFLOW_KAFKA_SASL_MECHANISM": "PLAIN",
        "TWEETFLOW_KAFKA_SASL_USERNAME": "tweetflow",
        "TWEETFLOW_KAFKA_SASL_PASSWORD_FILE": str(password_file),
        "TWEETFLOW_KAFKA_SSL_CAFILE": str(settings.state_dir / "tls" / "ca.pem"),
        "TWEETFLOW_ES_SECURITY": "tls",
        "TWEETFLOW_ES_USERNAME": "tweetflow-writer",
        "TWEETFLOW_ES_PASSWORD": ES_PASSWORD,
        "TWEETFLOW_ES_READER_USERNAME": "tweetflow-reader",
        "TWEETFLOW_ES_READER_PASSWORD": READER_PASSWORD,
        # The gateway takes it as a writer's too; the job uses it where no username is set.
        "TWEETFLOW_ES_API_KEY": API_KEY,
    }


@pytest.fixture(scope="module")
def secured(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A stack of its own with security on: Kafka speaks only SASL_SSL, Elasticsearch only
    HTTPS with authentication (through the stack's gateway)."""
    root = tmp_path_factory.mktemp("secured")
    password_file = root / "kafka-password"
    password_file.write_text(KAFKA_PASSWORD + "\n", encoding="utf-8")
    password_file.chmod(0o600)
    base = private_settings(root / "state")
    settings = Settings(
        **{**base.__dict__, "es_security": "tls", "es_username": "tweetflow-writer"}
    )
    env = security_env(settings, password_file)
    with pytest.MonkeyPatch.context() as patch:
        for name, value in env.items():
            patch.setenv(name, value)
        local = LocalStack(settings)
        try:
            assert set(local.up().started) == {"kafka", "elasticsearch", "es-gateway"}
            yield {"stack": local, "env": env, "root": root}
        finally:
            local.down()


def child_env(secured: dict[str, Any], topic: str, **changes: str) -> dict[str, str]:
    settings = secured["stack"].settings
    env = process.child_environment() | settings.as_env() | secured["env"]
    return env | {"TWEETFLOW_TOPIC": topic} | changes


def produce(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tweetflow.cli", "produce", *args],
        cwd=REPOSITORY,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        stdin=subprocess.DEVNULL,
        check=False,
    )


def test_the_broker_refuses_plaintext_clients(secured: dict[str, Any]) -> None:
    with pytest.raises(KafkaError):
        KafkaAdminClient(
            bootstrap_servers=secured["stack"].settings.kafka_bootstrap,
            request_timeout_ms=3000,
            api_version_auto_timeout_ms=3000,
        )


def test_the_whole_pipeline_runs_secured_and_leaks_no_secret(
    secured: dict[str, Any], tmp_path: Path
) -> None:
    local: LocalStack = secured["stack"]
    settings = local.settings
    # The gateway lets the writer write tweetflow's indexes only: the prefix starts so.
    topic, prefix = f"sec-{uuid.uuid4().hex[:8]}", f"tweetflow_q{uuid.uuid4().hex[:6]}_"
    produced = produce(child_env(secured, topic), "--count", "2000")
    assert produced.returncode == 0, produced.stdout[-2000:] + produced.stderr[-2000:]
    assert "acked 2,000;" in produced.stdout

    config = job_config(local, topic, prefix, tmp_path, queries=RESTART_QUERIES)
    assert config.kafka_security_protocol == "SASL_SSL" and config.es_username
    assert config.es_hosts.startswith("https://") and config.es_ca_file
    run = JobProcess(config, tmp_path, "secured")
    assert run.wait(timeout_s=300) == 0, run.output()[-3000:]
    (tmp_path / "secured.pickle").unlink()  # the test's own copy of the configuration

    tweets = topic_records(settings.kafka_bootstrap, topic)
    assert len(tweets) == 2000
    got = actual(connect(settings), prefix, RESTART_QUERIES)
    assert_same(got, {q: expected(tweets)[q] for q in RESTART_QUERIES})

    # Where a secret could leak: every log of the run, the job's plan, the rendered SQL
    # client scripts (init.sql excepted: it is the credentials file, owner-only).
    logs = [*(tmp_path / "logs").rglob("*.log"), *local.log_files().values()]
    texts = {f"log {path.name}": path.read_text(errors="replace") for path in logs}
    # The job's JVM logged where the check reads. Its content is not asserted: once in ~30 CI
    # runs the file was found truncated to nothing when the job ended (not reproduced since).
    assert "log flink-root-python-vm.log" in texts, sorted(texts)
    assert "SASL_SSL" in texts["log kafka.log"]
    scripts = sql_scripts.render(config, tmp_path / "sql")
    assert scripts.init.stat().st_mode & 0o077 == 0
    assert KAFKA_PASSWORD in scripts.init.read_text()  # the SQL client has no other way
    texts |= {
        "producer output": produced.stdout + produced.stderr,
        "job output": run.output(),
        "job plan": runtime.explain(config),
        "job configuration": repr(config),
        "settings": repr(settings) + repr(settings.as_env()),
        "rendered job.sql": scripts.job.read_text(),
    }
    for secret in SECRETS:
        leaked = [where for where, text in texts.items() if secret in text]
        assert not leaked, f"a password appears in {leaked}"


def test_the_job_writes_with_an_api_key_and_a_wrong_key_is_a_clear_error(
    secured: dict[str, Any], tmp_path: Path
) -> None:
    """The connector's 'api-key' (and the index templates' client) against a node that checks
    it: the results are written as with a user; a wrong key stops the job before it starts."""
    local: LocalStack = secured["stack"]
    topic, prefix = f"sec-{uuid.uuid4().hex[:8]}", f"tweetflow_k{uuid.uuid4().hex[:6]}_"
    produced = produce(child_env(secured, topic), "--count", "500")
    assert produced.returncode == 0, produced.stdout[-2000:] + produced.stderr[-2000:]
    with_user = job_config(local, topic, prefix, tmp_path, queries=RESTART_QUERIES)
    config = dataclasses.replace(with_user, es_username="", es_password="", es_api_key=API_KEY)
    assert "'api-key'" in sql_scripts.render(config, tmp_path / "sql").init.read_text()
    wrong = base64.b64encode(b"tweetflow-job:not-the-key").decode()
    with pytest.raises(ValueError, match="refused the credentials of the API key: check "
                       "TWEETFLOW_ES_API_KEY"):  # fmt: skip
        runtime.start(dataclasses.replace(config, es_api_key=wrong))
    run = JobProcess(config, tmp_path, "api-key")
    assert run.wait(timeout_s=300) == 0, run.output()[-3000:]
    (tmp_path / "api-key.pickle").unlink()  # the test's own copy of the configuration
    tweets = topic_records(local.settings.kafka_bootstrap, topic)
    got = actual(connect(local.settings), prefix, RESTART_QUERIES)
    assert_same(got, {q: expected(tweets)[q] for q in RESTART_QUERIES})
    logs = [*(tmp_path / "logs").rglob("*.log")]
    texts = [run.output(), repr(config), *(p.read_text(errors="replace") for p in logs)]
    assert not [t for t in texts if API_KEY in t or API_KEY_SECRET in t]


def test_wrong_credentials_are_a_clear_error(secured: dict[str, Any], tmp_path: Path) -> None:
    wrong = f"wrong-{uuid.uuid4().hex}"
    env = child_env(secured, f"sec-{uuid.uuid4().hex[:8]}", TWEETFLOW_KAFKA_SASL_PASSWORD=wrong)
    env.pop("TWEETFLOW_KAFKA_SASL_PASSWORD_FILE")
    done = produce(env, "--count", "10")
    output = done.stdout + done.stderr
    assert done.returncode != 0
    # "refused the credentials (SASL authentication failed)" when the broker says so, "the
    # credentials were most likely refused" when it just closes the connection.
    assert "refused" in output and "credentials" in output, output[-2000:]
    assert "TWEETFLOW_KAFKA_SASL_USERNAME" in output
    assert wrong not in output and "Traceback" not in output


def test_elasticsearch_roles_are_least_privilege(secured: dict[str, Any]) -> None:
    settings = secured["stack"].settings
    ca = str(settings.state_dir / "tls" / "ca.pem")

    def client(user: str, password: str) -> Elasticsearch:
        return Elasticsearch(settings.es_url, http_auth=(user, password), ca_certs=ca)

    writer = client("tweetflow-writer", ES_PASSWORD)
    reader = client("tweetflow-reader", READER_PASSWORD)
    writer.index(index="tweetflow_roles", id="1", document={"x": 1}, refresh=True)
    assert reader.search(index="tweetflow_roles")["hits"]["total"]["value"] == 1
    assert reader.count(index="tweetflow_roles")["count"] == 1
    with pytest.raises(es_errors.AuthorizationException):
        reader.index(index="tweetflow_roles", id="2", document={"x": 2})
    with pytest.raises(es_errors.AuthorizationException):
        reader.indices.delete(index="tweetflow_roles")
    with pytest.raises(es_errors.AuthorizationException):
        writer.index(index="other_index", id="1", document={"x": 1})
    with pytest.raises(es_errors.AuthorizationException):  # _bulk names its indexes inside
        writer.bulk(body=[{"index": {"_index": "other_index"}}, {"x": 1}])
    with pytest.raises(es_errors.AuthenticationException):
        client("tweetflow-writer", "wrong").search(index="tweetflow_roles")
    with pytest.raises(es_errors.SSLError):  # not our CA: the certificate is not trusted
        Elasticsearch(settings.es_url, http_auth=("tweetflow-reader", READER_PASSWORD)).info()
    with pytest.raises(es_errors.ConnectionError):  # nothing answers plain HTTP there
        Elasticsearch(settings.es_url.replace("https", "http"), max_retries=0).info()


def test_the_terminal_view_reads_as_the_reader(secured: dict[str, Any]) -> None:
    settings = secured["stack"].settings
    env = child_env(secured, "unused") | {
        "TWEETFLOW_ES_USERNAME": "tweetflow-reader",
        "TWEETFLOW_ES_PASSWORD": READER_PASSWORD,
    }
    writer = connect(settings)
    writer.index(
        index="tweetflow_view_top_hashtags",
        document={"window_start": "2026-01-01T00:00:00Z", "window_end": "2026-01-01T01:00:00Z",
                  "rank": 1, "hashtag": "securedtag", "tweets": 7},
        refresh=True,
    )  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-m", "tweetflow.cli", "watch", "--once", "--prefix", "tweetflow_view_"],
        cwd=REPOSITORY, env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "#securedtag" in done.stdout
    assert READER_PASSWORD not in done.stdout + done.stderr


def test_wrong_elasticsearch_credentials_stop_the_job_with_a_clear_error(
    secured: dict[str, Any], tmp_path: Path
) -> None:
    wrong = f"wrong-{uuid.uuid4().hex}"
    config = job_config(secured["stack"], "unused", "tweetflow_w_", tmp_path)
    with pytest.raises(ValueError, match="refused the credentials") as error:
        runtime.start(dataclasses.replace(config, es_password=wrong))
    assert wrong not in str(error.value) and "TWEETFLOW_ES_PASSWORD" in str(error.value)
    with pytest.raises(ValueError, match="writer role"):
        runtime.start(dataclasses.replace(config, es_username="tweetflow-reader",
                                      es_password=READER_PASSWORD))  # fmt: skip


GRAFANA = REPOSITORY / "deploy" / "grafana"
SAMPLE = {"date": "2026-01-01T00:00:30Z", "keyword": "securedtag", "text": "securedtag",
          "integer": 1, "long": 1, "double": 0.5, "boolean": True}  # fmt: skip
FILTERED = {"window_seconds": 2, "window_kind": "hop"}  # what panels filter on


def test_grafana_data_sources_read_every_panel_as_the_reader(secured: dict[str, Any]) -> None:
    """The provisioned data sources, expanded from the environment a secured deployment gives
    Grafana (compose and Kubernetes set these), run every panel through the gateway."""
    settings = secured["stack"].settings
    ca_pem = (settings.state_dir / "tls" / "ca.pem").read_text()
    env = {
        "TWEETFLOW_GRAFANA_ES_URL": settings.es_url,
        "TWEETFLOW_GRAFANA_ES_BASIC_AUTH": "true",
        "TWEETFLOW_ES_READER_USERNAME": "tweetflow-reader",
        "TWEETFLOW_ES_READER_PASSWORD": READER_PASSWORD,
        "TWEETFLOW_GRAFANA_ES_CA_PEM": ca_pem,
    }
    writer = connect(settings)
    for name, body in es_templates.templates("tweetflow_").items():
        writer.indices.put_index_template(name=name, body=body)
    provisioned = yaml.safe_load(
        (GRAFANA / "provisioning/datasources/elasticsearch.yml").read_text()
    )
    sources = {ds["uid"]: ds for ds in provisioned["datasources"]}
    mappings = json.loads(es_templates.TEMPLATES_FILE.read_text())["indexes"]
    for ds in sources.values():
        index = ds["jsonData"]["index"]
        fields = mappings[index.removeprefix("tweetflow_").removesuffix("-*")]["properties"]
        document = {f: SAMPLE[spec["type"]] for f, spec in fields.items() if spec["type"] in SAMPLE}
        document |= {f: v for f, v in FILTERED.items() if f in fields}
        writer.index(index=index.replace("-*", "-2026.01.01"), document=document, refresh=True)

    around = (1_767_225_600_000, 1_767_225_660_000)
    used = set()
    for board in ("tweets.json", "hashtag.json"):
        for panel in json.loads((GRAFANA / "dashboards" / board).read_text())["panels"]:
            for target in panel.get("targets", []):
                ds = sources[target["datasource"]["uid"]]
                client = grafana_es.datasource_client(ds, env)
                index = ds["jsonData"]["index"]
                rows = grafana_es.rows(client, index, target, around, {"hashtag": "securedtag"})
                # Histogram panels return empty buckets too: the document must be counted.
                assert any(r.get("count", 1) for r in rows), f"{board}: {panel['title']!r}"
                used.add(ds["uid"])
    assert used == set(sources)  # every provisioned data source served a panel

    some = next(iter(sources.values()))
    with pytest.raises(es_errors.AuthenticationException):
        wrong = env | {"TWEETFLOW_ES_READER_PASSWORD": "wrong"}
        grafana_es.datasource_client(some, wrong).search(index=some["jsonData"]["index"])
    with pytest.raises(es_errors.SSLError):  # without the CA's PEM: the system's CAs
        no_ca = env | {"TWEETFLOW_GRAFANA_ES_CA_PEM": ""}
        grafana_es.datasource_client(some, no_ca).search(index=some["jsonData"]["index"])
    with pytest.raises(es_errors.AuthorizationException):  # the reader cannot write
        reader = grafana_es.datasource_client(some, env)
        reader.index(index=some["jsonData"]["index"], document={"x": 1})
