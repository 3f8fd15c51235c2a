"""The Kibana saved objects, structurally: the committed NDJSON is its generator's output, every
reference resolves inside the file, every data view covers a mapped index with a date time
field, and every field a visualization, search or control uses exists in that index's mapping
with a type its aggregation accepts. (tests/integration/test_kibana_dashboards.py runs them.)"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import yaml

from tests.support import scripts

REPO = Path(__file__).resolve().parents[2]
KIBANA = REPO / "deploy" / "kibana"
MAPPINGS = json.loads((REPO / "deploy/elasticsearch/index_templates.json").read_text())["indexes"]
AGGREGATABLE = {"keyword", "date", "integer", "long", "boolean"}
ACCEPTS = {
    "date_histogram": {"date"},
    "terms": AGGREGATABLE,
    "sum": {"long", "integer", "double"},
    "max": {"long", "integer", "double"},
    "avg": {"long", "integer", "double"},
}
REF_KEYS = ("indexRefName", "panelRefName", "indexPatternRefName")


def generator() -> Any:
    return scripts.load(KIBANA / "generate.py", "kibana_generate")


def load() -> list[dict[str, Any]]:
    lines = (KIBANA / "saved_objects.ndjson").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def field_types(title: str) -> dict[str, str]:
    """The mapped type of every field of the index a data view title names, aliases resolved."""
    properties = MAPPINGS[title.removeprefix("tweetflow_").removesuffix("-*")]["properties"]
    return {
        name: properties[spec["path"]]["type"] if spec["type"] == "alias" else spec["type"]
        for name, spec in properties.items()
    }


def ref_names(value: Any) -> set[str]:
    """Every reference name used inside an object's attributes, JSON strings included."""
    if isinstance(value, str) and value[:1] in "[{":
        try:
            return ref_names(json.loads(value))
        except ValueError:
            return set()
    if isinstance(value, dict):
        own = {value[k] for k in REF_KEYS if isinstance(value.get(k), str)}
        return own.union(*(ref_names(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(ref_names(v) for v in value))
    return set()


def kql_fields(search_source: str) -> list[str]:
    query = json.loads(search_source).get("query", {}).get("query", "")
    return re.findall(r"(\w+)\s*:", query)


def problems(objects: list[dict[str, Any]]) -> list[str]:
    found: list[str] = []
    by_id = {(o["type"], o["id"]): o for o in objects}
    if len(by_id) != len(objects):
        found.append("duplicate ids")
    views = {o["id"]: o["attributes"] for o in objects if o["type"] == "index-pattern"}
    for view_id, view in views.items():
        fields = field_types(view["title"])
        time_field = view.get("timeFieldName")
        if time_field and fields.get(time_field) != "date":
            found.append(f"{view_id}: time field {time_field} is not a mapped date")
    for o in objects:
        label = f"{o['type']} {o['id']}"
        refs = {r["name"]: r for r in o["references"]}
        for ref in o["references"]:
            if (ref["type"], ref["id"]) not in by_id:
                found.append(f"{label}: reference {ref['name']} to a missing {ref['type']}")
        for name in ref_names(o["attributes"]) - set(refs):
            found.append(f"{label}: uses reference {name}, which it does not declare")
        index_ref = refs.get("kibanaSavedObjectMeta.searchSourceJSON.index")
        fields = field_types(views[index_ref["id"]]["title"]) if index_ref else {}
        meta = o["attributes"].get("kibanaSavedObjectMeta", {}).get("searchSourceJSON", "{}")
        for field in kql_fields(meta):
            if field not in fields:
                found.append(f"{label}: query field {field} is not mapped")
        if o["type"] == "visualization":
            state = json.loads(o["attributes"]["visState"])
            for agg in state["aggs"]:
                field = agg["params"].get("field")
                if field is not None and fields.get(field) not in ACCEPTS[agg["type"]]:
                    found.append(f"{label}: {agg['type']} on {field} ({fields.get(field)})")
            for control in state["params"].get("controls", []):
                view = views[refs[control["indexPatternRefName"]]["id"]]
                if field_types(view["title"]).get(control["fieldName"]) not in AGGREGATABLE:
                    found.append(f"{label}: control on {control['fieldName']}")
        if o["type"] == "search":
            for column in o["attributes"]["columns"]:
                if column not in fields:
                    found.append(f"{label}: column {column} is not mapped")
            for field, _ in o["attributes"]["sort"]:
                if fields.get(field) not in AGGREGATABLE:
                    found.append(f"{label}: sorts on {field}")
    return found


def test_committed_file_is_the_generators_output() -> None:
    assert (KIBANA / "saved_objects.ndjson").read_text(encoding="utf-8") == generator().ndjson()


def test_every_reference_resolves_and_every_field_is_mapped() -> None:
    assert problems(load()) == []


def test_the_check_finds_a_missing_field_and_a_dangling_reference() -> None:
    broken = copy.deepcopy(load())
    vis = next(o for o in broken if o["id"] == "tweetflow-top-hashtags-table")
    vis["attributes"]["visState"] = vis["attributes"]["visState"].replace('"hashtag"', '"hashtg"')
    board = next(o for o in broken if o["id"] == "tweetflow-tweets")
    board["references"][0]["id"] = "no-such-visualization"
    found = problems(broken)
    assert any("hashtg" in p for p in found)
    assert any("missing visualization" in p for p in found)


def test_a_data_view_for_every_index() -> None:
    titles = {o["attributes"]["title"] for o in load() if o["type"] == "index-pattern"}
    want = {f"tweetflow_{name}" for name in MAPPINGS} - {"tweetflow_live_tweets"}
    assert titles == want | {"tweetflow_live_tweets-*"}


def test_two_dashboards_refresh_every_five_seconds_over_the_last_hour() -> None:
    boards = {o["id"]: o["attributes"] for o in load() if o["type"] == "dashboard"}
    assert set(boards) == {"tweetflow-tweets", "tweetflow-hashtag"}
    for board in boards.values():
        assert board["timeRestore"] is True
        assert (board["timeFrom"], board["timeTo"]) == ("now-1h", "now")
        assert board["refreshInterval"] == {"pause": False, "value": 5000}
        panels = json.loads(board["panelsJSON"])
        assert len({p["panelIndex"] for p in panels}) == len(panels) >= 5


def test_compose_imports_the_saved_objects_once_kibana_is_healthy() -> None:
    compose = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    setup = compose["services"]["kibana-setup"]
    assert setup["depends_on"]["kibana"]["condition"] == "service_healthy"
    [mount] = setup["volumes"]
    source, target = mount.split(":")[:2]
    assert source == "./deploy/kibana/saved_objects.ndjson"
    command = " ".join(setup["command"]) if isinstance(setup["command"], list) else setup["command"]
    assert "/api/saved_objects/_import?overwrite=true" in command
    assert f"file=@{target}" in command and "kbn-xsrf" in command
