"""The Elasticsearch request a Grafana panel's query sends, built the way Grafana's Elasticsearch
data source builds it (query_string and time-range filter, nested bucket aggregations with the
metrics innermost, raw_data as a sorted search), and its answer flattened into rows.

Grafana does not run here; the dashboards' panels are checked by sending these requests to the
real Elasticsearch that a real pipeline run filled."""

from __future__ import annotations

import re
import ssl
from typing import Any

from elasticsearch import Elasticsearch

METRIC_AGGS = {"sum", "max", "min", "avg", "cardinality"}


def expand(value: object, env: dict[str, str]) -> str:
    """Grafana's expansion of $VAR and ${VAR} in provisioning values (unset: empty)."""
    return re.sub(r"\$\{?(\w+)\}?", lambda m: env.get(m.group(1), ""), str(value))


def _parse_bool(text: str) -> bool:
    """Go's strconv.ParseBool, which Grafana applies to an expanded boolean field."""
    if text in ("1", "t", "T", "TRUE", "true", "True"):
        return True
    if text in ("0", "f", "F", "FALSE", "false", "False"):
        return False
    raise ValueError(f"Grafana cannot provision basicAuth {text!r}: it is not a boolean")


def datasource_client(datasource: dict[str, Any], env: dict[str, str]) -> Elasticsearch:
    """The connection Grafana makes of a provisioned data source in this environment: its URL,
    basic authentication when enabled, the CA of tlsCACert when tlsAuthWithCACert is on and
    the PEM is not empty (else the system's CAs)."""
    secure = {k: expand(v, env) for k, v in datasource.get("secureJsonData", {}).items()}
    options: dict[str, Any] = {"max_retries": 0}
    if _parse_bool(expand(datasource.get("basicAuth", "false"), env)):
        user = expand(datasource.get("basicAuthUser", ""), env)
        options["http_auth"] = (user, secure.get("basicAuthPassword", ""))
    if datasource["jsonData"].get("tlsAuthWithCACert") and secure.get("tlsCACert"):
        options["ssl_context"] = ssl.create_default_context(cadata=secure["tlsCACert"])
    return Elasticsearch(expand(datasource["url"], env), **options)


def interpolate(query: str, variables: dict[str, str]) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in variables:
            raise KeyError(f"the panel uses ${name}, which the dashboard does not define")
        return re.sub(r'([+\-=&|><!(){}\[\]^"~*?:\\/])', r"\\\1", variables[name])

    return re.sub(r"\$(\w+)", value, query)


def _filters(target: dict[str, Any], time_range: tuple[int, int], variables: dict[str, str]):  # type: ignore[no-untyped-def]
    start, end = time_range
    filters: list[dict[str, Any]] = [
        {"range": {target["timeField"]: {"gte": start, "lte": end, "format": "epoch_millis"}}}
    ]
    query = interpolate(target.get("query") or "", variables)
    if query:
        filters.append({"query_string": {"query": query, "analyze_wildcard": True}})
    return filters


def _bucket(agg: dict[str, Any], time_range: tuple[int, int]) -> dict[str, Any]:
    settings = agg.get("settings", {})
    if agg["type"] == "date_histogram":
        return {
            "date_histogram": {
                "field": agg["field"],
                "fixed_interval": settings["interval"],
                "min_doc_count": int(settings.get("min_doc_count", 0)),
                "extended_bounds": {"min": time_range[0], "max": time_range[1]},
                "format": "epoch_millis",
            }
        }
    if agg["type"] == "terms":
        order_by = settings.get("orderBy", "_term")
        key = {"_term": "_key", "_count": "_count"}.get(order_by, order_by)
        return {
            "terms": {
                "field": agg["field"],
                "size": int(settings.get("size", 10)),
                "order": {key: settings.get("order", "desc")},
                "min_doc_count": int(settings.get("min_doc_count", 1)),
            }
        }
    raise ValueError(f"bucket aggregation {agg['type']!r} is not one tweetflow's panels use")


def request(
    target: dict[str, Any], time_range: tuple[int, int], variables: dict[str, str] | None = None
) -> dict[str, Any]:
    """The search body of one panel target."""
    body: dict[str, Any] = {
        "query": {"bool": {"filter": _filters(target, time_range, variables or {})}}
    }
    metrics = target["metrics"]
    if metrics[0]["type"] == "raw_data":
        body["size"] = int(metrics[0].get("settings", {}).get("size", 500))
        body["sort"] = [{target["timeField"]: {"order": "desc"}}, {"_doc": {"order": "desc"}}]
        return body
    body["size"] = 0
    metric_aggs: dict[str, Any] = {}
    for m in metrics:
        if m["type"] in METRIC_AGGS:
            metric_aggs[m["id"]] = {m["type"]: {"field": m["field"]}}
        elif m["type"] != "count":
            raise ValueError(f"metric {m['type']!r} is not one tweetflow's panels use")
    inner = dict(metric_aggs)
    for agg in reversed(target["bucketAggs"]):
        children = dict(inner)
        # Like Grafana: a terms bucket ordered by a metric computes that metric itself.
        order_by = agg.get("settings", {}).get("orderBy", "")
        if agg["type"] == "terms" and order_by in metric_aggs:
            children[order_by] = metric_aggs[order_by]
        inner = {
            agg["id"]: {**_bucket(agg, time_range), **({"aggs": children} if children else {})}
        }
    body["aggs"] = inner
    return body


def rows(
    es: Elasticsearch,
    index: str,
    target: dict[str, Any],
    time_range: tuple[int, int],
    variables: dict[str, str] | None = None,
) -> list[dict[str, Any]]:
    """Run the panel's request; one dict per document (raw_data) or per innermost bucket, keyed
    by bucket field names and metric ids ("count" for the document count)."""
    answer = es.search(index=index, **request(target, time_range, variables))
    if target["metrics"][0]["type"] == "raw_data":
        return [hit["_source"] for hit in answer["hits"]["hits"]]
    flat: list[dict[str, Any]] = []

    def walk(aggs: dict[str, Any], level: int, row: dict[str, Any]) -> None:
        agg = target["bucketAggs"][level]
        for bucket in aggs[agg["id"]]["buckets"]:
            here = {**row, agg["field"]: bucket["key"]}
            if level + 1 < len(target["bucketAggs"]):
                walk(bucket, level + 1, here)
                continue
            here["count"] = bucket["doc_count"]
            for m in target["metrics"]:
                if m["type"] in METRIC_AGGS:
                    here[m["id"]] = bucket[m["id"]]["value"]
            flat.append(here)

    walk(answer["aggregations"], 0, {})
    return flat
