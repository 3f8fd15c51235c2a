"""docker-compose.yml, validated offline: no Docker engine runs here."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
import yaml

from tests.support import grafana_es
from tweetflow.core import artifacts, versions
from tweetflow.core.settings import Settings

REPO = Path(__file__).resolve().parents[2]
SCHEMA = REPO.parent / "shared" / "conformance" / "compose-spec" / "compose-spec.json"
REQUIRED_SERVICES = {"kafka", "elasticsearch", "kibana", "grafana", "jobmanager", "taskmanager"}


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((REPO / "docker-compose.yml").read_text())


def test_matches_the_official_compose_schema(compose: dict) -> None:
    if not SCHEMA.exists():
        pytest.skip(f"compose schema not found at {SCHEMA}")
    schema = json.loads(SCHEMA.read_text())
    jsonschema.Draft7Validator(schema).validate(compose)


def test_the_schema_check_can_fail(compose: dict) -> None:
    if not SCHEMA.exists():
        pytest.skip(f"compose schema not found at {SCHEMA}")
    broken = {**compose, "services": {"kafka": {"image": "x", "ports": {"not": "a list"}}}}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft7Validator(json.loads(SCHEMA.read_text())).validate(broken)


def test_every_required_service_has_a_healthcheck_or_waits_on_one(compose: dict) -> None:
    services = compose["services"]
    assert set(services) >= REQUIRED_SERVICES
    for name, service in services.items():
        waits = any(
            isinstance(dep, dict) and dep.get("condition") == "service_healthy"
            for dep in (service.get("depends_on") or {}).values()
        )
        assert "healthcheck" in service or waits, name


def test_images_follow_the_version_matrix(compose: dict) -> None:
    v = versions.load()
    services = compose["services"]
    assert services["kafka"]["image"] == f"apache/kafka:{v.kafka}"
    assert services["elasticsearch"]["image"] == f"elasticsearch:{v.elasticsearch}"
    assert services["kibana"]["image"] == f"kibana:{v.elasticsearch}"
    assert services["grafana"]["image"] == f"grafana/grafana:{v.grafana}"
    assert services["jobmanager"]["image"] == services["taskmanager"]["image"]
    assert services["jobmanager"]["image"].endswith(f":{v.flink}")
    # Debian's build runs the local stack's Prometheus: the same release upstream.
    debian = v.prometheus_deb.rsplit("/", 1)[1].split("_")[1].split("+")[0]
    assert services["prometheus"]["image"] == f"prom/prometheus:v{debian}"


def test_flink_image_defaults_follow_the_matrix_and_the_lock() -> None:
    v = versions.load()
    dockerfile = (REPO / "deploy" / "flink" / "Dockerfile").read_text()
    assert f"ARG FLINK_VERSION={v.flink}\n" in dockerfile
    assert f"ARG KAFKA_CONNECTOR={v.kafka_connector}\n" in dockerfile
    assert "ES_CONNECTOR" not in dockerfile  # tweetflow's own, in the functions jar
    assert "artifacts.lock.json" in dockerfile and "sha256sum -c" in dockerfile
    locked = artifacts.read_lock()["flink-connectors"]["sha256"]
    assert set(locked) == {v.kafka_connector.jar_name}


def test_host_ports_match_the_local_stack_defaults(compose: dict) -> None:
    defaults = Settings.from_env({})
    services = compose["services"]

    def host_ports(name: str) -> set[int]:
        return {int(re.split(r":", p)[-2]) for p in services[name].get("ports", [])}

    assert defaults.kafka_port in host_ports("kafka")
    assert defaults.es_port in host_ports("elasticsearch")
    env = services["kafka"]["environment"]
    assert f"127.0.0.1:{defaults.kafka_port}" in env["KAFKA_ADVERTISED_LISTENERS"]
    assert int(env["KAFKA_NUM_PARTITIONS"]) == defaults.topic_partitions


def test_named_volumes_are_declared(compose: dict) -> None:
    declared = set(compose.get("volumes", {}))
    for service in compose["services"].values():
        for volume in service.get("volumes", []):
            source = volume.split(":", 1)[0]
            if not source.startswith((".", "/")):
                assert source in declared, source


def compose_value(text: str, host: dict[str, str]) -> str:
    """Compose's ${VAR:-default} interpolation, the only form this file uses."""
    return re.sub(r"\$\{(\w+):-([^}]*)\}", lambda m: host.get(m.group(1)) or m.group(2), str(text))


def grafana_sees(compose: dict, host: dict[str, str]) -> dict[str, str]:
    """The data source fields Grafana provisions, expanded from its environment as it does."""
    env = {
        k: compose_value(v, host) for k, v in compose["services"]["grafana"]["environment"].items()
    }
    provisioned = (REPO / "deploy/grafana/provisioning/datasources/elasticsearch.yml").read_text()
    assert set(re.findall(r"\$(\w+)", provisioned)) <= set(env), "a variable Grafana lacks"
    first = yaml.safe_load(provisioned)["datasources"][0]
    fields = {k: first[k] for k in ("url", "basicAuth", "basicAuthUser")}
    fields |= first["secureJsonData"]
    return {k: grafana_es.expand(v, env) for k, v in fields.items()}


def test_grafana_reads_the_open_local_elasticsearch_by_default(compose: dict) -> None:
    seen = grafana_sees(compose, {})
    assert seen["url"] == "http://elasticsearch:9200"
    assert seen["basicAuth"] == "false"  # Grafana parses it as a boolean: never empty
    assert seen["basicAuthPassword"] == seen["tlsCACert"] == ""


def test_grafana_reads_a_secured_elasticsearch_from_the_environment(compose: dict) -> None:
    host = {
        "TWEETFLOW_GRAFANA_ES_URL": "https://es.example:9200",
        "TWEETFLOW_GRAFANA_ES_BASIC_AUTH": "true",
        "TWEETFLOW_ES_READER_USERNAME": "tweetflow-reader",
        "TWEETFLOW_ES_READER_PASSWORD": "from-the-shell",
        "TWEETFLOW_GRAFANA_ES_CA_PEM": "-----BEGIN CERTIFICATE-----",
    }
    seen = grafana_sees(compose, host)
    assert seen == {
        "url": "https://es.example:9200",
        "basicAuth": "true",
        "basicAuthUser": "tweetflow-reader",
        "basicAuthPassword": "from-the-shell",
        "tlsCACert": "-----BEGIN CERTIFICATE-----",
    }


def test_the_image_installs_tweetflow_as_a_package_not_a_checkout() -> None:
    """The job reads its SQL through importlib.resources: the image needs the installed
    package, not sources beside it (tests/integration/test_installed.py runs that install)."""
    dockerfile = (REPO / "deploy" / "flink" / "Dockerfile").read_text()
    assert "/opt/venv/bin/pip install --no-cache-dir /src" in dockerfile
    assert "pip install -e" not in dockerfile and "--editable" not in dockerfile
    assert not [line for line in dockerfile.splitlines() if line.startswith("COPY sql")]
