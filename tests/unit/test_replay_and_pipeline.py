"""Replay files and the pipeline's handling of bad input, pacing and re-stamping (no broker)."""

from __future__ import annotations

import gzip
import io
import itertools
import time
from pathlib import Path
from typing import Any

import pytest

from producer import pipeline, replay
from producer.pipeline import RawRecord
from producer.synthetic import SyntheticConfig, generate
from tests.support.fixtures import archive


class ListSink:
    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []
        self.dead: list[tuple[Any, str, str]] = []

    def send(self, tweet: dict[str, Any]) -> None:
        self.sent.append(tweet)

    def dead_letter(self, raw: Any, reason: str, position: str) -> None:
        self.dead.append((raw, reason, position))


def test_replay_reads_nested_compressed_archives_in_order(tmp_path: Path) -> None:
    expected_ids = archive(tmp_path)
    sink = ListSink()
    counters = pipeline.run(replay.records([tmp_path]), sink)
    assert [t["id_str"] for t in sink.sent] == expected_ids
    assert (counters.read, counters.sent, counters.bad) == (7, 4, 3)
    reasons = {position.split("/")[-1]: reason for _, reason, position in sink.dead}
    assert reasons["a.json:3"].startswith("not JSON")
    assert reasons["b.json.gz:2"].startswith("not JSON")
    assert "stream notice" in reasons["02.json.bz2:1"]


def test_replay_resumes_with_skip(tmp_path: Path) -> None:
    archive(tmp_path)
    all_positions = [r.position for r in replay.records([tmp_path])]
    assert [r.position for r in replay.records([tmp_path], skip=4)] == all_positions[4:]


def test_dead_letters_keep_the_input_unchanged() -> None:
    from producer.kafka_sink import dead_letter_record

    assert dead_letter_record(b"\xff\xfe{", "not JSON: x", "f:1") == {
        "reason": "not JSON: x",
        "position": "f:1",
        "raw_base64": "//57",
    }
    assert dead_letter_record(b'{"a": "\xc3\xa9"}', "r", "p")["raw"] == '{"a": "é"}'
    assert dead_letter_record({"a": 1}, "r", "p")["raw"] == '{"a":1}'


def test_restamp_moves_the_first_event_to_now_and_keeps_spacing() -> None:
    tweets = list(generate(SyntheticConfig(count=3, per_second=2.0, out_of_order=0.0)))
    sink = ListSink()
    before = int(time.time() * 1000)
    pipeline.run(
        [RawRecord(str(i), t, canonical=True) for i, t in enumerate(tweets)], sink, restamp=True
    )
    stamped = [t["timestamp_ms"] for t in sink.sent]
    assert before <= stamped[0] <= int(time.time() * 1000)
    assert [b - a for a, b in itertools.pairwise(stamped)] == [500, 500]
    assert sink.sent[0]["created_at"] != tweets[0]["created_at"]


def test_pacing_follows_event_time_at_the_requested_speed() -> None:
    tweets = list(generate(SyntheticConfig(count=6, per_second=10.0, out_of_order=0.0)))
    began = time.monotonic()
    pipeline.run(
        [RawRecord(str(i), t, canonical=True) for i, t in enumerate(tweets)], ListSink(), speed=2.0
    )
    # 500 ms of event time at 2x takes 250 ms.
    assert 0.2 <= time.monotonic() - began < 1.0


def test_progress_line_only_on_a_terminal() -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    terminal, pipe = Tty(), io.StringIO()
    for stream in (terminal, pipe):
        progress = pipeline.Progress(pipeline.Counters(), stream=stream, every_s=0)
        pipeline.run(
            [
                RawRecord("1", b"not json"),
                RawRecord("2", next(generate(SyntheticConfig(count=1))), True),
            ],
            ListSink(),
            progress=progress,
        )
    assert "1 tweets" in terminal.getvalue() and "1 bad" in terminal.getvalue()
    assert pipe.getvalue() == ""


def test_a_file_that_is_not_what_its_name_says_stops_the_replay_with_a_way_to_resume(
    tmp_path: Path,
) -> None:
    """A .gz that is no gzip, and one cut short: the file, the line and the --skip that
    resumes (it printed a traceback, or only `Aborted.`)."""
    from producer.replay import ReplayError

    (tmp_path / "a.json").write_text('{"n": 1}\n{"n": 2}\n')
    (tmp_path / "b.gz").write_bytes(b"not gzip at all")
    read: list[str] = []
    with pytest.raises(ReplayError) as failed:
        read.extend(r.position for r in replay.records([tmp_path]))
    assert len(read) == 2
    message = str(failed.value)
    assert f"{tmp_path / 'b.gz'}: cannot be read past line 0 (BadGzipFile" in message
    assert "whole gzip file" in message and "--skip 2" in message
    lines = b"".join(b'{"n": %d}\n' % n for n in range(5000))
    (tmp_path / "b.gz").write_bytes(gzip.compress(lines)[:300])  # cut short
    with pytest.raises(ReplayError, match=r"b.gz: cannot be read past line \d+ \(EOFError"):
        list(replay.records([tmp_path]))


def test_a_record_that_is_not_utf8_is_dead_lettered_in_plain_words() -> None:
    """The reason read "str is not valid UTF-8: surrogates not allowed" (the decoder's)."""
    sink = ListSink()
    bad = [
        b"\xff\xfe{}",
        '{"text": "\ud800"}'.encode("utf-8", "surrogatepass"),
        b'{"t": "\\ud800"}',
    ]
    pipeline.run((RawRecord(f"r:{n}", raw) for n, raw in enumerate(bad)), sink)
    reasons = [reason for _, reason, _ in sink.dead]
    assert reasons[:2] == ["not JSON: its bytes are not valid UTF-8"] * 2
    assert reasons[2].startswith("not JSON: a \\u escape of half a UTF-16 surrogate pair")
    assert not any("surrogates not allowed" in r for r in reasons)
