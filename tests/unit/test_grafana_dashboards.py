"""The Grafana provisioning, structurally: generated files in step with their generator, the
dashboards parsed by Grafana's own foundation SDK (the Grafana 11.6 schema), every panel on a
provisioned data source and every field it uses present in the index's mapping with a type
its aggregation accepts. (tests/integration/test_dashboards.py runs the panels' queries.)"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from grafana_foundation_sdk.cog import plugins
from grafana_foundation_sdk.cog.encoder import JSONEncoder
from grafana_foundation_sdk.models import prometheus
from grafana_foundation_sdk.models.dashboard import Dashboard
from grafana_foundation_sdk.models.elasticsearch import Dataquery

from tests.support import scripts
from tweetflow.core import versions

REPO = Path(__file__).resolve().parents[2]
GRAFANA = REPO / "deploy" / "grafana"
MAPPINGS = json.loads((REPO / "deploy/elasticsearch/index_templates.json").read_text())["indexes"]
NUMERIC = {"long", "integer", "double"}
ACCEPTS = {
    "date_histogram": {"date"},
    "terms": {"keyword", "date", "integer", "long", "boolean"},
    "sum": NUMERIC,
    "max": NUMERIC,
    "avg": NUMERIC,
}


def generator() -> Any:
    return scripts.load(GRAFANA / "generate.py", "grafana_generate")


def boards() -> dict[str, dict[str, Any]]:
    return {
        p.name: json.loads(p.read_text()) for p in sorted((GRAFANA / "dashboards").glob("*.json"))
    }


def datasources(kind: str = "elasticsearch") -> dict[str, dict[str, Any]]:
    provisioned = yaml.safe_load((GRAFANA / f"provisioning/datasources/{kind}.yml").read_text())
    return {ds["uid"]: ds for ds in provisioned["datasources"]}


def elasticsearch_boards() -> dict[str, dict[str, Any]]:
    return {name: board for name, board in boards().items() if name != "pipeline.json"}


def mapping_of(index: str) -> dict[str, str]:
    name = index.removeprefix("tweetflow_").removesuffix("-*")
    return {field: spec["type"] for field, spec in MAPPINGS[name]["properties"].items()}


def test_committed_files_are_the_generators_output() -> None:
    for path, text in generator().files().items():
        assert path.read_text(encoding="utf-8") == text, f"{path}: run deploy/grafana/generate.py"


def kept(ours: Any, theirs: Any) -> bool:
    """Everything we wrote is in the SDK's version, which may add its defaults."""
    if isinstance(ours, dict):
        return isinstance(theirs, dict) and all(kept(v, theirs.get(k)) for k, v in ours.items())
    if isinstance(ours, list):
        return (
            isinstance(theirs, list) and len(ours) == len(theirs) and all(map(kept, ours, theirs))
        )
    return bool(ours == theirs)


def test_dashboards_parse_with_grafanas_sdk_and_round_trip() -> None:
    plugins.register_default_plugins()
    for name, board in boards().items():
        model = Dashboard.from_json(board)
        again = json.loads(json.dumps(model, cls=JSONEncoder))
        for ours, theirs in zip(board["panels"], again["panels"], strict=True):
            assert kept(ours, theirs), f"{name}: {ours['title']}"
        query = prometheus.Dataquery if name == "pipeline.json" else Dataquery
        for panel in model.panels or []:
            assert all(isinstance(t, query) for t in panel.targets or []), panel.title


def test_the_sdk_check_can_fail() -> None:
    plugins.register_default_plugins()
    broken = json.loads(json.dumps(boards()["tweets.json"]))
    broken["panels"][0]["targets"][0]["metrics"][0]["type"] = "median-ish"
    with pytest.raises(KeyError):
        Dashboard.from_json(broken)


def test_three_dashboards_refresh_every_five_seconds_over_the_last_hour() -> None:
    found = boards()
    assert {b["title"] for b in found.values()} == {
        "tweetflow · Tweets",
        "tweetflow · Hashtag",
        "tweetflow · Pipeline",
    }
    for board in found.values():
        assert board["refresh"] == "5s"
        assert board["time"] == {"from": "now-1h", "to": "now"}


def test_every_panel_names_its_index_and_uses_mapped_fields() -> None:
    sources = datasources()
    for board in elasticsearch_boards().values():
        for panel in board["panels"]:
            uid = panel["datasource"]["uid"]
            source = sources[uid]
            index, time_field = source["jsonData"]["index"], source["jsonData"]["timeField"]
            assert panel["description"] == f"index {index}, time field {time_field}"
            fields = mapping_of(index)
            for target in panel["targets"]:
                assert target["datasource"]["uid"] == uid
                assert target["timeField"] == time_field and fields[time_field] == "date"
                used = [(a["type"], a["field"]) for a in target["bucketAggs"]] + [
                    (m["type"], m["field"]) for m in target["metrics"] if "field" in m
                ]
                for kind, field in used:
                    assert fields.get(field) in ACCEPTS[kind], f"{panel['title']}: {field}"
                for field in re.findall(r"(\w+):", target["query"]):
                    assert field in fields, f"{panel['title']}: query field {field}"


def test_the_pipeline_dashboard_reads_the_provisioned_prometheus_by_recorded_names() -> None:
    """Its queries run against a real Prometheus in tests/integration/test_prometheus.py; here:
    every recording rule they read is defined in deploy/prometheus/rules.yml."""
    (uid,) = datasources("prometheus")
    rules = yaml.safe_load((REPO / "deploy/prometheus/rules.yml").read_text())
    recorded = {r["record"] for g in rules["groups"] for r in g["rules"] if "record" in r}
    for panel in boards()["pipeline.json"]["panels"]:
        assert panel["datasource"] == {"type": "prometheus", "uid": uid}
        for target in panel["targets"]:
            assert target["datasource"]["uid"] == uid
            for name in re.findall(r"tweetflow:[a-z_:0-9]+", target["expr"]):
                assert name in recorded, f"{panel['title']}: {name} is not a recording rule"


def test_the_hashtag_dashboard_defines_the_variable_its_panels_use() -> None:
    board = boards()["hashtag.json"]
    defined = {v["name"] for v in board["templating"]["list"]}
    assert defined == {"hashtag"}
    for panel in board["panels"]:
        assert "$hashtag" in panel["title"] + panel["targets"][0]["query"]
    variable = board["templating"]["list"][0]
    query = json.loads(variable["query"])
    source = datasources()[variable["datasource"]["uid"]]
    assert mapping_of(source["jsonData"]["index"])[query["field"]] == "keyword"


def test_sdk_targets_a_grafana_the_deployed_one_reads() -> None:
    """The dashboards are built for the SDK's Grafana; Grafana migrates the dashboards of the
    line before its own when it loads them. The newest SDK on PyPI targets 11.6 (looked up
    2026-12-07); the matrix deploys 12.x, for its Elasticsearch 9 support."""
    from importlib.metadata import version

    sdk = tuple(int(x) for x in version("grafana-foundation-sdk").split("!")[-1].split(".")[:2])
    grafana = tuple(int(x) for x in versions.load().grafana.split(".")[:2])
    assert sdk <= grafana and grafana[0] - sdk[0] <= 1


def test_compose_loads_the_provisioning_and_the_dashboards() -> None:
    compose = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    mounts = compose["services"]["grafana"]["volumes"]
    provider = yaml.safe_load((GRAFANA / "provisioning/dashboards/tweetflow.yml").read_text())
    path = provider["providers"][0]["options"]["path"]
    assert f"./deploy/grafana/dashboards:{path}:ro" in mounts
    assert "./deploy/grafana/provisioning:/etc/grafana/provisioning:ro" in mounts
