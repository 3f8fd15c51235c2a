"""Faults with real processes: the job killed with SIGKILL, Elasticsearch unreachable for half
a minute, the Kafka broker killed and restarted mid-stream or away for 40 s, the broker stalled
under a producer.
Each ends by comparing Elasticsearch with the reference of the same input: nothing lost,
nothing counted twice."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from elasticsearch import Elasticsearch

from flink_jobs import checkpoints
from producer.kafka_sink import TweetSink
from producer.synthetic import SyntheticConfig, synthetic_records
from tests.support.job_process import JobProcess, wait_for
from tests.support.pipeline_results import (
    RESTART_QUERIES as QUERIES,
)
from tests.support.pipeline_results import (
    assert_same,
    count,
    expected,
    half_sent,
    job_config,
    record_count,
    send_closing,
    settle,
    topic_records,
)
from tests.support.relay import Relay, free_port
from tests.support.terminal import EXIT, Terminal, python_cli
from tweetflow.stack import process
from tweetflow.stack.stack import LocalStack

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def test_a_killed_job_resumes_from_its_checkpoint_exactly(
    stack: LocalStack, tmp_path: Path
) -> None:
    settings = stack.settings
    topic, prefix = f"kill-{uuid.uuid4().hex[:8]}", f"k{uuid.uuid4().hex[:6]}_"
    tweets, sink = half_sent(stack, topic, seed=21)
    checkpoint_dir = tmp_path / "checkpoints"

    def config(**changes: Any) -> Any:
        values: dict[str, Any] = {
            "bounded": False,
            "queries": QUERIES,
            "checkpoint_dir": checkpoint_dir,
            "checkpoint_interval": "2 s",
        }
        return job_config(stack, topic, prefix, tmp_path, **(values | changes))

    es = Elasticsearch(settings.es_url, timeout=60)  # a refresh under CI load can take 10 s
    first = JobProcess(config(), tmp_path, "first")
    try:
        wait_for(
            lambda: (
                count(es, f"{prefix}tweet_rate") >= 10
                and checkpoints.latest(checkpoint_dir) is not None
            ),
            180,
            "results and a checkpoint",
            first,
        )
        time.sleep(3)  # mid-stream: a window or two past the checkpoint
    finally:
        first.kill()
    windows_before = count(es, f"{prefix}tweet_rate")
    newest = checkpoints.latest(checkpoint_dir)
    assert newest is not None

    # The rest arrives while no job runs. The restarted job reads from the latest offsets
    # unless its checkpoint restores the earlier ones: a restore that silently did not happen
    # would lose the second half.
    for tweet in tweets[1500:]:
        sink.send(tweet)
    sink.close()
    send_closing(settings.kafka_bootstrap, topic, tweets[-1])
    second = JobProcess(
        config(from_savepoint=str(newest), scan_startup_mode="latest-offset"), tmp_path, "second"
    )
    want = {q: expected(tweets)[q] for q in QUERIES}
    try:
        got = settle(es, prefix, want, timeout_s=240)
    finally:
        second.kill()
    assert 0 < windows_before < len(want["tweet_rate"])  # the kill really was mid-stream
    assert_same(got, want)


def test_elasticsearch_away_for_half_a_minute_delays_results_and_loses_none(
    stack: LocalStack, tmp_path: Path
) -> None:
    settings = stack.settings
    topic, prefix = f"outage-{uuid.uuid4().hex[:8]}", f"e{uuid.uuid4().hex[:6]}_"
    tweets, sink = half_sent(stack, topic, seed=23)
    port = free_port()
    relay = Relay(port, (settings.host, settings.es_port))
    config = job_config(
        stack,
        topic,
        prefix,
        tmp_path,
        bounded=False,
        queries=QUERIES,
        es_hosts=f"http://127.0.0.1:{port}",
        checkpoint_interval="2 s",
    )
    es = Elasticsearch(settings.es_url)
    want = {q: expected(tweets)[q] for q in QUERIES}
    run = JobProcess(config, tmp_path, "outage")
    try:
        wait_for(lambda: count(es, f"{prefix}tweet_rate") > 0, 180, "first results", run)
        relay.close()
        cut_at = count(es, f"{prefix}tweet_rate")
        # The second half arrives during the outage, so results are still owed: a job that
        # had already written everything could not show the waiting.
        for tweet in tweets[1500:]:
            sink.send(tweet)
        sink.close()
        send_closing(settings.kafka_bootstrap, topic, tweets[-1])
        time.sleep(30)
        # The job waited (its sink sending again with backoff) instead of failing or dropping.
        assert run.alive(), run.output()[-3000:]
        assert count(es, f"{prefix}tweet_rate") == cut_at
        relay.restore()
        got = settle(es, prefix, want, timeout_s=240)
        assert run.alive(), run.output()[-3000:]
    finally:
        run.kill()
        relay.close()
    assert cut_at < len(want["tweet_rate"])
    # tweetflow's connector holds what it could not send and sends it again after a backoff
    # (a 30 s outage is within its 15 retries), so the job never restarted.
    log = "".join(f.read_text(errors="replace") for f in (tmp_path / "logs").glob("*.log"))
    assert "switched from state RUNNING to RESTARTING" not in log
    assert "unreachable" in log and "documents again in" in log, log[-3000:]
    assert_same(got, want)


REPOSITORY = Path(__file__).resolve().parents[2]


def produce(stack: LocalStack, topic: str, *args: str) -> subprocess.Popen[str]:
    """`tweetflow produce` (synthetic) into the topic, as a user runs it."""
    return subprocess.Popen(
        [sys.executable, "-m", "tweetflow.cli", "produce", *args],
        cwd=REPOSITORY,
        env=process.child_environment() | stack.settings.as_env() | {"TWEETFLOW_TOPIC": topic},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def kill_broker(stack: LocalStack) -> None:
    kafka = stack.services["kafka"]
    for pid in kafka.pids():
        os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 30
    while kafka.pids() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not kafka.pids()


def test_kafka_broker_killed_mid_stream_loses_nothing(stack: LocalStack, tmp_path: Path) -> None:
    settings = stack.settings
    topic, prefix = f"broker-{uuid.uuid4().hex[:8]}", f"b{uuid.uuid4().hex[:6]}_"
    TweetSink(settings.kafka_bootstrap, topic, partitions=2).close()
    config = job_config(
        stack, topic, prefix, tmp_path, queries=QUERIES, bounded=False, checkpoint_interval="2 s"
    )
    es = Elasticsearch(settings.es_url, timeout=60)  # a refresh under CI load can take 10 s
    run = JobProcess(config, tmp_path, "broker")
    producer = produce(stack, topic, "--count", "9000", "--rate", "300")
    try:
        wait_for(lambda: count(es, f"{prefix}tweet_rate") > 0, 180, "first results", run)
        kill_broker(stack)
        time.sleep(3)
        assert stack.start_service("kafka")
        output, _ = producer.communicate(timeout=180)
        assert producer.returncode == 0, output[-3000:]
        records = topic_records(stack.settings.kafka_bootstrap, topic)
        # What the producer counted as sent and acknowledged is exactly what the topic holds:
        # its retries after the broker came back neither lost nor duplicated a tweet.
        assert "sent 9,000" in output and "acked 9,000;" in output, output[-2000:]
        assert len(records) == 9000 == len({r["id_str"] for r in records})
        send_closing(settings.kafka_bootstrap, topic, max(records, key=lambda r: r["timestamp_ms"]))
        want = {q: expected(records)[q] for q in QUERIES}
        got = settle(es, prefix, want, timeout_s=240)
        assert run.alive(), run.output()[-3000:]
    finally:
        producer.kill()
        run.kill()
    assert_same(got, want)


def test_a_stalled_broker_holds_the_producer_in_bounded_memory(
    stack: LocalStack, tmp_path: Path
) -> None:
    """The broker frozen (SIGSTOP) for 12 s under a producer sending as fast as it can: the
    producer blocks on its bounded send buffer (full within a second at that speed) instead
    of queueing tweets in memory, then delivers every one."""
    topic = f"stall-{uuid.uuid4().hex[:8]}"
    total = 200_000
    producer = produce(stack, topic, "--count", str(total))
    [broker] = stack.services["kafka"].pids()
    rss: list[int] = []
    try:
        # The baseline once the producer has run at full speed a while, its send buffer in use:
        # a few seconds after its start are not enough on a busy machine (it was still
        # importing), nor were 30,000 records sent beside CI's other work (77 MiB, still
        # growing to the 145 MiB it holds alone).
        deadline = time.monotonic() + 90
        while record_count(stack.settings.kafka_bootstrap, topic) < 60_000:
            assert producer.poll() is None and time.monotonic() < deadline, "not sending"
            time.sleep(0.5)
        for _ in range(6):
            time.sleep(0.5)
            rss.append(process.rss_kib(producer.pid))
        before = max(rss)
        os.kill(broker, signal.SIGSTOP)
        stalled: list[int] = []
        try:
            deadline = time.monotonic() + 12
            while time.monotonic() < deadline:
                time.sleep(0.5)
                stalled.append(process.rss_kib(producer.pid))
                assert producer.poll() is None, producer.communicate()[0][-2000:]
        finally:
            os.kill(broker, signal.SIGCONT)
        output, _ = producer.communicate(timeout=240)
    finally:
        producer.kill()
    assert producer.returncode == 0, output[-3000:]
    # The buffer fills in the stall's first seconds (a second at full speed, more beside
    # CI's other work); after that a bounded producer stops growing, while one queueing tweets
    # in memory would keep growing by megabytes a second.
    filling, held = max([before, *stalled[:12]]), max(stalled[12:])
    print(
        f"\nproducer RSS: {before / 1024:.0f} MiB sending, {filling / 1024:.0f} MiB in the "
        f"stall's first 6 s, at most {held / 1024:.0f} MiB in its last 6 s"
    )
    # kafka-python's buffer.memory is 32 MiB: what filling it can add, with allocator slack
    # and, beside CI's other work, the producer's own warm-up (77 to 145 MiB once).
    assert filling - before < 96 * 1024, (before, filling)
    assert held - filling < 8 * 1024, (filling, held)
    assert f"acked {total:,};" in output, output[-2000:]
    assert record_count(stack.settings.kafka_bootstrap, topic) == total


@dataclass
class Stopped:
    """How a waiting `tweetflow produce` met a stop request in the outage."""

    waiting: bool  # it still ran, waiting, 10 s into the outage
    exit_code: int | None
    output: str
    exit_s: float  # from the request to its exit


@dataclass
class LongOutage:
    """What three producers did through one 40 s broker outage."""

    sink: TweetSink  # the library's, with its timeouts shortened, sending all along
    sent: set[str]
    topic: str
    recovered: bool  # its sending thread returned once the broker was back
    stopped: dict[str, Stopped]  # `tweetflow produce` stopped by Ctrl-C, and by SIGTERM


def ctrl_c(terminal: Terminal) -> Stopped:
    """Ctrl-C typed into the terminal: the whole foreground process group gets SIGINT."""
    waiting = EXIT.search(terminal.screen()) is None
    terminal.tmux("send-keys", "-t", "w", "C-c")
    asked = time.monotonic()
    screen = terminal.wait_for(lambda s: EXIT.search(s) is not None, "the exit status", 25)
    exit_s = time.monotonic() - asked
    return Stopped(waiting, int(EXIT.findall(screen)[0]), terminal.history(), exit_s)


def sigterm(cli: subprocess.Popen[str]) -> Stopped:
    waiting = cli.poll() is None
    cli.send_signal(signal.SIGTERM)
    asked = time.monotonic()
    output, _ = cli.communicate(timeout=25)
    return Stopped(waiting, cli.returncode, output, time.monotonic() - asked)


@pytest.fixture(scope="module")
def long_outage(stack: LocalStack, tmp_path_factory: pytest.TempPathFactory) -> LongOutage:
    """Down for 40 s, past the client's own reconnect (kafka-python gives up bootstrapping
    after about 30 s and once hung forever, 'waiting for Kafka', deaf to Ctrl-C and SIGTERM).
    Timeouts shortened so that 40 s stands for the minutes a real outage takes against the
    defaults. A broker restart costs 10-20 s, so one outage serves all three producers."""
    topic = f"outage-{uuid.uuid4().hex[:8]}"
    args = ["--count", "0", "--rate", "500"]
    cli = produce(stack, f"away-{uuid.uuid4().hex[:8]}", *args)
    terminal = Terminal(tmp_path_factory.mktemp("tty"))
    terminal.start(
        [*python_cli(), "produce", *args],
        stack.settings.as_env() | {"TWEETFLOW_TOPIC": f"typed-{uuid.uuid4().hex[:8]}"},
    )
    sink = TweetSink(
        stack.settings.kafka_bootstrap, topic, delivery_timeout_ms=10_000,
        request_timeout_ms=4_000, max_in_flight_bytes=200_000, stalled_s=15,
    )  # fmt: skip
    tweets = synthetic_records(SyntheticConfig(seed=9, count=None))
    sent: set[str] = set()

    def send_for(seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            tweet = next(tweets).value
            sink.send(tweet)
            sent.add(tweet["id_str"])
            time.sleep(0.002)

    try:
        send_for(5)  # all sending
        kill_broker(stack)
        down_at = time.monotonic()
        try:
            feeder = threading.Thread(target=send_for, args=(40,), daemon=True)
            feeder.start()  # blocks on the full send buffer meanwhile
            time.sleep(10)
            stopped = {"Ctrl-C": ctrl_c(terminal), "SIGTERM": sigterm(cli)}
            time.sleep(max(0.0, 40 - (time.monotonic() - down_at)))
        finally:
            assert stack.start_service("kafka")
    finally:
        cli.kill()
        terminal.close()
    feeder.join(timeout=120)
    recovered = not feeder.is_alive()
    if recovered:
        send_for(3)
    sink.close()
    return LongOutage(sink, sent, topic, recovered, stopped)


def test_a_long_broker_outage_only_delays_the_producer(
    stack: LocalStack, long_outage: LongOutage
) -> None:
    """Every tweet arrives, and whatever expired in the outage was sent again."""
    assert long_outage.recovered, "the producer never recovered from the outage"
    sink, sent = long_outage.sink, long_outage.sent
    assert (sink.stats.acked, sink.stats.failed) == (len(sent), 0), sink.stats.errors
    assert {
        r["id_str"] for r in topic_records(stack.settings.kafka_bootstrap, long_outage.topic)
    } == sent


@pytest.mark.parametrize("how", ["Ctrl-C", "SIGTERM"])
def test_ctrl_c_or_kill_stops_a_producer_waiting_for_an_unreachable_broker(
    long_outage: LongOutage, how: str
) -> None:
    """It once ignored Ctrl-C, a second one and SIGTERM while waiting for Kafka; now it exits
    promptly, with status 1 and how many tweets Kafka never acknowledged."""
    stopped = long_outage.stopped[how]
    assert stopped.waiting, stopped.output[-3000:]
    assert stopped.exit_code == 1, stopped.output[-3000:]
    assert stopped.exit_s < 15, stopped.exit_s
    assert "not acknowledged by Kafka" in stopped.output, stopped.output[-3000:]
    assert "Traceback" not in stopped.output, stopped.output[-3000:]
