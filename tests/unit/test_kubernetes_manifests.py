"""deploy/kubernetes, validated offline: no cluster runs here. Built-in kinds against the
Kubernetes schemas of kubernetes-validate; the operators' kinds for the fields tweetflow relies
on; versions against the matrix; names that refer to each other."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from tweetflow.core import versions

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
    assert config["execution.checkpointing.dir"].startswith("s3://")
    assert config["execution.checkpointing.savepoint-dir"].startswith("s3://")
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
    grafana_env = env_of(one(docs, "Deployment", "grafana"))
    assert grafana_env["TWEETFLOW_GRAFANA_ES_URL"]["value"] == f"http://{es}-es-http:9200"


def secret_of(env: dict[str, dict[str, Any]], name: str) -> tuple[str, str]:
    ref = env[name]["valueFrom"]["secretKeyRef"]
    return ref["name"], ref["key"]


def test_elasticsearch_users_have_least_privilege(docs: list[dict[str, Any]]) -> None:
    """The job writes as the writer, Grafana reads as the reader, both users from secrets the
    Elasticsearch resource loads into its file realm, with the roles documented in
    docs/reliability-and-security.md."""
    es = one(docs, "Elasticsearch")["spec"]["auth"]
    realm = {entry["secretName"] for entry in es["fileRealm"]}
    job_env = env_of(one(docs, "FlinkDeployment"))
    grafana_env = env_of(one(docs, "Deployment", "grafana"))
    assert secret_of(job_env, "TWEETFLOW_ES_USERNAME") == ("tweetflow-es-writer", "username")
    assert secret_of(job_env, "TWEETFLOW_ES_PASSWORD") == ("tweetflow-es-writer", "password")
    reader = ("TWEETFLOW_ES_READER_USERNAME", "TWEETFLOW_ES_READER_PASSWORD")
    assert {secret_of(grafana_env, name)[0] for name in reader} == {"tweetflow-es-reader"}
    assert realm == {"tweetflow-es-writer", "tweetflow-es-reader"}
    assert not any("elastic-user" in str(env) for env in (job_env, grafana_env))

    [roles_secret] = [entry["secretName"] for entry in es["roles"]]
    roles = yaml.safe_load(one(docs, "Secret", roles_secret)["stringData"]["roles.yml"])
    readme = (DIR.parents[1] / "docs" / "reliability-and-security.md").read_text()
    for role in ("tweetflow_writer", "tweetflow_reader"):
        documented = re.search(rf"PUT _security/role/{role}\n(\{{.*?\}})\n(?:\n|```)", readme, re.S)
        assert documented, role
        assert roles[role] == json.loads(documented.group(1)), role
    assert roles["tweetflow_kibana_viewer"]["indices"] == roles["tweetflow_reader"]["indices"]


def test_grafana_gets_every_variable_its_provisioning_uses(docs: list[dict[str, Any]]) -> None:
    """Grafana expands $VARIABLES in provisioning files; an unset one becomes empty text (and
    an empty basicAuth stops provisioning)."""
    env = env_of(one(docs, "Deployment", "grafana"))
    for provisioned in one(docs, "ConfigMap", "grafana-datasources")["data"].values():
        assert set(re.findall(r"\$(\w+)", provisioned)) <= set(env)
    mounts = {
        m["name"]: m["mountPath"]
        for c in one(docs, "Deployment", "grafana")["spec"]["template"]["spec"]["containers"]
        for m in c["volumeMounts"]
    }
    provider = yaml.safe_load(
        one(docs, "ConfigMap", "grafana-dashboard-provider")["data"]["tweetflow.yml"]
    )
    assert mounts["dashboards"] == provider["providers"][0]["options"]["path"]
    assert set(one(docs, "ConfigMap", "grafana-dashboards")["data"]) == {
        "tweets.json",
        "hashtag.json",
        "pipeline.json",
    }


def test_no_secret_value_is_written_in_a_manifest(docs: list[dict[str, Any]]) -> None:
    text = "\n".join((DIR / name).read_text() for name in (p.name for p in DIR.glob("*.yaml")))
    value = r"(?i)(password|secret|token)(?!name\b|keyref\b)[\w-]*:\s*[\"']?[A-Za-z0-9+/]{8,}"
    assert not re.search(value, text)
    for doc in docs:  # the one Secret in the manifests holds role definitions only
        if doc["kind"] == "Secret":
            assert set(doc["stringData"]) == {"roles.yml"}
    for doc in docs:
        if doc["kind"] in ("Deployment", "FlinkDeployment"):
            for name, entry in env_of(doc).items():
                if re.search("PASSWORD|SECRET|TOKEN", name):
                    assert "valueFrom" in entry and "value" not in entry, name
