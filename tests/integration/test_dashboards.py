"""Every Grafana panel, as the request its query defines, against the real Elasticsearch that
the shared pipeline run filled: the answer must be non-empty and equal the reference figures
for the same tweets (tests/support/reference.py)."""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support import grafana_es, reference
from tests.support.pipeline_results import WINDOWS, expected, hashtag_compound

pytestmark = [pytest.mark.integration, pytest.mark.slow]

GRAFANA = Path(__file__).resolve().parents[2] / "deploy" / "grafana"


def ms(value: Any) -> int:
    if isinstance(value, int):
        return value
    return int(datetime.fromisoformat(str(value).replace("Z", "+00:00")).timestamp() * 1000)


@pytest.fixture(scope="module")
def run(pipeline_run: dict[str, Any], enriched_run: dict[str, Any]) -> dict[str, Any]:
    """The shared run's indexes, sentiment included (enriched_run writes into its prefix)."""
    tweets = pipeline_run["tweets"]
    times = [t["timestamp_ms"] for t in tweets]
    return {
        **pipeline_run,
        "want": expected(tweets) | reference.sentiment(tweets, WINDOWS),
        "last": max(times),
        # Wide enough for hopping windows that start before the first tweet and end after
        # the last one, as a user would pick the range around this data.
        "range": (min(times) - 3_600_000, max(times) + 3_600_000),
    }


def indexes(prefix: str) -> dict[str, str]:
    provisioned = yaml.safe_load(
        (GRAFANA / "provisioning/datasources/elasticsearch.yml").read_text()
    )
    return {
        ds["uid"]: ds["jsonData"]["index"].replace("tweetflow_", prefix, 1)
        for ds in provisioned["datasources"]
    }


def panel_rows(
    run: dict[str, Any],
    dashboard: str,
    title: str,
    variables: dict[str, str] | None = None,
    time_range: tuple[int, int] | None = None,
) -> list[dict[str, Any]]:
    board = json.loads((GRAFANA / "dashboards" / dashboard).read_text())
    [panel] = [p for p in board["panels"] if p["title"] == title]
    [target] = panel["targets"]
    index = indexes(run["prefix"])[panel["datasource"]["uid"]]
    found = grafana_es.rows(run["es"], index, target, time_range or run["range"], variables or {})
    assert found, f"panel {title!r} is empty"
    return found


def nonzero(rows: list[dict[str, Any]], key: str, value: str) -> dict[Any, Any]:
    return {r[key]: r[value] for r in rows if r[value]}


def newest(ranking: dict[tuple[Any, ...], Any], start_at: int = 0) -> int:
    return max(key[start_at] for key in ranking)


def test_tweets_per_two_seconds(run: dict[str, Any]) -> None:
    rows = panel_rows(run, "tweets.json", "Tweets per 2 s")
    want = {start: n for (size, start), n in run["want"]["tweet_rate"].items() if size == 2}
    assert nonzero(rows, "window_start", "1") == want


def test_rolling_minute(run: dict[str, Any]) -> None:
    rows = panel_rows(run, "tweets.json", "Tweets in the last minute (rolling, every 5 s)")
    assert nonzero(rows, "window_start", "1") == run["want"]["tweet_rolling"]


def test_live_tweets_of_the_last_minute_newest_first(run: dict[str, Any]) -> None:
    last = run["last"]
    rows = panel_rows(
        run,
        "tweets.json",
        "Live tweets, last minute (newest first)",
        time_range=(last - 60_000, last),
    )
    times = sorted(
        (t for t, *_ in run["want"]["live_tweets"].values() if last - 60_000 <= t <= last),
        reverse=True,
    )
    assert len(rows) == 100 < len(times)
    assert [ms(r["created_at"]) for r in rows] == times[:100]


def test_top_hashtags_of_the_newest_window(run: dict[str, Any]) -> None:
    rows = panel_rows(run, "tweets.json", "Top hashtags, last hour")
    ranking = run["want"]["top_hashtags"]
    window = newest(ranking)
    assert {r["window_start"] for r in rows} == {window}
    assert [(r["hashtag"], r["1"]) for r in rows] == [
        ranking[(window, rank)] for rank in range(1, len(rows) + 1)
    ]
    assert len(rows) == sum(1 for start, _ in ranking if start == window)


def test_trending_now_of_the_newest_minute(run: dict[str, Any]) -> None:
    rows = panel_rows(run, "tweets.json", "Trending now (newest minute, by score)")
    ranking = run["want"]["trending"]
    window = newest(ranking)
    assert {r["window_start"] for r in rows} == {window}
    want = [ranking[(window, rank)] for rank in range(1, len(rows) + 1)]
    # (term, kind, phase, score, authors, tweets, baseline, peak, since)
    assert [(r["term"], r["phase"], r["4"], round(r["5"], 9)) for r in rows] == [
        (term, phase, authors, baseline) for term, _, phase, _, authors, _, baseline, *_ in want
    ]
    assert [round(r["1"], 9) for r in rows] == [w[3] for w in want]
    assert len(rows) == sum(1 for start, _ in ranking if start == window)


def test_trending_volume_is_each_trends_authors_per_minute(run: dict[str, Any]) -> None:
    title = "Trending now: distinct authors per minute (last 30 minutes)"
    rows = panel_rows(run, "tweets.json", title)
    got = {(r["window_start"], r["term"]): r["1"] for r in rows if r["1"] is not None}
    assert got == reference.most_per_minute(run["want"]["trending"], 10)


def test_top_authors_of_the_newest_minute(run: dict[str, Any]) -> None:
    rows = panel_rows(run, "tweets.json", "Top authors, last minute")
    ranking = {k[1:]: v for k, v in run["want"]["author_counts"].items() if k[0] == "hop"}
    window = newest(ranking)
    want = {(name, n) for (start, _), (_, name, n) in ranking.items() if start == window}
    assert {(r["screen_name"], r["1"]) for r in rows} == want
    assert [r["1"] for r in rows] == sorted((r["1"] for r in rows), reverse=True)


def test_languages(run: dict[str, Any]) -> None:
    rows = panel_rows(run, "tweets.json", "Languages")
    want: Counter[str] = Counter()
    for (_, lang), n in run["want"]["languages"].items():
        want[lang] += n
    assert {r["lang"]: r["1"] for r in rows} == dict(want)


def test_tracked_terms_per_minute(run: dict[str, Any]) -> None:
    rows = panel_rows(run, "tweets.json", "Tracked terms per minute")
    got = {(r["window_start"], r["term"]): r["1"] for r in rows if r["1"]}
    assert got == run["want"]["tracked_counts"]


@pytest.fixture(scope="module")
def hashtag(run: dict[str, Any]) -> str:
    """The top hashtag of the newest window: what a user would pick first."""
    ranking = run["want"]["top_hashtags"]
    return str(ranking[(newest(ranking), 1)][0])


def test_the_hashtag_variable_lists_the_ranked_hashtags(run: dict[str, Any], hashtag: str) -> None:
    board = json.loads((GRAFANA / "dashboards" / "hashtag.json").read_text())
    [variable] = board["templating"]["list"]
    find = json.loads(variable["query"])
    target = {
        "timeField": "window_start",
        "query": "",
        "metrics": [{"id": "1", "type": "count"}],
        "bucketAggs": [
            {
                "id": "2",
                "type": "terms",
                "field": find["field"],
                "settings": {"size": str(find["size"]), "orderBy": "_term", "order": "asc"},
            }
        ],
    }
    index = indexes(run["prefix"])[variable["datasource"]["uid"]]
    values = {r["hashtag"] for r in grafana_es.rows(run["es"], index, target, run["range"])}
    ranked = {h for h, _ in run["want"]["top_hashtags"].values()}
    assert hashtag in values and values == ranked


def test_live_tweets_with_the_hashtag(run: dict[str, Any], hashtag: str) -> None:
    rows = panel_rows(
        run, "hashtag.json", "Live tweets with #$hashtag (newest first)", {"hashtag": hashtag}
    )
    times = sorted(
        (
            t["timestamp_ms"]
            for t in run["tweets"]
            if hashtag in {h["text"].lower() for h in t["entities"]["hashtags"]}
        ),
        reverse=True,
    )
    assert [ms(r["created_at"]) for r in rows] == times[:100]


def test_related_hashtags(run: dict[str, Any], hashtag: str) -> None:
    rows = panel_rows(run, "hashtag.json", "Hashtags used with #$hashtag", {"hashtag": hashtag})
    ranking = {k: v for k, v in run["want"]["related_hashtags"].items() if k[1] == hashtag}
    window = newest(ranking)
    want = [ranking[(window, hashtag, rank)] for rank in range(1, len(rows) + 1)]
    assert [(r["related"], r["1"]) for r in rows] == want
    assert len(rows) == sum(1 for start, *_ in ranking if start == window)


def test_influencers(run: dict[str, Any], hashtag: str) -> None:
    rows = panel_rows(
        run, "hashtag.json", "Most-followed authors using #$hashtag", {"hashtag": hashtag}
    )
    ranking = {k: v for k, v in run["want"]["influencers"].items() if k[1] == hashtag}
    window = newest(ranking)
    want = {(name, followers) for (s, _, _), (_, name, followers) in ranking.items() if s == window}
    assert {(r["screen_name"], r["1"]) for r in rows} == want


def test_hashtag_volume_per_minute(run: dict[str, Any], hashtag: str) -> None:
    rows = panel_rows(run, "hashtag.json", "#$hashtag per minute", {"hashtag": hashtag})
    want: Counter[int] = Counter()
    for t in run["tweets"]:
        if hashtag in {h["text"].lower() for h in t["entities"]["hashtags"]}:
            want[t["timestamp_ms"] - t["timestamp_ms"] % 60_000] += 1
    assert {r["created_at"]: r["count"] for r in rows if r["count"]} == dict(want)


def test_sentiment_per_minute(run: dict[str, Any]) -> None:
    rows = panel_rows(
        run, "tweets.json", "Sentiment per minute (average compound score, English tweets)"
    )
    want = {start: row[2] for start, row in run["want"]["sentiment"].items() if row[2] is not None}
    got = {r["window_start"]: r["1"] for r in rows if r["1"] is not None}
    assert got.keys() == want.keys() and all(abs(got[k] - want[k]) < 1e-9 for k in want)


def test_most_mentioned_users_and_linked_domains(run: dict[str, Any]) -> None:
    for title, query, field in (
        ("Most mentioned users, last minute", "top_mentions", "mention"),
        ("Most linked domains, last minute", "top_domains", "domain"),
    ):
        rows = panel_rows(run, "tweets.json", title)
        ranking = run["want"][query]
        window = newest(ranking)
        assert [(r[field], r["1"]) for r in rows] == [
            ranking[(window, rank)] for rank in range(1, len(rows) + 1)
        ]


def test_sentiment_of_the_hashtag(run: dict[str, Any], hashtag: str) -> None:
    rows = panel_rows(
        run,
        "hashtag.json",
        "Sentiment of #$hashtag per minute (average compound score)",
        {"hashtag": hashtag},
    )
    want = hashtag_compound(run["want"], hashtag)
    got = {r["window_start"]: r["1"] for r in rows if r["1"] is not None}
    assert got.keys() == want.keys() and want
    assert all(abs(got[k] - want[k]) < 1e-9 for k in want)
