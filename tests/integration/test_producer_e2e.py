"""Every source into the real broker; what the topic and the dead-letter topic hold is checked
by consuming them back."""

from __future__ import annotations

import json
import threading
import time
import uuid
from pathlib import Path

import pytest
from typer.testing import CliRunner

from producer import convert, pipeline, replay, x_stream
from producer.kafka_sink import TweetSink, dlq_topic
from producer.synthetic import SyntheticConfig, synthetic_records
from tests.support.fixtures import X_TOKEN, archive, x_payload
from tests.support.topics import consume
from tests.support.x_emulator import Scenario, serve
from tweetflow.cli.main import app
from tweetflow.core.settings import Settings

pytestmark = pytest.mark.integration


def topic() -> str:
    return f"tweets-{uuid.uuid4().hex[:8]}"


def test_synthetic_tweets_arrive_exactly_once_keyed_by_author(settings: Settings) -> None:
    name = topic()
    sink = TweetSink(settings.kafka_bootstrap, name, partitions=3)
    counters = pipeline.run(synthetic_records(SyntheticConfig(seed=5, count=5000)), sink)
    sink.close()
    assert (counters.sent, sink.stats.acked, sink.stats.failed) == (5000, 5000, 0)
    messages = consume(settings, name, 5000)
    tweets = [json.loads(m.value) for m in messages]
    assert len(tweets) == 5000
    assert {t["id_str"] for t in tweets} == {
        t.value["id_str"] for t in synthetic_records(SyntheticConfig(seed=5, count=5000))
    }
    assert all(m.key.decode() == json.loads(m.value)["user"]["id_str"] for m in messages)
    convert.validate(tweets[0])


def test_replay_with_bad_lines_sends_the_good_and_dead_letters_the_rest(
    settings: Settings, tmp_path: Path
) -> None:
    expected_ids = archive(tmp_path)
    name = topic()
    sink = TweetSink(settings.kafka_bootstrap, name)
    counters = pipeline.run(replay.records([tmp_path]), sink)
    sink.close()
    assert (counters.sent, counters.bad) == (4, 3)
    got = [json.loads(m.value)["id_str"] for m in consume(settings, name, 4)]
    assert sorted(got) == sorted(expected_ids)  # keyed by author: order only per partition
    dead = [json.loads(m.value) for m in consume(settings, dlq_topic(name), 3)]
    assert len(dead) == 3
    assert {d["position"].rsplit("/", 1)[-1] for d in dead} == {
        "a.json:3",
        "b.json.gz:2",
        "02.json.bz2:1",
    }
    assert all(d["reason"] and ("raw" in d or "raw_base64" in d) for d in dead)


def test_x_stream_into_kafka(settings: Settings) -> None:
    scenario = Scenario(X_TOKEN, connections=[[x_payload(1), "", x_payload(2)], [x_payload(3)]])
    name = topic()
    with serve(scenario) as base:
        config = x_stream.XStreamConfig(bearer_token=X_TOKEN, track=("flink",), api_base=base)
        stop = threading.Event()
        sink = TweetSink(settings.kafka_bootstrap, name)

        def records():
            for n, record in enumerate(x_stream.records(config, stop), start=1):
                yield record
                if n == 3:
                    stop.set()

        counters = pipeline.run(records(), sink, stop=stop)
        sink.close()
    assert counters.sent == 3
    got = [json.loads(m.value) for m in consume(settings, name, 3)]
    assert sorted(t["id_str"] for t in got) == ["1001", "1002", "1003"]
    assert all(t["user"]["screen_name"] == "XDevelopers" for t in got)


def test_ctrl_c_flushes_everything_it_counted(settings: Settings, tmp_path: Path) -> None:
    """An endless live producer stopped with SIGINT: every tweet it reports is in the topic."""
    import os
    import signal
    import subprocess
    import sys

    name = topic()
    env = {
        **os.environ,
        "TWEETFLOW_KAFKA_PORT": str(settings.kafka_port),
        "TWEETFLOW_TOPIC": name,
        "TWEETFLOW_STATE_DIR": str(tmp_path),
    }
    producer = subprocess.Popen(
        [sys.executable, "-m", "tweetflow.cli", "produce", "--count", "0", "--rate", "3000"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(6)
    producer.send_signal(signal.SIGINT)
    out, err = producer.communicate(timeout=60)
    assert producer.returncode == 0, err
    sent = int(out.split("sent ", 1)[1].split(" ", 1)[0].replace(",", ""))
    assert f"acked {sent:,};" in out
    assert sent > 1000
    assert len(consume(settings, name, sent)) == sent


def test_a_file_given_without_source_is_replayed(settings: Settings, tmp_path: Path) -> None:
    """`tweetflow produce archive/` replays it (it once sent 10,000 synthetic tweets instead);
    --count stops a replay after that many records."""
    expected_ids = archive(tmp_path)
    name = topic()
    env = settings.as_env() | {"TWEETFLOW_TOPIC": name}
    runner = CliRunner()
    result = runner.invoke(app, ["produce", str(tmp_path), "--count", "3"], env=env)
    assert result.exit_code == 0, result.output
    tweets = [json.loads(m.value) for m in consume(settings, name, 2)]
    # The first three records: a v1 tweet, a broken line (dead-lettered), a v2 tweet.
    assert sorted(t["id_str"] for t in tweets) == sorted(expected_ids[:2])
    result = runner.invoke(app, ["produce", str(tmp_path)], env=env)
    assert result.exit_code == 0, result.output
    tweets = [json.loads(m.value) for m in consume(settings, name, 6)]
    assert sorted(t["id_str"] for t in tweets) == sorted(expected_ids[:2] + expected_ids)
