"""Every panel of the two Kibana dashboards, as the request its saved visualization or search
defines, against the real Elasticsearch that the shared pipeline run filled: each answer is
non-empty, and the rankings, rates and the hashtag filter equal the reference figures."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from tests.support import kibana_es, reference
from tests.support.pipeline_results import WINDOWS, expected, hashtag_compound

pytestmark = [pytest.mark.integration, pytest.mark.slow]

NDJSON = Path(__file__).resolve().parents[2] / "deploy" / "kibana" / "saved_objects.ndjson"
OBJECTS = {o["id"]: o for o in map(json.loads, NDJSON.read_text(encoding="utf-8").splitlines())}


def panels_of(dashboard_id: str) -> list[str]:
    return [r["id"] for r in OBJECTS[dashboard_id]["references"]]


@pytest.fixture(scope="module")
def run(pipeline_run: dict[str, Any], enriched_run: dict[str, Any]) -> dict[str, Any]:
    """The shared run's indexes, sentiment included (enriched_run writes into its prefix)."""
    times = [t["timestamp_ms"] for t in pipeline_run["tweets"]]
    return {
        **pipeline_run,
        "want": expected(pipeline_run["tweets"])
        | reference.sentiment(pipeline_run["tweets"], WINDOWS),
        "range": (min(times) - 3_600_000, max(times) + 3_600_000),
    }


@pytest.fixture(scope="module")
def hashtag(run: dict[str, Any]) -> str:
    """The top hashtag of the newest window: what a user would pick first in the control."""
    ranking = run["want"]["top_hashtags"]
    return str(ranking[(max(start for start, _ in ranking), 1)][0])


def panel_rows(
    run: dict[str, Any], object_id: str, filters: dict[str, str] | None = None
) -> list[dict[str, Any]]:
    obj = OBJECTS[object_id]
    [ref] = [r for r in obj["references"] if r["type"] == "index-pattern"]
    view = OBJECTS[ref["id"]]["attributes"]
    index = view["title"].replace("tweetflow_", run["prefix"], 1)
    found = kibana_es.rows(run["es"], index, obj, view["timeFieldName"], run["range"], filters)
    assert found, f"{object_id} is empty"
    return found


def newest(ranking: dict[tuple[Any, ...], Any]) -> int:
    return max(key[0] for key in ranking)


@pytest.mark.parametrize("object_id", [p for p in panels_of("tweetflow-tweets")])
def test_every_tweets_panel_answers(run: dict[str, Any], object_id: str) -> None:
    panel_rows(run, object_id)


@pytest.mark.parametrize(
    "object_id", [p for p in panels_of("tweetflow-hashtag") if p != "tweetflow-hashtag-control"]
)
def test_every_hashtag_panel_answers_filtered(
    run: dict[str, Any], hashtag: str, object_id: str
) -> None:
    panel_rows(run, object_id, {"hashtag": hashtag})


def test_tweets_per_two_seconds(run: dict[str, Any]) -> None:
    rows = panel_rows(run, "tweetflow-tweets-per-2s")
    want = {start: n for (size, start), n in run["want"]["tweet_rate"].items() if size == 2}
    assert {r["window_start"]: r["1"] for r in rows} == want


def test_top_hashtags_of_the_newest_window(run: dict[str, Any]) -> None:
    rows = panel_rows(run, "tweetflow-top-hashtags-table")
    ranking = run["want"]["top_hashtags"]
    window = newest(ranking)
    assert {r["window_start"] for r in rows} == {window}
    assert [(r["hashtag"], r["1"]) for r in rows] == [
        ranking[(window, rank)] for rank in range(1, len(rows) + 1)
    ]


def test_trending_now_of_the_newest_minute(run: dict[str, Any]) -> None:
    rows = panel_rows(run, "tweetflow-trending-table")
    ranking = run["want"]["trending"]
    window = newest(ranking)
    assert {r["window_start"] for r in rows} == {window}
    want = [ranking[(window, rank)] for rank in range(1, len(rows) + 1)]
    assert [(r["term"], r["phase"], round(r["1"], 9), r["4"]) for r in rows] == [
        (term, phase, score, authors) for term, _, phase, score, authors, *_ in want
    ]


def test_trending_volume_per_minute(run: dict[str, Any]) -> None:
    rows = panel_rows(run, "tweetflow-trending-volume")
    got = {(r["window_start"], r["term"]): r["1"] for r in rows}
    # Kibana nests the split inside the minutes: each minute's top 10 trends.
    assert got == reference.most_per_minute(run["want"]["trending"], 10, each_minute=True)


def test_languages(run: dict[str, Any]) -> None:
    want: Counter[str] = Counter()
    for (_, lang), n in run["want"]["languages"].items():
        want[lang] += n
    assert {r["lang"]: r["1"] for r in panel_rows(run, "tweetflow-languages-pie")} == dict(want)


def test_related_hashtags_filtered_by_the_control(run: dict[str, Any], hashtag: str) -> None:
    rows = panel_rows(run, "tweetflow-related-hashtags-table", {"hashtag": hashtag})
    ranking = {k: v for k, v in run["want"]["related_hashtags"].items() if k[1] == hashtag}
    window = newest(ranking)
    want = [ranking[(window, hashtag, rank)] for rank in range(1, len(rows) + 1)]
    assert [(r["related"], r["1"]) for r in rows] == want


def test_the_control_filter_reaches_live_tweets_through_the_alias(
    run: dict[str, Any], hashtag: str
) -> None:
    """The control filters on `hashtag`; live tweets store `hashtags` and map `hashtag` as
    its alias, so the same filter selects exactly the tweets carrying it."""
    rows = panel_rows(run, "tweetflow-hashtag-per-minute", {"hashtag": hashtag})
    want: Counter[int] = Counter()
    for t in run["tweets"]:
        if hashtag in {h["text"].lower() for h in t["entities"]["hashtags"]}:
            want[t["timestamp_ms"] - t["timestamp_ms"] % 60_000] += 1
    assert {r["created_at"]: r["count"] for r in rows} == dict(want)
    for tweet in panel_rows(run, "tweetflow-hashtag-live-tweets", {"hashtag": hashtag}):
        assert hashtag in tweet["hashtags"]


def test_top_domains_of_the_newest_minute(run: dict[str, Any]) -> None:
    rows = panel_rows(run, "tweetflow-top-domains-table")
    ranking = run["want"]["top_domains"]
    window = newest(ranking)
    assert [(r["domain"], r["1"]) for r in rows] == [
        ranking[(window, rank)] for rank in range(1, len(rows) + 1)
    ]


def test_sentiment_of_the_hashtag_per_minute(run: dict[str, Any], hashtag: str) -> None:
    rows = panel_rows(run, "tweetflow-hashtag-sentiment-per-minute", {"hashtag": hashtag})
    want = hashtag_compound(run["want"], hashtag)
    got = {r["window_start"]: r["1"] for r in rows if r["1"] is not None}
    assert got.keys() == want.keys() and want
    assert all(abs(got[k] - want[k]) < 1e-9 for k in want)
