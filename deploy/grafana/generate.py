"""Writes tweetflow's Grafana provisioning: one Elasticsearch data source per result index, the
Prometheus one, and the three dashboards, from the definitions below (run it after changing
them; a unit test fails while the committed files differ from its output).

    python deploy/grafana/generate.py

Each panel names its index (through its data source) and time field explicitly. Rankings show
the newest window only: a terms bucket on window_start, newest first, size 1, then the ranked
field ordered by the window's count — exactly the top-N list the SQL job wrote for it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
PROVISIONING = HERE / "provisioning"
DASHBOARDS = HERE / "dashboards"
KUBERNETES = HERE.parent / "kubernetes"

# Where the data sources connect and as whom comes from Grafana's environment (Grafana expands
# $VARIABLES in provisioning files): compose and the Kubernetes manifest set these, so one file
# serves an open local Elasticsearch and a secured one. Grafana reads as tweetflow's reader.
CONNECTION = {
    "url": "$TWEETFLOW_GRAFANA_ES_URL",
    "basicAuth": "$TWEETFLOW_GRAFANA_ES_BASIC_AUTH",
    "basicAuthUser": "$TWEETFLOW_ES_READER_USERNAME",
}
SECURE = {
    "basicAuthPassword": "$TWEETFLOW_ES_READER_PASSWORD",
    "tlsCACert": "$TWEETFLOW_GRAFANA_ES_CA_PEM",  # empty: the system's CAs
}

# uid -> (index, time field) of the indexes the dashboards show, from
# deploy/elasticsearch/index_templates.json.
VIEWS = json.loads((HERE.parent / "elasticsearch" / "index_templates.json").read_text())
SHOWN = (
    "tweet_rate",
    "tweet_rolling",
    "author_counts",
    "top_hashtags",
    "related_hashtags",
    "influencers",
    "languages",
    "tracked_counts",
    "live_tweets",
    "top_mentions",
    "top_domains",
    "trending",
    "sentiment",
    "hashtag_sentiment",
)
DATASOURCES: dict[str, tuple[str, str]] = {
    f"tweetflow-{name.replace('_', '-')}": (
        VIEWS["data_views"][name]["pattern"],
        VIEWS["data_views"][name]["time_field"],
    )
    for name in SHOWN
}


def target(
    uid: str,
    query: str,
    metrics: list[dict[str, Any]],
    buckets: list[dict[str, Any]],
) -> dict[str, Any]:
    return {
        "refId": "A",
        "datasource": {"type": "elasticsearch", "uid": uid},
        "query": query,
        "alias": "",
        "timeField": DATASOURCES[uid][1],
        "metrics": metrics,
        "bucketAggs": buckets,
    }


def metric(kind: str, field: str = "", ident: str = "1", **settings: str) -> dict[str, Any]:
    found: dict[str, Any] = {"id": ident, "type": kind}
    if field:
        found["field"] = field
    if settings:
        found["settings"] = settings
    return found


def histogram(uid: str, interval: str, ident: str = "2") -> dict[str, Any]:
    return {
        "id": ident,
        "type": "date_histogram",
        "field": DATASOURCES[uid][1],
        "settings": {"interval": interval, "min_doc_count": "0", "trimEdges": "0"},
    }


def terms(field: str, size: int, order_by: str, ident: str) -> dict[str, Any]:
    """order_by: a metric id ("1"), "_count" or "_term"."""
    return {
        "id": ident,
        "type": "terms",
        "field": field,
        "settings": {"size": str(size), "order": "desc", "orderBy": order_by, "min_doc_count": "1"},
    }


# Only windows that have ended: a bounded run (`demo`) also writes hour-long windows that end
# in the future, which would otherwise stay "newest" over a live job's for up to an hour.
ENDED = "window_end:<=now"


def ended(query: str) -> str:
    return f"{query} AND {ENDED}" if query else ENDED


def newest_window(field: str, size: int) -> list[dict[str, Any]]:
    return [terms("window_start", 1, "_term", "2"), terms(field, size, "1", "3")]


def panel(
    kind: str,
    title: str,
    uid: str,
    query_target: dict[str, Any],
    grid: tuple[int, int, int, int],
    **extra: Any,
) -> dict[str, Any]:
    index, time_field = DATASOURCES[uid]
    x, y, w, h = grid
    return {
        "type": kind,
        "title": title,
        "description": f"index {index}, time field {time_field}",
        "datasource": {"type": "elasticsearch", "uid": uid},
        "targets": [query_target],
        "gridPos": {"x": x, "y": y, "w": w, "h": h},
        "fieldConfig": {"defaults": {}, "overrides": []},
        "options": {},
        **extra,
    }


def tweets_dashboard() -> dict[str, Any]:
    rate, rolling = "tweetflow-tweet-rate", "tweetflow-tweet-rolling"
    live, tops = "tweetflow-live-tweets", "tweetflow-top-hashtags"
    authors, langs = "tweetflow-author-counts", "tweetflow-languages"
    tracked = "tweetflow-tracked-counts"
    mood, mentions = "tweetflow-sentiment", "tweetflow-top-mentions"
    domains = "tweetflow-top-domains"
    trends = "tweetflow-trending"
    panels = [
        panel(
            "timeseries",
            "Tweets per 2 s",
            rate,
            target(rate, "window_seconds:2", [metric("sum", "tweets")], [histogram(rate, "2s")]),
            (0, 0, 16, 8),
        ),
        panel(
            "timeseries",
            "Tweets in the last minute (rolling, every 5 s)",
            rolling,
            target(rolling, "", [metric("max", "tweets")], [histogram(rolling, "5s")]),
            (16, 0, 8, 8),
        ),
        panel(
            "table",
            "Live tweets, last minute (newest first)",
            live,
            target(live, "", [metric("raw_data", size="100")], []),
            (0, 8, 24, 10),
            timeFrom="1m",
        ),
        panel(
            "table",
            "Trending now (newest minute, by score)",
            trends,
            target(
                trends,
                ENDED,
                [
                    metric("max", "score"),
                    metric("max", "authors", ident="4"),
                    metric("max", "baseline", ident="5"),
                ],
                [*newest_window("term", 10), terms("phase", 1, "_term", "6")],
            ),
            (0, 18, 12, 9),
        ),
        panel(
            "table",
            "Trending now: distinct authors per minute (last 30 minutes)",
            trends,
            target(
                trends,
                ENDED,
                [metric("max", "authors")],
                [terms("term", 10, "1", "3"), histogram(trends, "1m")],
            ),
            (12, 18, 12, 9),
            timeFrom="30m",
            # One row per trend, its volume as a sparkline.
            transformations=[{"id": "timeSeriesTable", "options": {}}],
        ),
        panel(
            "barchart",
            "Top hashtags, last hour",
            tops,
            target(tops, ENDED, [metric("max", "tweets")], newest_window("hashtag", 10)),
            (0, 27, 8, 9),
        ),
        panel(
            "barchart",
            "Top authors, last minute",
            authors,
            target(
                authors,
                ended("window_kind:hop"),
                [metric("max", "tweets")],
                newest_window("screen_name", 5),
            ),
            (8, 27, 8, 9),
        ),
        panel(
            "piechart",
            "Languages",
            langs,
            target(langs, "", [metric("sum", "tweets")], [terms("lang", 20, "1", "2")]),
            (16, 27, 8, 9),
        ),
        panel(
            "timeseries",
            "Tracked terms per minute",
            tracked,
            target(
                tracked,
                "",
                [metric("sum", "tweets")],
                [terms("term", 20, "1", "3"), histogram(tracked, "1m")],
            ),
            (0, 36, 24, 8),
        ),
        panel(
            "timeseries",
            "Sentiment per minute (average compound score, English tweets)",
            mood,
            target(mood, "", [metric("avg", "avg_compound")], [histogram(mood, "1m")]),
            (0, 44, 8, 8),
        ),
        panel(
            "barchart",
            "Most mentioned users, last minute",
            mentions,
            target(mentions, ENDED, [metric("max", "mentions")], newest_window("mention", 10)),
            (8, 44, 8, 8),
        ),
        panel(
            "barchart",
            "Most linked domains, last minute",
            domains,
            target(domains, ENDED, [metric("max", "links")], newest_window("domain", 10)),
            (16, 44, 8, 8),
        ),
    ]
    return dashboard("tweetflow-tweets", "tweetflow · Tweets", panels, [])


def hashtag_dashboard() -> dict[str, Any]:
    live, tops = "tweetflow-live-tweets", "tweetflow-top-hashtags"
    related, influencers = "tweetflow-related-hashtags", "tweetflow-influencers"
    mood = "tweetflow-hashtag-sentiment"
    variable = {
        "name": "hashtag",
        "label": "Hashtag",
        "type": "query",
        "datasource": {"type": "elasticsearch", "uid": tops},
        "query": json.dumps({"find": "terms", "field": "hashtag", "size": 100}),
        "refresh": 2,
        "sort": 1,
        "multi": False,
        "includeAll": False,
        "current": {},
        "options": [],
    }
    tag = 'hashtag:"$hashtag"'
    panels = [
        panel(
            "table",
            "Live tweets with #$hashtag (newest first)",
            live,
            target(live, 'hashtags:"$hashtag"', [metric("raw_data", size="100")], []),
            (0, 0, 24, 10),
        ),
        panel(
            "barchart",
            "Hashtags used with #$hashtag",
            related,
            target(related, ended(tag), [metric("max", "tweets")], newest_window("related", 10)),
            (0, 10, 12, 9),
        ),
        panel(
            "barchart",
            "Most-followed authors using #$hashtag",
            influencers,
            target(
                influencers,
                ended(tag),
                [metric("max", "followers")],
                newest_window("screen_name", 5),
            ),
            (12, 10, 12, 9),
        ),
        panel(
            "timeseries",
            "#$hashtag per minute",
            live,
            target(live, 'hashtags:"$hashtag"', [metric("count")], [histogram(live, "1m")]),
            (0, 19, 12, 8),
        ),
        panel(
            "timeseries",
            "Sentiment of #$hashtag per minute (average compound score)",
            mood,
            target(mood, tag, [metric("avg", "avg_compound")], [histogram(mood, "1m")]),
            (12, 19, 12, 8),
        ),
    ]
    return dashboard("tweetflow-hashtag", "tweetflow · Hashtag", panels, [variable])


PROMETHEUS_UID = "tweetflow-prometheus"
# (title, unit, PromQL per series with its legend) of the pipeline dashboard, in rows of three:
# the recording rules of deploy/prometheus/rules.yml and Flink's own metrics.
PIPELINE_PANELS: list[tuple[str, str, list[tuple[str, str]]]] = [
    (
        "Records in and out (per second)",
        "reqps",
        [
            ("tweetflow:producer_sent:rate1m", "producer sent"),
            ("tweetflow:records_read:rate1m", "job read"),
            ("tweetflow:tweets_unique:rate1m", "unique tweets"),
            ("sum(tweetflow:documents_written:rate1m)", "documents written"),
        ],
    ),
    (
        "Consumer lag (records unread)",
        "short",
        [("tweetflow:consumer_lag:records", "{{job_name}}")],
    ),
    (
        "Event-time lag (now - watermark)",
        "s",
        [("tweetflow:event_time_lag:seconds", "{{job_name}}")],
    ),
    (
        "Window freshness (seconds since the last completed window write)",
        "s",
        [
            (
                "time() - max(timestamp(increase("
                "flink_taskmanager_job_task_operator_tweetflow_result_documentsWritten"
                '{result="tweet_rate_es"}[1m]) > 0))',
                "tweet_rate",
            )
        ],
    ),
    (
        "Dead letters per reason (per second)",
        "reqps",
        [
            ("tweetflow:dead_lettered:rate1m", "{{reason}}"),
            ("tweetflow:duplicates_dropped:rate1m", "duplicates dropped"),
            ("tweetflow:tweets_late:rate1m", "late"),
        ],
    ),
    (
        "Documents written per result (per second)",
        "reqps",
        [
            ("tweetflow:documents_written:rate1m", "{{result}}"),
            ("tweetflow:documents_rejected:rate1m", "rejected {{result}}"),
        ],
    ),
    (
        "Checkpoint duration",
        "ms",
        [("max by (job_name) (flink_jobmanager_job_lastCheckpointDuration)", "{{job_name}}")],
    ),
    (
        "Checkpoints failed and restarts (in 10 minutes)",
        "short",
        [
            (
                "sum by (job_name) (increase(flink_jobmanager_job_numberOfFailedCheckpoints[10m]))",
                "failed checkpoints",
            ),
            ("sum by (job_name) (increase(flink_jobmanager_job_numRestarts[10m]))", "restarts"),
        ],
    ),
    (
        "Heap kept through collections (share of the maximum, per TaskManager)",
        "percentunit",
        [("tweetflow:heap_kept:ratio", "{{tm_id}}")],
    ),
    (
        "Back-pressure (busiest task, ms per second)",
        "ms",
        [
            (
                "max by (job_name) (flink_taskmanager_job_task_backPressuredTimeMsPerSecond)",
                "back-pressured",
            ),
            ("max by (job_name) (flink_taskmanager_job_task_busyTimeMsPerSecond)", "busy"),
        ],
    ),
]


def pipeline_dashboard() -> dict[str, Any]:
    panels = []
    for n, (title, unit, series) in enumerate(PIPELINE_PANELS):
        panels.append(
            {
                "type": "timeseries",
                "title": title,
                "datasource": {"type": "prometheus", "uid": PROMETHEUS_UID},
                "targets": [
                    {
                        "refId": chr(ord("A") + i),
                        "datasource": {"type": "prometheus", "uid": PROMETHEUS_UID},
                        "expr": expr,
                        "legendFormat": legend,
                    }
                    for i, (expr, legend) in enumerate(series)
                ],
                "gridPos": {"x": (n % 3) * 8, "y": (n // 3) * 8, "w": 8, "h": 8},
                "fieldConfig": {"defaults": {"unit": unit}, "overrides": []},
                "options": {"legend": {"displayMode": "list", "placement": "bottom"}},
            }
        )
    return dashboard("tweetflow-pipeline", "tweetflow · Pipeline", panels, [])


PROMETHEUS_DATASOURCE_YAML = f"""\
# Generated by deploy/grafana/generate.py: the Prometheus that scrapes the pipeline.
apiVersion: 1
datasources:
  - name: {PROMETHEUS_UID}
    uid: {PROMETHEUS_UID}
    type: prometheus
    access: proxy
    url: $TWEETFLOW_GRAFANA_PROMETHEUS_URL
    jsonData:
      timeInterval: 5s
"""


def dashboard(
    uid: str, title: str, panels: list[dict[str, Any]], variables: list[dict[str, Any]]
) -> dict[str, Any]:
    return {
        "uid": uid,
        "title": title,
        "tags": ["tweetflow"],
        "timezone": "utc",
        "editable": True,
        "refresh": "5s",
        "time": {"from": "now-1h", "to": "now"},
        "schemaVersion": 39,
        "version": 1,
        "annotations": {"list": []},
        "templating": {"list": variables},
        "panels": [{"id": n, **p} for n, p in enumerate(panels, start=1)],
    }


def datasources_yaml() -> str:
    lines = [
        "# Generated by deploy/grafana/generate.py: one data source per tweetflow index.",
        "apiVersion: 1",
        "datasources:",
    ]
    for uid, (index, time_field) in DATASOURCES.items():
        lines += [
            f"  - name: {uid}",
            f"    uid: {uid}",
            "    type: elasticsearch",
            "    access: proxy",
            *(f"    {key}: {value}" for key, value in CONNECTION.items()),
            "    secureJsonData:",
            *(f"      {key}: {value}" for key, value in SECURE.items()),
            "    jsonData:",
            f'      index: "{index}"',
            f"      timeField: {time_field}",
            "      maxConcurrentShardRequests: 5",
            "      tlsAuthWithCACert: true",
        ]
    return "\n".join(lines) + "\n"


PROVIDER_YAML = """\
# Generated by deploy/grafana/generate.py: loads the dashboards of deploy/grafana/dashboards.
apiVersion: 1
providers:
  - name: tweetflow
    folder: tweetflow
    type: file
    allowUiUpdates: false
    updateIntervalSeconds: 30
    options:
      path: /var/lib/grafana/dashboards/tweetflow
"""


def config_map(name: str, entries: dict[str, str]) -> str:
    lines = [
        "---",
        "apiVersion: v1",
        "kind: ConfigMap",
        "metadata:",
        f"  name: {name}",
        "  namespace: tweetflow",
        "data:",
    ]
    for key, text in entries.items():
        lines.append(f"  {key}: |")
        lines += [f"    {line}" if line else "" for line in text.rstrip("\n").split("\n")]
    return "\n".join(lines) + "\n"


def kubernetes_yaml(provisioned: dict[Path, str]) -> str:
    """The same provisioning as ConfigMaps for deploy/kubernetes/grafana.yaml to mount
    (kustomize may not read files outside its directory)."""
    of = {path.name: text for path, text in provisioned.items()}
    header = "# Generated by deploy/grafana/generate.py: Grafana's provisioning as ConfigMaps.\n"
    return header + "".join(
        config_map(name, {key: of[key] for key in keys})
        for name, keys in (
            ("grafana-datasources", ["elasticsearch.yml", "prometheus.yml"]),
            ("grafana-dashboard-provider", ["tweetflow.yml"]),
            ("grafana-dashboards", ["tweets.json", "hashtag.json", "pipeline.json"]),
        )
    )


def files() -> dict[Path, str]:
    provisioned = {
        PROVISIONING / "datasources" / "elasticsearch.yml": datasources_yaml(),
        PROVISIONING / "datasources" / "prometheus.yml": PROMETHEUS_DATASOURCE_YAML,
        PROVISIONING / "dashboards" / "tweetflow.yml": PROVIDER_YAML,
        DASHBOARDS / "tweets.json": json.dumps(tweets_dashboard(), indent=2) + "\n",
        DASHBOARDS / "hashtag.json": json.dumps(hashtag_dashboard(), indent=2) + "\n",
        DASHBOARDS / "pipeline.json": json.dumps(pipeline_dashboard(), indent=2) + "\n",
    }
    return provisioned | {KUBERNETES / "grafana-provisioning.yaml": kubernetes_yaml(provisioned)}


def main() -> None:
    for path, text in files().items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path.relative_to(HERE.parent.parent)}")


if __name__ == "__main__":
    main()
