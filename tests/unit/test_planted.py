"""Labelled events planted in the synthetic stream (producer/planted.py): their tweets are
there, at the labelled times and rates, from the authors each kind promises, and
`tweetflow produce --planted-labels` writes the labels and refuses a run too short."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from pathlib import Path

import pytest
from typer.testing import CliRunner

from producer.planted import MINUTE_MS, PlantedEvent, scenario
from producer.synthetic import SyntheticConfig, generate
from tweetflow.cli.main import app

START = 1_767_225_600_000


def keys_of(tweet: dict) -> set[str]:
    tags = {"#" + h["text"] for h in tweet["entities"]["hashtags"]}
    return tags | ({tweet["text"]} if not tags else set())


@pytest.fixture(scope="module")
def planted() -> tuple[tuple[PlantedEvent, ...], list[dict]]:
    events = scenario(START, 100, scale=0.5)
    config = SyntheticConfig(count=12_000, start_ms=START, per_second=2.0, trending_tag="",
                             events=events)  # fmt: skip
    return events, list(generate(config))


def test_the_scenario_has_every_kind_after_the_warm_up() -> None:
    events = scenario(START, 240)
    kinds = Counter(e.kind for e in events)
    assert kinds["evergreen"] == 3 and kinds["burst"] >= 15
    assert kinds["spam"] >= 4 and kinds["campaign"] >= 3
    assert all(e.onset_ms >= START + 30 * MINUTE_MS for e in events if e.kind != "evergreen")
    bursts = [e.key for e in events if e.kind == "burst"]
    assert len(set(bursts)) == len(bursts)  # each burst its own key
    assert {k.startswith("#") for k in bursts} == {True, False}  # hashtags and phrases


def test_each_event_tweets_as_labelled(planted: tuple) -> None:
    events, tweets = planted
    assert len({t["id_str"] for t in tweets}) == len(tweets)
    for event in events:
        if event.key.startswith("#"):
            mine = [
                t for t in tweets if event.key[1:] in {h["text"] for h in t["entities"]["hashtags"]}
            ]
        else:
            mine = [t for t in tweets if event.key in t["text"]]
        times = [t["timestamp_ms"] for t in mine]
        assert times and event.onset_ms <= min(times) and max(times) < event.end_ms
        expected = (
            sum(event.rate(ms + 500) for ms in range(event.onset_ms, event.end_ms, 1000)) / 60
        )
        assert abs(len(mine) - expected) < 1.5  # whole tweets of a rate summed in floats
        authors = Counter(t["user"]["id_str"] for t in mine)
        if event.kind == "spam":
            assert len(authors) == 1
        elif event.kind == "campaign":
            assert len(authors) == len(mine)  # each a new account, once
            assert {t["user"]["statuses_count"] for t in mine} == {1}
            assert len({t["text"] for t in mine}) == 1
        else:
            assert len(authors) > 100 and max(authors.values()) < 20  # many authors
    per_minute = defaultdict(int)
    burst = next(e for e in events if e.kind == "burst")
    for t in tweets:
        if burst.key[1:] in {h["text"] for h in t["entities"]["hashtags"]}:
            per_minute[(t["timestamp_ms"] - burst.onset_ms) // MINUTE_MS] += 1
    peak_minute = (burst.peak_ms - burst.onset_ms) // MINUTE_MS
    assert max(per_minute, key=per_minute.get) in (peak_minute - 1, peak_minute, peak_minute + 1)


def test_produce_writes_the_labels_and_refuses_a_short_run(tmp_path: Path) -> None:
    labels = tmp_path / "labels.jsonl"
    runner = CliRunner()
    short = runner.invoke(app, ["produce", "--count", "1000", "--planted-labels", str(labels)])
    assert short.exit_code == 2 and "needs at least 60" in short.output
    assert not labels.exists()
    env = {"TWEETFLOW_KAFKA_BOOTSTRAP": "127.0.0.1:9"}  # no broker: fails after the labels
    done = runner.invoke(
        app, ["produce", "--count", "24000", "--event-rate", "5", "--seed", "5",
              "--planted-labels", str(labels)], env=env,
    )  # fmt: skip
    assert done.exit_code != 0
    written = [json.loads(line) for line in labels.read_text().splitlines()]
    assert {e["kind"] for e in written} == {"evergreen", "burst", "spam", "campaign"}
    assert all(e["onset_ms"] <= e["peak_ms"] <= e["end_ms"] for e in written)
