"""deploy/kubernetes, validated offline: no cluster runs here. Built-in kinds against the
Kubernetes schemas of kubernetes-validate; the operators' kinds for the fields tweetflow relies
on; versions against the matrix; names that refer to each other."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from tweetflow import versions

DIR = Path(__file__).resolve().parents[2] / "deploy" / "kubernetes"
BUILT_IN_GROUPS = ("v1", "apps/v1", "rbac.authorization.k8s.io/v1")


def load_all() -> list[dict[str, Any]]:
    kustomization = yaml.safe_load((DIR / "kustomization.yaml").read_text())
    docs = []
    for name in kustomization["resources"]:
        docs += [d for d in yaml.safe_load_all((DIR / name).read_text()) if d]
    return docs


@pytest.fixture(scope="module")
def docs() -> list[dict[str, Any]]:
    return load_all()


def one(docs: list[dict[str, Any]], kind: str, name: str = "tweetflow") -> dict[str, Any]:
    found = [d for d in docs if d["kind"] == kind and d["metadata"]["name"] == name]
    assert len(found) == 1, f"{kind}/{name}"
    return found[0]


def test_kustomization_lists_every_manifest() -> None:
    listed = set(yaml.safe_load((DIR / "kustomization.yaml").read_text())["resources"])
    assert listed == {p.name for p in DIR.glob("*.yaml")} - {"kustomization.yaml"}


def test_every_resource_is_named_and_in_the_namespace(docs: list[dict[str, Any]]) -> None:
    for doc in docs:
        assert doc.get("apiVersion") and doc.get("kind") and doc["metadata"].get("name"), doc
        if doc["kind"] != "Namespace":
            assert doc["metadata"].get("namespace") == "tweetflow", doc["metadata"]["name"]


def test_built_in_kinds_match_the_kubernetes_schemas(docs: list[dict[str, Any]]) -> None:
    checked = 0
    for doc in docs:
        if doc["apiVersion"] in BUILT_IN_GROUPS:
            kubernetes_validate.validate(doc, kubernetes_validate.latest_version(), strict=True)
            checked += 1
    assert checked >= 7


def test_the_schema_check_can_fail() -> None:
    broken = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "x"},
        "spec": {"replica": 1, "selector": {}, "template": {}},
    }
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, kubernetes_validate.latest_version(), strict=True)


def test_the_flink_deployment_runs_the_python_job_of_this_version(
    docs: list[dict[str, Any]],
) -> None:
    v = versions.load()
    flink = one(docs, "FlinkDeployment")
    spec = flink["spec"]
    major, minor, _ = v.flink.split(".")
    assert flink["apiVersion"] == "flink.apache.org/v1beta1"
    assert spec["flinkVersion"] == f"v{major}_{minor}"
    assert spec["image"].endswith(f":{v.flink}")
    job = spec["job"]
    assert job["jarURI"] == f"local:///opt/flink/opt/flink-python-{v.flink}.jar"
    assert job["entryClass"] == "org.apache.flink.client.python.PythonDriver"
    assert job["args"] == ["-pym", "flink_jobs.main"]
    assert job["upgradeMode"] == "savepoint" and job["state"] == "running"
    config = spec["flinkConfiguration"]
    assert all(isinstance(value, str) for value in config.values())  # the CRD wants strings
    assert config["state.checkpoints.dir"].startswith("s3://")
    assert config["state.savepoints.dir"].startswith("s3://")
    containers = spec["podTemplate"]["spec"]["containers"]
    assert [c["name"] for c in containers] == ["flink-main-container"]
    plugins = {e["name"]: e.get("value") for e in containers[0]["env"]}
    assert plugins["ENABLE_BUILT_IN_PLUGINS"] == f"flink-s3-fs-presto-{v.flink}.jar"


def test_parallelism_fits_partitions_and_slots(docs: list[dict[str, Any]]) -> None:
    spec = one(docs, "FlinkDeployment")["spec"]
    partitions = one(docs, "KafkaTopic", "tweets")["spec"]["partitions"]
    slots = int(spec["flinkConfiguration"]["taskmanager.numberOfTaskSlots"])
    assert spec["job"]["parallelism"] <= partitions
    assert spec["job"]["parallelism"] % slots == 0


def test_versions_follow_the_matrix(docs: list[dict[str, Any]]) -> None:
    v = versions.load()
    assert one(docs, "Kafka")["spec"]["kafka"]["version"] == v.kafka
    assert one(docs, "Elasticsearch")["spec"]["version"] == v.elasticsearch
    assert one(docs, "Kibana")["spec"]["version"] == v.elasticsearch
    grafana = one(docs, "Deployment", "grafana")["spec"]["template"]["spec"]["containers"][0]
    assert grafana["image"] == f"grafana/grafana:{v.grafana}"
    producer = one(docs, "Deployment", "producer")["spec"]["template"]["spec"]["containers"][0]
    assert producer["image"] == one(docs, "FlinkDeployment")["spec"]["image"]
    dockerfile = (DIR.parent / "flink" / "Dockerfile").read_text()
    assert f"ARG FLINK_VERSION={v.flink}" in dockerfile


def env_of(doc: dict[str, Any]) -> dict[str, Any]:
    template = doc["spec"].get("podTemplate") or doc["spec"]["template"]
    return {e["name"]: e for c in template["spec"]["containers"] for e in c.get("env", [])}


def test_services_and_secrets_referred_to_are_the_ones_the_operators_create(
    docs: list[dict[str, Any]],
) -> None:
    kafka = one(docs, "Kafka")["metadata"]["name"]
    es = one(docs, "Elasticsearch")["metadata"]["name"]
    assert one(docs, "Kibana")["spec"]["elasticsearchRef"]["name"] == es
    for topic in (d for d in docs if d["kind"] in ("KafkaTopic", "KafkaNodePool")):
        assert topic["metadata"]["labels"]["strimzi.io/cluster"] == kafka
    job_env = env_of(one(docs, "FlinkDeployment"))
    producer_env = env_of(one(docs, "Deployment", "producer"))
    for env in (job_env, producer_env):
        assert env["TWEETFLOW_KAFKA_SERVERS"]["value"] == f"{kafka}-kafka-bootstrap:9092"
        assert env["TWEETFLOW_TOPIC"]["value"] == "tweets"
    assert job_env["TWEETFLOW_ES_HOSTS"]["value"] == f"http://{es}-es-http:9200"
    es_secret = f"{es}-es-elastic-user"
    assert job_env["TWEETFLOW_ES_PASSWORD"]["valueFrom"]["secretKeyRef"]["name"] == es_secret
    grafana_env = env_of(one(docs, "Deployment", "grafana"))
    assert grafana_env["ES_PASSWORD"]["valueFrom"]["secretKeyRef"]["name"] == es_secret
    datasources = yaml.safe_load(
        one(docs, "ConfigMap", "grafana-datasources")["data"]["elasticsearch.yml"]
    )["datasources"]
    assert datasources[0]["url"] == f"http://{es}-es-http:9200"


def test_no_secret_value_is_written_in_a_manifest(docs: list[dict[str, Any]]) -> None:
    text = "\n".join((DIR / name).read_text() for name in (p.name for p in DIR.glob("*.yaml")))
    assert not re.search(r"(?i)(password|secret|token)[\w-]*:\s*[\"']?[A-Za-z0-9+/]{8,}", text)
    for doc in docs:
        if doc["kind"] in ("Deployment", "FlinkDeployment"):
            for name, entry in env_of(doc).items():
                if re.search("PASSWORD|SECRET|TOKEN", name):
                    assert "valueFrom" in entry and "value" not in entry, name
