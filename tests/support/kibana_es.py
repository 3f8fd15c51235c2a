"""The Elasticsearch request a Kibana saved visualization or search sends, built as Kibana 7.17
builds it for the aggregation-based visualizations tweetflow ships (time-range filter on the
data view's time field, its KQL query, the dashboard's filters, bucket aggregations nested in
order with the metrics innermost), and its answer flattened into rows.

Kibana does not run here; tests send these requests to the real Elasticsearch that a real
pipeline run filled."""

from __future__ import annotations

import json
import re
from typing import Any

from elasticsearch import Elasticsearch

METRICS = {"sum", "max", "min", "avg", "cardinality"}


def _query(
    obj: dict[str, Any], time_field: str, time_range: tuple[int, int], filters: dict[str, str]
) -> dict[str, Any]:
    source = json.loads(obj["attributes"]["kibanaSavedObjectMeta"]["searchSourceJSON"])
    clauses: list[dict[str, Any]] = [
        {
            "range": {
                time_field: {"gte": time_range[0], "lte": time_range[1], "format": "epoch_millis"}
            }
        }
    ]
    kql = source.get("query", {}).get("query", "")
    clauses += [_kql_clause(part) for part in filter(None, kql.split(" and "))]
    clauses += [{"match_phrase": {field: value}} for field, value in filters.items()]
    return {"bool": {"filter": clauses}}


KQL_RANGE = re.compile(r"^\s*([\w.]+)\s*(<=|>=|<|>)\s*(\S+)\s*$")
RANGE_OPERATORS = {"<=": "lte", ">=": "gte", "<": "lt", ">": "gt"}


def _kql_clause(kql: str) -> dict[str, Any]:
    """One clause of tweetflow's saved KQL: `field:value` (the same in Lucene's syntax) or a
    range `field <= value`, date math included, as Kibana turns it into a range query."""
    found = KQL_RANGE.match(kql)
    if found:
        field, operator, value = found.groups()
        return {"range": {field: {RANGE_OPERATORS[operator]: value}}}
    return {"query_string": {"query": kql.strip()}}


def _bucket(agg: dict[str, Any]) -> dict[str, Any]:
    p = agg["params"]
    if agg["type"] == "date_histogram":
        return {"date_histogram": {"field": p["field"], "fixed_interval": p["interval"],
                                   "min_doc_count": p.get("min_doc_count", 1)}}  # fmt: skip
    if agg["type"] == "terms":
        return {
            "terms": {"field": p["field"], "size": p["size"], "order": {p["orderBy"]: p["order"]}}
        }
    raise ValueError(f"bucket aggregation {agg['type']!r} is not one tweetflow's panels use")


def request(
    obj: dict[str, Any],
    time_field: str,
    time_range: tuple[int, int],
    filters: dict[str, str] | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {"query": _query(obj, time_field, time_range, filters or {})}
    if obj["type"] == "search":
        [[field, order]] = obj["attributes"]["sort"]
        return {**body, "size": 100, "sort": [{field: {"order": order}}]}
    aggs = json.loads(obj["attributes"]["visState"])["aggs"]
    metrics = {
        a["id"]: {a["type"]: {"field": a["params"]["field"]}} for a in aggs if a["type"] in METRICS
    }
    inner: dict[str, Any] = dict(metrics)
    for agg in reversed([a for a in aggs if a["schema"] != "metric"]):
        children = dict(inner)
        if agg["params"].get("orderBy") in metrics:  # a terms bucket ranked by a metric
            children[agg["params"]["orderBy"]] = metrics[agg["params"]["orderBy"]]
        inner = {agg["id"]: {**_bucket(agg), **({"aggs": children} if children else {})}}
    return {**body, "size": 0, "aggs": inner}


def rows(
    es: Elasticsearch,
    index: str,
    obj: dict[str, Any],
    time_field: str,
    time_range: tuple[int, int],
    filters: dict[str, str] | None = None,
) -> list[dict[str, Any]]:
    """One dict per document (saved search) or per innermost bucket, keyed by bucket field
    names and metric ids ("count" for the document count)."""
    answer = es.search(index=index, **request(obj, time_field, time_range, filters))
    if obj["type"] == "search":
        return [hit["_source"] for hit in answer["hits"]["hits"]]
    aggs = json.loads(obj["attributes"]["visState"])["aggs"]
    buckets = [a for a in aggs if a["schema"] != "metric"]
    metric_ids = [a["id"] for a in aggs if a["type"] in METRICS]
    flat: list[dict[str, Any]] = []

    def walk(level_aggs: dict[str, Any], level: int, row: dict[str, Any]) -> None:
        agg = buckets[level]
        for bucket in level_aggs[agg["id"]]["buckets"]:
            here = {**row, agg["params"]["field"]: bucket["key"]}
            if level + 1 < len(buckets):
                walk(bucket, level + 1, here)
                continue
            here["count"] = bucket["doc_count"]
            here.update({m: bucket[m]["value"] for m in metric_ids})
            flat.append(here)

    walk(answer["aggregations"], 0, {})
    return flat
