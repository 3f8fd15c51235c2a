"""`tweetflow watch` in a real terminal: tmux runs it at 80x40 against the real Elasticsearch
that the shared pipeline run filled; the test reads the screen with capture-pane and types
with send-keys, as a person at the keyboard would."""

from __future__ import annotations

import time
from typing import Any

import pytest
from elasticsearch import Elasticsearch

from tests.support.pipeline_results import expected
from tests.support.relay import Relay, free_port
from tests.support.terminal import COLUMNS, Terminal, python_cli, stop
from tweetflow.core.settings import Settings

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def watch_args(*extra: str) -> list[str]:
    return [*python_cli(), "watch", "--interval", "1", *extra]


def env_for(es_url: str) -> dict[str, str]:
    return {"TWEETFLOW_ES_HOSTS": es_url, "PYTHONUNBUFFERED": "1"}


@pytest.fixture(scope="module")
def want(pipeline_run: dict[str, Any]) -> dict[str, Any]:
    return expected(pipeline_run["tweets"])


def test_the_overview_on_real_results(
    terminal: Terminal, settings: Settings, pipeline_run: dict[str, Any], want: dict[str, Any]
) -> None:
    terminal.start(watch_args("--prefix", pipeline_run["prefix"]), env_for(settings.es_url))
    tops = want["top_hashtags"]
    window = max(start for start, _ in tops)
    first, count = tops[(window, 1)]
    screen = terminal.wait_for(lambda s: f" 1 #{first}" in s, f"#{first} ranked first")
    print(screen)  # the capture the closing note quotes
    lines = screen.splitlines()
    assert lines[0].startswith("tweetflow watch · tweets ·") and lines[0].endswith("UTC")
    assert lines[1] == "─" * COLUMNS
    [top_line] = [line for line in lines if f" 1 #{first}" in line]
    assert top_line.split()[2] == str(count)
    rate = {start: n for (size, start), n in want["tweet_rate"].items() if size == 2}
    shown = [rate.get(max(rate) - 2000 * n, 0) for n in range(40)]  # the sparkline's 80 s
    assert f"last {shown[0]:,} · max {max(shown):,}" in screen
    trends = want["trending"]
    minute = max(start for start, _ in trends)
    term, _, phase, score, authors, _, baseline, *_ = trends[(minute, 1)]
    [trend_line] = [line for line in lines if f" 1 {term} " in line]
    assert phase in trend_line
    assert trend_line.endswith(f"{authors:,} (usual {baseline:,.0f}) z {score:.1f}")
    newest = max(pipeline_run["tweets"], key=lambda t: t["timestamp_ms"])
    assert f"@{newest['user']['screen_name']}" in screen
    assert all(len(line) <= COLUMNS for line in lines)
    assert "Traceback" not in stop(terminal)


def test_the_hashtag_view(
    terminal: Terminal, settings: Settings, pipeline_run: dict[str, Any], want: dict[str, Any]
) -> None:
    tops = want["top_hashtags"]
    tag = tops[(max(start for start, _ in tops), 1)][0]
    related = {k: v for k, v in want["related_hashtags"].items() if k[1] == tag}
    newest = max(start for start, *_ in related)
    first, count = related[(newest, tag, 1)]
    args = watch_args("--prefix", pipeline_run["prefix"], "--hashtag", f"#{tag.upper()}")
    terminal.start(args, env_for(settings.es_url))
    screen = terminal.wait_for(lambda s: f" 1 #{first} " in s, f"#{first} as related")
    assert f"Used with #{tag}" in screen and f"#{tag} per minute" in screen
    [line] = [x for x in screen.splitlines() if f" 1 #{first} " in x]
    assert line.split()[2] == str(count)
    stop(terminal)


def test_unreachable_elasticsearch_is_explained_and_the_view_recovers(
    terminal: Terminal, settings: Settings, pipeline_run: dict[str, Any]
) -> None:
    port = free_port()
    terminal.start(
        watch_args("--prefix", pipeline_run["prefix"]), env_for(f"http://127.0.0.1:{port}")
    )
    down = terminal.wait_for(lambda s: "is unreachable" in s, "the unreachable message")
    assert "Traceback" not in down and "Top hashtags" not in down
    relay = Relay(port, (settings.host, settings.es_port))
    try:
        up = terminal.wait_for(lambda s: " 1 #" in s and "unreachable" not in s, "the recovery")
        assert "Top hashtags" in up
    finally:
        relay.close()
    again = terminal.wait_for(lambda s: "is unreachable" in s, "the second outage")
    assert "showing what was read at" in again and " 1 #" in again
    assert "Traceback" not in stop(terminal)


def delete_indexes(es: Elasticsearch, prefix: str) -> None:
    """By name: Elasticsearch 8 refuses to delete by wildcard (action.destructive_requires_name)."""
    es.indices.delete(index=",".join(es.indices.get(index=f"{prefix}*")))


def test_escape_sequences_in_tweets_stay_inert(terminal: Terminal, settings: Settings) -> None:
    prefix = f"hostile{int(time.time())}_"
    es = Elasticsearch(settings.es_url)
    text = "\x1b]2;pwned\x07\x1b[2J\x1b[Hclear \x1b[31mred \u202eevil\x1b]52;c;aGk=\x07 end"
    es.index(
        index=f"{prefix}live_tweets-2026.01.01",
        id="1",
        refresh=True,
        document={
            "id_str": "1",
            "created_at": "2026-01-01T00:00:00.000Z",
            "screen_name": "mallory\x1b[8m",
            "tweet_text": text,
        },
    )
    terminal.start(watch_args("--prefix", prefix), env_for(settings.es_url))
    screen = terminal.wait_for(lambda s: "@mallory" in s, "the hostile tweet")
    lines = screen.splitlines()
    assert lines[0].startswith("tweetflow watch")  # the screen was not cleared under it
    [line] = [x for x in lines if "@mallory" in x]
    assert line.endswith("@mallory  clear red evil end")
    assert terminal.pane("pane_title") != "pwned"
    stop(terminal)
    delete_indexes(es, prefix)


def test_the_newest_window_shown_has_ended(settings: Settings) -> None:
    """After `demo` (a bounded run) the hour-long windows that end in the future are in the
    index too; a live job's closed windows must not hide behind them for an hour."""
    from flink_jobs import es_templates
    from tweetflow.ops import watch

    prefix = f"ended{int(time.time())}_"
    es = Elasticsearch(settings.es_url)
    es_templates.install(settings.es_url, prefix)  # as the job does: window bounds are dates
    now_min = int(time.time()) // 60 * 60_000
    for start, tag in ((now_min - 3_600_000, "closed"), (now_min - 1_800_000, "leftover")):
        es.index(
            index=f"{prefix}top_hashtags",
            id=f"{start}-1",
            document={"window_start": start, "window_end": start + 3_600_000, "rank": 1,
                      "hashtag": tag, "tweets": 7},
        )  # fmt: skip
    es.indices.refresh(index=f"{prefix}top_hashtags")
    try:
        snap = watch.Source(es, prefix).snapshot()
        assert [r.name for r in snap.tops] == ["closed"]
        assert snap.tops_window == (now_min - 3_600_000, now_min)
    finally:
        delete_indexes(es, prefix)
