"""PyFlink on the embedded mini-cluster: Kafka source table -> SQL -> Elasticsearch sink."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

import pytest
from elasticsearch import Elasticsearch
from kafka import KafkaAdminClient
from kafka.errors import (
    CoordinatorLoadInProgressError,
    CoordinatorNotAvailableError,
    NotCoordinatorError,
)

from flink_jobs import runtime
from flink_jobs.gateway import OUTPUT_FILE, process_table
from producer import synthetic
from producer.kafka_sink import TweetSink
from tests.support.terminal import EXIT, Terminal, python_cli
from tweetflow.stack.process import child_environment
from tweetflow.stack.stack import LocalStack

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def expected_tweet_rate(tweets: list[dict], window_ms: int) -> dict[int, int]:
    """Reference: tweets per tumbling window, keyed by window start in epoch millis."""
    return dict(Counter(t["timestamp_ms"] // window_ms * window_ms for t in tweets))


def epoch_ms(iso: str) -> int:
    moment = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    assert moment.tzinfo == timezone.utc, iso
    return int(moment.timestamp() * 1000)


def test_tweet_rate_lands_in_elasticsearch_exactly(stack: LocalStack, tmp_path) -> None:
    settings = stack.settings
    topic = f"tweets-{uuid.uuid4().hex[:8]}"
    prefix = f"t{uuid.uuid4().hex[:6]}_"
    tweets = list(synthetic.tweets(3000, seed=7, start_ms=1_767_225_600_000, per_second=37.0))
    sink = TweetSink(settings.kafka_bootstrap, topic, partitions=2)
    for tweet in tweets:
        sink.send(tweet)
    sink.close()
    assert (sink.stats.sent, sink.stats.acked, sink.stats.failed) == (3000, 3000, 0)

    config = replace(
        stack.job_config(),
        kafka_topic=topic,
        kafka_group_id=topic,
        bounded=True,
        es_index_prefix=prefix,
        checkpoint_dir=tmp_path / "checkpoints",
        log_dir=tmp_path / "logs",
        queries=("tweet_rate",),
    )
    assert runtime.run(config)

    es = Elasticsearch(settings.es_url)
    index = f"{prefix}tweet_rate"
    es.indices.refresh(index=index)
    hits = es.search(index=index, size=10_000, query={"term": {"window_seconds": 2}})["hits"][
        "hits"
    ]
    got = {epoch_ms(h["_source"]["window_start"]): h["_source"]["tweets"] for h in hits}
    assert got == expected_tweet_rate(tweets, 2000)
    assert sum(got.values()) == 3000
    for hit in hits:
        source = hit["_source"]
        assert epoch_ms(source["window_end"]) - epoch_ms(source["window_start"]) == 2000
        # The primary key (size, window start) is the document id: a replay upserts it.
        size, start = hit["_id"].split("_", 1)
        assert (size, epoch_ms(start + "Z")) == ("2", epoch_ms(source["window_start"]))


def test_a_command_that_ran_the_embedded_job_leaves_no_jvm(stack: LocalStack, tmp_path) -> None:
    """PyFlink's JVM outlived every command that started it, shutting down on its own after
    the prompt came back; now the command waits for it, and the JVM's output is in its log."""
    env = child_environment() | stack.settings.as_env() | {"TWEETFLOW_STATE_DIR": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-m", "tweetflow.cli", "job", "explain"],
        env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    assert "== Optimized Execution Plan ==" in done.stdout
    # The plan is of the job `job run` runs: the sentiment UDF by default (explain planned
    # the SQL-only job whatever run would do), and what the same options leave out.
    assert "PythonCalc" in done.stdout and "live_tweets_es" in done.stdout
    shaped = subprocess.run(
        [sys.executable, "-m", "tweetflow.cli", "job", "explain", "--enrichment", "off",
         "--without", "live_tweets"],
        env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert shaped.returncode == 0, shaped.stderr[-3000:]
    assert "PythonCalc" not in shaped.stdout and "live_tweets_es" not in shaped.stdout
    assert "top_hashtags_es" in shaped.stdout
    logs = tmp_path / "logs" / "flink"
    left = [pid for pid, (_, command) in process_table().items() if str(logs) in command]
    assert left == [], "the JVM outlived the command"
    assert (logs / OUTPUT_FILE).exists()


def fifty_tweets_and_a_state(
    stack: LocalStack, state: Path, name: str, seed: int
) -> dict[str, str]:
    """A topic of its own with 50 tweets; the variables of a command reading it, with a state
    directory of its own (its checkpoints)."""
    topic = f"{name}-{uuid.uuid4().hex[:6]}"
    sink = TweetSink(stack.settings.kafka_bootstrap, topic, partitions=2)
    for tweet in synthetic.tweets(50, seed=seed):
        sink.send(tweet)
    sink.close()
    return stack.settings.as_env() | {"TWEETFLOW_STATE_DIR": str(state), "TWEETFLOW_TOPIC": topic}


def test_ctrl_c_stops_job_run_with_the_way_to_resume(
    stack: LocalStack, terminal: Terminal, tmp_path: Path
) -> None:
    """Ctrl-C in `job run` printed a py4j traceback and no word about --resume. Typed in a real
    terminal, so the whole foreground process group gets it, with the default enrichment (its
    Python workers run in the command)."""
    env = fifty_tweets_and_a_state(stack, tmp_path, "ctrl-c", seed=3)
    terminal.start([*python_cli(), "job", "run"], env | {"PYTHONUNBUFFERED": "1"})
    terminal.wait_for(lambda s: ") submitted to the" in s, "the job submitted", 180)
    time.sleep(3)
    terminal.tmux("send-keys", "-t", "w", "C-c")
    screen = terminal.wait_for(lambda s: EXIT.search(s) is not None, "the exit status", 120)
    printed = terminal.history()
    assert EXIT.findall(screen) == ["130"], printed
    assert "stopped; its checkpoints are kept: `tweetflow job run --resume`" in printed
    assert "Traceback" not in printed and "py4j" not in printed, printed[-3000:]
    logs = tmp_path / "logs" / "flink"
    assert [pid for pid, (_, command) in process_table().items() if str(logs) in command] == []


def committed(bootstrap: str, group: str, topic: str) -> int:
    """The offsets `group` committed for `topic`, summed over its partitions."""
    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    try:
        offsets = admin.list_group_offsets(group).get(group, {})
    except (CoordinatorNotAvailableError, CoordinatorLoadInProgressError, NotCoordinatorError):
        return 0  # a new broker's offsets topic: nothing committed yet
    finally:
        admin.close()
    return sum(meta.offset for partition, meta in offsets.items() if partition.topic == topic)


def test_resume_into_a_job_with_fewer_queries_says_which_checkpoint_and_why(
    stack: LocalStack, tmp_path
) -> None:
    """--resume picks the newest checkpoint whichever run wrote it; restored into a job with
    other options, it spoke of "the savepoint" the user never named. The first run also
    commits its offsets for group `tweetflow`, where a plain `job run` goes on by default."""
    env = child_environment() | fifty_tweets_and_a_state(stack, tmp_path, "resume", seed=5)
    command = [sys.executable, "-m", "tweetflow.cli", "job", "run", "--enrichment", "off"]
    first = subprocess.Popen(
        command, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 180
        while not list(tmp_path.glob("checkpoints/*/chk-*/_metadata")):
            assert first.poll() is None and time.monotonic() < deadline, "no checkpoint"
            time.sleep(1)
        topic = env["TWEETFLOW_TOPIC"]
        while committed(stack.settings.kafka_bootstrap, "tweetflow", topic) < 50:
            assert first.poll() is None and time.monotonic() < deadline, "no offsets committed"
            time.sleep(1)
    finally:
        first.send_signal(signal.SIGINT)
        first.wait(timeout=120)
    fewer = subprocess.run(
        [*command, "--resume", "--without", "users", "--bounded"], env=env,
        stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert fewer.returncode == 1, fewer.stdout + fewer.stderr[-3000:]
    assert "--resume chose the newest checkpoint under" in fewer.stderr
    assert "--allow-non-restored-state" in fewer.stderr
    assert "the savepoint" not in fewer.stderr and "Traceback" not in fewer.stderr


def test_a_flink_option_flink_cannot_read_is_refused_in_its_words(
    stack: LocalStack, tmp_path
) -> None:
    env = child_environment() | stack.settings.as_env() | {"TWEETFLOW_STATE_DIR": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-m", "tweetflow.cli", "job", "run", "--bounded", "--enrichment", "off",
         "--set", "parallelism.default=abc"],
        env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 1, done.stdout + done.stderr[-3000:]
    assert "error: Flink refused the job:" in done.stderr
    assert "parallelism.default" in done.stderr and "abc" in done.stderr
    assert "Traceback" not in done.stderr
