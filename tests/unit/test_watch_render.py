"""The terminal view without a terminal: untrusted text made harmless, layout by display cells,
every line within the width, and errors said plainly."""

from __future__ import annotations

import pytest
from elasticsearch import exceptions as es_errors

from tweetflow.ops.terminal_text import clip, safe, sparkline, width
from tweetflow.ops.watch import Ranked, Snapshot, Trend, Tweet, describe, render

HOSTILE = [
    ("\x1b]0;pwned\x07title", "title"),  # OSC: set the window title, BEL-terminated
    ("\x1b]52;c;ZWNobyBoaQ==\x1b\\copy", "copy"),  # OSC 52: write the clipboard, ST-terminated
    ("\x1b[2J\x1b[Hcleared", "cleared"),  # CSI: clear screen, cursor home
    ("\x1b[31mred\x1b[0m", "red"),
    ("\x9b31mc1 csi", "c1 csi"),  # 8-bit CSI
    ("\x1bPq#0;2;0;0;0\x1b\\sixel", "sixel"),  # DCS
    ("bell\x07 back\x08space", "bell backspace"),
    ("line\nbreak\r\ttab", "line break tab"),
    ("\u202eevil\u202c text", "evil text"),  # right-to-left override
    ("\x00nul\x7fdel", "nuldel"),
]


@pytest.mark.parametrize(("raw", "shown"), HOSTILE)
def test_escape_sequences_and_controls_never_reach_the_terminal(raw: str, shown: str) -> None:
    cleaned = safe(raw)
    assert cleaned == shown
    assert not any(ord(ch) < 0x20 or 0x7F <= ord(ch) < 0xA0 for ch in cleaned)


def test_real_text_survives() -> None:
    for text in ("café ☕ #streaming", "مرحبا #عربي", "e\u0301 combining", "日本語のツイート 🎉"):
        assert safe(text) == text


def test_width_counts_cells() -> None:
    assert width("abc") == 3
    assert width("日本") == 4
    assert width("e\u0301") == 1
    for text in ("日本語のツイート" * 5, "a" * 100, "e\u0301" * 90):
        assert width(clip(text, 11)) <= 11
    assert clip("short", 11) == "short"


def test_sparkline_scales_from_zero_to_the_largest() -> None:
    assert sparkline([0, 0, 0]) == "▁▁▁"
    assert sparkline([0, 4, 8]) == "▁▅█"
    assert len(sparkline(list(range(40)))) == 40


def snapshot(text: str = "hello", hashtag: str = "") -> Snapshot:
    return Snapshot(
        hashtag=hashtag,
        rate=[3, 0, 5, 9],
        rate_end_ms=1_767_225_608_000,
        rolling_minute=120,
        tops=[Ranked("flink" * 12, 40), Ranked("日本語" * 10, 7)],
        tops_window=(1_767_222_000_000, 1_767_225_600_000),
        authors=[Ranked("user_1", 9)],
        authors_window=(1_767_225_540_000, 1_767_225_600_000),
        tweets=[Tweet(1_767_225_607_123, "user_56", text)],
        volume=[1, 2, 3] if hashtag else [],
        trends=[Trend("#eclipse", "emerging", 19.8, 143, 31.0, [0] * 13 + [40, 143]),
                Trend("power outage" + "日本語" * 20, "fading", 2.5, 30, 12.4, [0, 90, 30])],
        trends_window=(1_767_225_540_000, 1_767_225_600_000),
    )  # fmt: skip


@pytest.mark.parametrize("columns", [40, 80, 132])
def test_every_line_fits_the_terminal(columns: int) -> None:
    long_text = "日本語のツイート🎉 " * 20 + "x" * 200
    for snap in (snapshot(long_text), snapshot(long_text, hashtag="flink"), None):
        frame = render(snap, columns, 1_767_225_610_000, "tweetflow watch · tweets", "oops")
        assert frame and all(width(line) <= columns for line in frame)


def test_the_overview_shows_rate_rankings_and_tweets() -> None:
    frame = "\n".join(render(snapshot(), 80, 1_767_225_610_000, "h"))
    assert "Tweets per 2 s" in frame and "last 9 · max 9" in frame
    assert "120 tweets" in frame
    assert "Top hashtags (23:00 to 00:00)" in frame and "#flinkflink" in frame
    assert "@user_1" in frame and "00:00:07 @user_56  hello" in frame


def test_the_overview_shows_each_trend_with_its_volume_and_phase() -> None:
    lines = render(snapshot(), 80, 1_767_225_610_000, "h")
    assert "Trending now (23:59 to 00:00)" in [line.rstrip() for line in lines]
    [eclipse] = [line for line in lines if " 1 #eclipse" in line]
    assert "emerging" in eclipse and "▁▁▁▁▁▁▁▁▁▁▁▁▁▃█" in eclipse
    assert eclipse.endswith("143 (usual 31) z 19.8")
    [outage] = [line for line in lines if " 2 power outage" in line]
    assert "fading" in outage and "▁█▃" in outage
    assert "Trending" not in "\n".join(render(snapshot(hashtag="x"), 80, 0, "h"))
    assert "(nothing trending)" in "\n".join(render(Snapshot(), 80, 0, "h"))


def test_the_hashtag_view_names_the_hashtag() -> None:
    frame = "\n".join(render(snapshot(hashtag="flink"), 80, 1_767_225_610_000, "h"))
    assert "#flink per minute" in frame and "6 in the last hour" in frame
    assert "Used with #flink" in frame and "Newest tweets with #flink" in frame


def test_empty_indexes_say_so() -> None:
    frame = "\n".join(render(Snapshot(), 80, 0, "h"))
    assert "no windows yet" in frame and "(nothing yet)" in frame and "(none yet)" in frame


def test_a_failed_read_keeps_the_last_screen_and_says_why() -> None:
    problem = describe(es_errors.ConnectionError("N/A", "refused", Exception()), "http://h:9200")
    frame = render(snapshot(), 80, 1_767_225_610_000, "h", problem, 1_767_225_600_000)
    text = "\n".join(frame)
    assert "http://h:9200 is unreachable" in text and "Traceback" not in text
    assert "showing what was read at 00:00:00 UTC" in text and "@user_56" in text
