"""Writes tweetflow's Kibana saved objects (deploy/kibana/saved_objects.ndjson): a data view
(index pattern) for every result index and the same two dashboards as Grafana's, from the
definitions below. Run it after changing them; a unit test fails while the committed file
differs from its output.

    python deploy/kibana/generate.py

Import by hand (the compose service `kibana-setup` does the same at stack start):

    curl -X POST 'http://127.0.0.1:5601/api/saved_objects/_import?overwrite=true' \\
      -H 'kbn-xsrf: true' --form file=@deploy/kibana/saved_objects.ndjson

The objects use Kibana 7.17's aggregation-based visualizations (stable across 7.x, and
migrated by Kibana itself on import). Rankings show the newest window only, as in Grafana: a
terms bucket on window_start, newest first, size 1, then the ranked field by the window's count.
The Hashtag dashboard filters every panel on the field `hashtag` chosen in its control; the
live-tweets mapping has `hashtag` as an alias of `hashtags` so the one filter fits every index.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
OUTPUT = HERE / "saved_objects.ndjson"

# id -> (index pattern, time field): one per index, from deploy/elasticsearch/index_templates.json.
INDEXES = json.loads((HERE.parent / "elasticsearch" / "index_templates.json").read_text())
DATA_VIEWS: dict[str, tuple[str, str]] = {
    f"tweetflow-{name.replace('_', '-')}": (view["pattern"], view["time_field"] or "")
    for name, view in INDEXES["data_views"].items()
}
# Older than Kibana 7.17's own, so Kibana migrates the objects forward on import.
MIGRATION = {
    "index-pattern": "7.11.0",
    "visualization": "7.10.0",
    "search": "7.9.3",
    "dashboard": "7.10.0",
}
INDEX_REF = "kibanaSavedObjectMeta.searchSourceJSON.index"


def data_view(view_id: str) -> dict[str, Any]:
    title, time_field = DATA_VIEWS[view_id]
    attributes: dict[str, Any] = {"title": title}
    if time_field:
        attributes["timeFieldName"] = time_field
    return saved("index-pattern", view_id, attributes, [])


def saved(
    kind: str, object_id: str, attributes: dict[str, Any], references: list[dict[str, str]]
) -> dict[str, Any]:
    return {
        "id": object_id,
        "type": kind,
        "attributes": attributes,
        "references": references,
        "migrationVersion": {kind: MIGRATION[kind]},
    }


def search_source(query: str) -> dict[str, str]:
    source = {
        "query": {"query": query, "language": "kuery"},
        "filter": [],
        "indexRefName": INDEX_REF,
    }
    return {"searchSourceJSON": json.dumps(source)}


def agg(ident: str, kind: str, schema: str, **params: Any) -> dict[str, Any]:
    return {"id": ident, "enabled": True, "type": kind, "schema": schema, "params": params}


def terms(ident: str, field: str, size: int, order_by: str, schema: str) -> dict[str, Any]:
    """order_by: a metric agg id ("1") or "_key"."""
    return agg(
        ident,
        "terms",
        schema,
        field=field,
        size=size,
        order="desc",
        orderBy=order_by,
        otherBucket=False,
        missingBucket=False,
    )


def histogram(ident: str, field: str, interval: str) -> dict[str, Any]:
    return agg(
        ident,
        "date_histogram",
        "segment",
        field=field,
        interval=interval,
        min_doc_count=1,
        extended_bounds={},
        useNormalizedEsInterval=True,
    )


def line_params(metric_id: str, label: str) -> dict[str, Any]:
    return {
        "type": "line",
        "grid": {"categoryLines": False},
        "categoryAxes": [
            {
                "id": "CategoryAxis-1",
                "type": "category",
                "position": "bottom",
                "show": True,
                "style": {},
                "scale": {"type": "linear"},
                "labels": {"show": True, "filter": True, "truncate": 100},
                "title": {},
            }
        ],
        "valueAxes": [
            {
                "id": "ValueAxis-1",
                "name": "LeftAxis-1",
                "type": "value",
                "position": "left",
                "show": True,
                "style": {},
                "scale": {"type": "linear", "mode": "normal"},
                "labels": {"show": True, "rotate": 0, "filter": False, "truncate": 100},
                "title": {"text": label},
            }
        ],
        "seriesParams": [
            {
                "show": True,
                "type": "line",
                "mode": "normal",
                "data": {"label": label, "id": metric_id},
                "valueAxis": "ValueAxis-1",
                "drawLinesBetweenPoints": True,
                "lineWidth": 2,
                "interpolate": "linear",
                "showCircles": True,
            }
        ],
        "addTooltip": True,
        "addLegend": True,
        "legendPosition": "right",
        "times": [],
        "addTimeMarker": False,
        "thresholdLine": {"show": False, "value": 10, "width": 1, "style": "full"},
    }


TABLE_PARAMS = {
    "perPage": 10,
    "showPartialRows": False,
    "showMetricsAtAllLevels": False,
    "showTotal": False,
    "totalFunc": "sum",
    "percentageCol": "",
}
PIE_PARAMS = {
    "type": "pie",
    "addTooltip": True,
    "addLegend": True,
    "legendPosition": "right",
    "isDonut": True,
    "labels": {"show": False, "values": True, "last_level": True, "truncate": 100},
}


def visualization(
    vis_id: str,
    title: str,
    view_id: str,
    kind: str,
    aggs: list[dict[str, Any]],
    params: dict[str, Any],
    query: str = "",
) -> dict[str, Any]:
    index, time_field = DATA_VIEWS[view_id]
    state = {"title": title, "type": kind, "aggs": aggs, "params": params}
    attributes = {
        "title": title,
        "description": f"index {index}, time field {time_field}",
        "visState": json.dumps(state),
        "uiStateJSON": "{}",
        "version": 1,
        "kibanaSavedObjectMeta": search_source(query),
    }
    ref = {"name": INDEX_REF, "type": "index-pattern", "id": view_id}
    return saved("visualization", vis_id, attributes, [ref])


def line(
    vis_id: str, title: str, view_id: str, metric: dict[str, Any], interval: str, **kw: Any
) -> dict[str, Any]:
    field = DATA_VIEWS[view_id][1]
    aggs = [metric, histogram("2", field, interval), *kw.pop("split", [])]
    return visualization(vis_id, title, view_id, "line", aggs, line_params("1", title), **kw)


# Only windows that have ended (KQL date math): a bounded run (`demo`) also writes hour-long
# windows that end in the future, which would otherwise stay "newest" over a live job's.
ENDED = "window_end <= now"


def newest_window_table(
    vis_id: str, title: str, view_id: str, metric: dict[str, Any], field: str, size: int, **kw: Any
) -> dict[str, Any]:
    kw["query"] = f"{kw['query']} and {ENDED}" if kw.get("query") else ENDED
    aggs = [
        metric,
        terms("2", "window_start", 1, "_key", "bucket"),
        terms("3", field, size, "1", "bucket"),
    ]
    return visualization(vis_id, title, view_id, "table", aggs, TABLE_PARAMS, **kw)


def live_tweets_search(search_id: str, title: str) -> dict[str, Any]:
    attributes = {
        "title": title,
        "description": "index tweetflow_live_tweets-*, time field created_at",
        "columns": ["screen_name", "tweet_text", "hashtags", "lang", "followers_count"],
        "sort": [["created_at", "desc"]],
        "version": 1,
        "kibanaSavedObjectMeta": search_source(""),
    }
    ref = {"name": INDEX_REF, "type": "index-pattern", "id": "tweetflow-live-tweets"}
    return saved("search", search_id, attributes, [ref])


def hashtag_control() -> dict[str, Any]:
    control = {
        "id": "1",
        "fieldName": "hashtag",
        "parent": "",
        "label": "Hashtag",
        "type": "list",
        "options": {
            "type": "terms",
            "multiselect": False,
            "dynamicOptions": True,
            "size": 100,
            "order": "desc",
        },
        "indexPatternRefName": "control_0_index_pattern",
    }
    params = {
        "controls": [control],
        "updateFiltersOnChange": True,
        "useTimeFilter": True,
        "pinFilters": False,
    }
    state = {"title": "Hashtag", "type": "input_control_vis", "aggs": [], "params": params}
    attributes = {
        "title": "Hashtag",
        "description": "pick a hashtag: every panel of the dashboard filters on it",
        "visState": json.dumps(state),
        "uiStateJSON": "{}",
        "version": 1,
        "kibanaSavedObjectMeta": {"searchSourceJSON": json.dumps({"filter": []})},
    }
    ref = {
        "name": "control_0_index_pattern",
        "type": "index-pattern",
        "id": "tweetflow-top-hashtags",
    }
    return saved("visualization", "tweetflow-hashtag-control", attributes, [ref])


def dashboard(
    dashboard_id: str, title: str, panels: list[tuple[dict[str, Any], tuple[int, int, int, int]]]
) -> dict[str, Any]:
    panels_json, references = [], []
    for n, (target, (x, y, w, h)) in enumerate(panels):
        panels_json.append(
            {
                "version": "7.17.0",
                "type": target["type"],
                "gridData": {"x": x, "y": y, "w": w, "h": h, "i": str(n + 1)},
                "panelIndex": str(n + 1),
                "embeddableConfig": {"enhancements": {}},
                "panelRefName": f"panel_{n}",
            }
        )
        references.append({"name": f"panel_{n}", "type": target["type"], "id": target["id"]})
    attributes = {
        "title": title,
        "description": "",
        "hits": 0,
        "panelsJSON": json.dumps(panels_json),
        "optionsJSON": json.dumps(
            {"useMargins": True, "syncColors": False, "hidePanelTitles": False}
        ),
        "version": 1,
        "timeRestore": True,
        "timeFrom": "now-1h",
        "timeTo": "now",
        "refreshInterval": {"pause": False, "value": 5000},
        "kibanaSavedObjectMeta": {
            "searchSourceJSON": json.dumps(
                {"query": {"query": "", "language": "kuery"}, "filter": []}
            )
        },
    }
    return saved("dashboard", dashboard_id, attributes, references)


def objects() -> list[dict[str, Any]]:
    sum_tweets = agg("1", "sum", "metric", field="tweets")
    max_tweets = agg("1", "max", "metric", field="tweets")
    rate = line(
        "tweetflow-tweets-per-2s",
        "Tweets per 2 s",
        "tweetflow-tweet-rate",
        sum_tweets,
        "2s",
        query="window_seconds:2",
    )
    rolling = line(
        "tweetflow-tweets-rolling",
        "Tweets in the last minute (rolling, every 5 s)",
        "tweetflow-tweet-rolling",
        max_tweets,
        "5s",
    )
    live = live_tweets_search("tweetflow-live-tweets-search", "Live tweets (newest first)")
    tops = newest_window_table(
        "tweetflow-top-hashtags-table",
        "Top hashtags, last hour",
        "tweetflow-top-hashtags",
        max_tweets,
        "hashtag",
        10,
    )
    authors = newest_window_table(
        "tweetflow-top-authors-table",
        "Top authors, last minute",
        "tweetflow-author-counts",
        max_tweets,
        "screen_name",
        5,
        query="window_kind:hop",
    )
    langs = visualization(
        "tweetflow-languages-pie",
        "Languages",
        "tweetflow-languages",
        "pie",
        [sum_tweets, terms("2", "lang", 20, "1", "segment")],
        PIE_PARAMS,
    )
    tracked = line(
        "tweetflow-tracked-per-minute",
        "Tracked terms per minute",
        "tweetflow-tracked-counts",
        sum_tweets,
        "1m",
        split=[terms("3", "term", 20, "1", "group")],
    )
    mood = line(
        "tweetflow-sentiment-per-minute",
        "Sentiment per minute (average compound score, English tweets)",
        "tweetflow-sentiment",
        agg("1", "avg", "metric", field="avg_compound"),
        "1m",
    )
    mentions = newest_window_table(
        "tweetflow-top-mentions-table",
        "Most mentioned users, last minute",
        "tweetflow-top-mentions",
        agg("1", "max", "metric", field="mentions"),
        "mention",
        10,
    )
    domains = newest_window_table(
        "tweetflow-top-domains-table",
        "Most linked domains, last minute",
        "tweetflow-top-domains",
        agg("1", "max", "metric", field="links"),
        "domain",
        10,
    )
    trending = visualization(
        "tweetflow-trending-table",
        "Trending now (newest minute, by score)",
        "tweetflow-trending",
        "table",
        [
            agg("1", "max", "metric", field="score"),
            agg("4", "max", "metric", field="authors"),
            agg("5", "max", "metric", field="baseline"),
            terms("2", "window_start", 1, "_key", "bucket"),
            terms("3", "term", 10, "1", "bucket"),
            terms("6", "phase", 1, "_key", "bucket"),
        ],
        TABLE_PARAMS,
        query=ENDED,
    )
    trend_volume = line(
        "tweetflow-trending-volume",
        "Trending now: distinct authors per minute",
        "tweetflow-trending",
        agg("1", "max", "metric", field="authors"),
        "1m",
        split=[terms("3", "term", 10, "1", "group")],
        query=ENDED,
    )
    tag_mood = line(
        "tweetflow-hashtag-sentiment-per-minute",
        "Sentiment of the hashtag per minute (average compound score)",
        "tweetflow-hashtag-sentiment",
        agg("1", "avg", "metric", field="avg_compound"),
        "1m",
    )
    control = hashtag_control()
    tagged = live_tweets_search(
        "tweetflow-hashtag-live-tweets", "Live tweets with the hashtag (newest first)"
    )
    related = newest_window_table(
        "tweetflow-related-hashtags-table",
        "Hashtags used with it",
        "tweetflow-related-hashtags",
        max_tweets,
        "related",
        10,
    )
    influencers = newest_window_table(
        "tweetflow-influencers-table",
        "Most-followed authors using it",
        "tweetflow-influencers",
        agg("1", "max", "metric", field="followers"),
        "screen_name",
        5,
    )
    volume = line(
        "tweetflow-hashtag-per-minute",
        "Tweets with the hashtag per minute",
        "tweetflow-live-tweets",
        agg("1", "count", "metric"),
        "1m",
    )
    tweets_board = dashboard("tweetflow-tweets", "tweetflow · Tweets", [
        (rate, (0, 0, 32, 15)), (rolling, (32, 0, 16, 15)), (live, (0, 15, 48, 18)),
        (trending, (0, 33, 24, 15)), (trend_volume, (24, 33, 24, 15)),
        (tops, (0, 48, 16, 15)), (authors, (16, 48, 16, 15)), (langs, (32, 48, 16, 15)),
        (tracked, (0, 63, 48, 15)), (mood, (0, 78, 16, 15)), (mentions, (16, 78, 16, 15)),
        (domains, (32, 78, 16, 15)),
    ])  # fmt: skip
    hashtag_board = dashboard("tweetflow-hashtag", "tweetflow · Hashtag", [
        (control, (0, 0, 48, 6)), (tagged, (0, 6, 48, 18)), (related, (0, 24, 24, 15)),
        (influencers, (24, 24, 24, 15)), (volume, (0, 39, 24, 15)), (tag_mood, (24, 39, 24, 15)),
    ])  # fmt: skip
    views = [data_view(view_id) for view_id in DATA_VIEWS]
    visuals = [rate, rolling, live, trending, trend_volume, tops, authors, langs, tracked, mood]
    visuals += [mentions, domains]
    visuals += [control, tagged, related, influencers, volume, tag_mood]
    return [*views, *visuals, tweets_board, hashtag_board]


def ndjson() -> str:
    return "".join(json.dumps(o, sort_keys=True) + "\n" for o in objects())


def main() -> None:
    OUTPUT.write_text(ndjson(), encoding="utf-8")
    print(f"wrote {OUTPUT.relative_to(HERE.parent.parent)}")


if __name__ == "__main__":
    main()
