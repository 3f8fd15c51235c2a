"""Catch-up throughput of tweetflow against the tools people would use instead, on the same
topic, the same queries and the same Elasticsearch, one after the other in one run:

    python -m bench.peers                    # 1,000,000 tweets
    python -m bench.peers --count 5000000    # the issue's catch-up size, peers stopped
                                             # after --limit-minutes (default 20)
    python -m bench.peers --smoke            # 5,000 tweets, for CI
    python -m bench.peers --only-tweetflow --stream zipf --per-second 50 --count 300000
                                             # tweetflow's rows alone, another stream

Contenders, each reading the whole topic from its first offset and writing its results:
  - kafka-consumer-perf-test: Kafka's own reader, no decoding (the ceiling of reading);
  - JSON decoding alone (orjson over the same records in memory);
  - tweetflow: the Flink SQL job with the peers' queries (tweet rates, rolling count, top
    authors, top hashtags), bounded, on the embedded mini-cluster; JVM start-up included;
    then, not compared with the peers, the whole default job (every core query, enrichment
    off) and the same without live_tweets, with the documents each wrote per tweet;
  - hand-written consumers (bench/handwritten_peer.py), with kafka-python and confluent-kafka;
  - Quix Streams (bench/quix_peer.py) and Spark Structured Streaming (bench/spark_peer.py),
    each in a virtual environment of its own, last: they close windows only when newer
    tweets arrive, so end-of-input tweets are appended to the topic for them.
Every peer's Elasticsearch output is compared with tweetflow's, document for document: a
faster peer computing something else would prove nothing.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any, NamedTuple

import orjson
from elasticsearch import Elasticsearch
from elasticsearch.helpers import scan

from bench import isolated, report
from bench.common import PEER_QUERIES, TWITTER_AVERAGE_RATE, load_topic, private_stack, write
from bench.handwritten_peer import CONSUMERS, Peer, Windows
from bench.query_cost import timed_run
from bench.report import PLOTS
from bench.streams import STREAMS, tweets
from bench.sustained import Lag
from flink_jobs import catalog, es_templates
from tweetflow.core import artifacts
from tweetflow.ops.topic_reader import read_all
from tweetflow.stack import process
from tweetflow.stack.stack import LocalStack

INDEXES = ("tweet_rate", "tweet_rolling", "author_counts", "top_hashtags")
# tweetflow's own rows beside the peers' queries: what users run.
WHOLE_JOB = {
    "whole default job": catalog.CORE_QUERIES,
    "whole job without live_tweets": catalog.core_queries_without(["live_tweets"]),
}
# The stream every contender reads: the generator's tweets at Twitter's average density.
STANDARD = ("default", TWITTER_AVERAGE_RATE)
PERF_CSV = re.compile(r"^[\d:. -]+, [\d:. -]+, ([\d.]+), ([\d.]+), (\d+), ([\d.]+)", re.M)


def decode_rate(values: list[bytes]) -> float:
    began = time.perf_counter()
    for value in values:
        orjson.loads(value)
    return len(values) / (time.perf_counter() - began)


def perf_test_rate(stack: LocalStack, topic: str, count: int) -> float:
    java = stack.java()
    tools = artifacts.ensure("kafka-tools", stack.settings.cache_dir, java.home)
    command = [
        str(java.executable), "-Xmx512m", "-cp", f"{tools}/*",
        "org.apache.kafka.tools.ConsumerPerformance", "--topic", topic,
        "--messages", str(count), "--bootstrap-server", stack.settings.kafka_bootstrap,
        "--timeout", "60000",
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, check=True, timeout=1800)
    match = PERF_CSV.findall(done.stdout)
    if not match:
        raise RuntimeError(f"no result line from the consumer perf test:\n{done.stdout[-2000:]}")
    return float(match[-1][3])


def peer_seconds(stack: LocalStack, backend: str, topic: str, prefix: str) -> tuple[float, Peer]:
    es = Elasticsearch(stack.settings.es_url, timeout=120)
    es_templates.install(stack.settings.es_url, prefix)
    peer = Peer(es, prefix, Windows(), stack.settings.topic_partitions)
    began = time.monotonic()
    CONSUMERS[backend](stack.settings.kafka_bootstrap, topic, peer)
    return time.monotonic() - began, peer


HERE = Path(__file__).resolve().parent


def append_end_of_input(stack: LocalStack, topic: str, values: list[bytes]) -> None:
    """One tweet per partition two hours after the newest: Quix and Spark close a window only
    when a newer event arrives (for Quix, in the same partition of the topic and of each topic
    it re-keys through: hence sixteen hashtags). It lands in windows of its own that never
    close."""
    from kafka import KafkaProducer

    newest = max(orjson.loads(v)["timestamp_ms"] for v in values)
    producer = KafkaProducer(bootstrap_servers=stack.settings.kafka_bootstrap, acks="all")
    for partition in sorted(producer.partitions_for(topic)):
        tweet = {
            "id_str": f"end-of-input-{partition}", "timestamp_ms": newest + 7_200_000,
            "user": {"id_str": f"~end{partition}", "screen_name": "~end"},
            "entities": {"hashtags": [{"text": f"~end{n}"} for n in range(16)]},
        }  # fmt: skip
        producer.send(topic, orjson.dumps(tweet), key=b"~end", partition=partition)
    producer.flush()
    producer.close()


class IsolatedPeer:
    """bench/<peer>_peer.py started in the peer's own environment, timed from its start (its
    interpreter's and JVM's start-up count, as tweetflow's does) to its exit, minus the idle
    wait it reports."""

    def __init__(
        self, stack: LocalStack, peer: str, topic: str, prefix: str, *extra: str, log: Path,
        refresh_interval: str = "1s",
    ) -> None:  # fmt: skip
        python = isolated.python_of(peer, stack.settings.cache_dir)
        es_templates.install(stack.settings.es_url, prefix, refresh_interval=refresh_interval)
        command = [
            str(python), "-I", str(HERE / f"{peer}_peer.py"), "--bootstrap",
            stack.settings.kafka_bootstrap, "--topic", topic, "--es", stack.settings.es_url,
            "--prefix", prefix, *extra,
        ]  # fmt: skip
        env = process.child_environment() | {"JAVA_HOME": str(stack.java().home)}
        self.peer, self.log = peer, log
        self.began = time.monotonic()
        with log.open("wb") as output:
            self.process = subprocess.Popen(
                command, stdout=output, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                env=env, start_new_session=True,
            )  # fmt: skip

    def stop(self) -> None:
        """Asks the peer to stop (SIGTERM), then kills it; its JVM too (Spark's driver starts
        one in its session)."""
        for sent in (signal.SIGTERM, signal.SIGKILL):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, sent)
            try:
                self.process.wait(timeout=30)
                break
            except subprocess.TimeoutExpired:
                continue
        with contextlib.suppress(ProcessLookupError):  # what outlived its parent
            os.killpg(self.process.pid, signal.SIGKILL)

    def finish(self, deadline: float) -> tuple[float, dict[str, Any]] | None:
        """Seconds it worked, and the figures it printed last (one JSON line); None when it
        had not finished by `deadline` (time.monotonic()) and was stopped."""
        try:
            code = self.process.wait(timeout=max(deadline - time.monotonic(), 0))
        except subprocess.TimeoutExpired:
            self.stop()
            return None
        ended = time.monotonic()
        text = self.log.read_text(errors="replace")
        if code != 0:
            sys.stderr.write(text[-6000:])
            raise RuntimeError(f"the {self.peer} peer failed with exit status {code} ({self.log})")
        figures = json.loads(text.strip().splitlines()[-1])
        return ended - self.began - figures.get("idle_s", 0.0), figures


def spark_jars(stack: LocalStack) -> str:
    """Spark's Kafka connector and its dependencies, verified, as spark.jars wants them."""
    jars = artifacts.ensure("spark-kafka", stack.settings.cache_dir, stack.java().home)
    return ",".join(sorted(map(str, jars.glob("*.jar"))))


class Unfinished(NamedTuple):
    """A peer stopped at the time limit, and how many tweets it had read by then."""

    limit_s: float
    read: int | None  # None: unknown


def quix(
    stack: LocalStack, topic: str, prefix: str, values: list[bytes], log: Path, limit_s: float
) -> tuple[float, Any] | Unfinished:
    """Quix closes windows by the newest event time of a partition, also in the topics it
    re-keys through, so the end-of-input tweets go in once every real tweet is read (earlier,
    one partition's would make the other's tweets late), or once it is stopped at the limit."""
    group = f"quix-peer-{uuid.uuid4().hex[:6]}"
    peer = IsolatedPeer(stack, "quix", topic, prefix, "--group", group, log=log)
    deadline = peer.began + limit_s
    lag = Lag(stack.settings.kafka_bootstrap, topic, group)
    try:
        while peer.process.poll() is None and lag() > 0 and time.monotonic() < deadline:
            time.sleep(0.2)
        read = lag.done()
    finally:
        lag.close()
    stopped = time.monotonic() >= deadline
    if stopped:
        peer.stop()
    append_end_of_input(stack, topic, values)  # Spark, next, needs them too
    finished = None if stopped else peer.finish(deadline)
    return finished or Unfinished(limit_s, read)


def results(es: Elasticsearch, prefix: str) -> dict[str, set[str]]:
    """Each index's documents, as canonical JSON without the id (ids are each writer's own)."""
    out = {}
    for index in INDEXES:
        es.indices.refresh(index=f"{prefix}{index}")
        out[index] = {
            orjson.dumps(_canonical(h["_source"]), option=orjson.OPT_SORT_KEYS).decode()
            for h in scan(es, index=f"{prefix}{index}")
        }
    return out


def _difference(got: dict[str, set[str]], want: dict[str, set[str]]) -> dict[str, int]:
    return {index: len(got[index] ^ want[index]) for index in want if got[index] != want[index]}


def _canonical(source: dict[str, Any]) -> dict[str, Any]:
    """Times as epoch ms, whatever ISO-8601 spelling the writer chose."""
    from datetime import datetime

    return {
        k: int(datetime.fromisoformat(v.replace("Z", "+00:00")).timestamp() * 1000)
        if k in ("window_start", "window_end")
        else v
        for k, v in source.items()
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument(
        "--limit-minutes", type=float, default=20, help="Quix and Spark are stopped after this"
    )
    parser.add_argument("--stream", choices=STREAMS, default="default")
    parser.add_argument(
        "--per-second",
        type=float,
        default=TWITTER_AVERAGE_RATE,
        help="event-time density: tweets per second of event time",
    )
    parser.add_argument(
        "--only-tweetflow", action="store_true", help="tweetflow's rows alone, no peer"
    )
    parser.add_argument("--smoke", action="store_true")
    args = parser.parse_args(argv)
    if not args.only_tweetflow and (args.stream, args.per_second) != STANDARD:
        parser.error("the peers run on the default stream at 5,700 tweets per second of event "
                     "time; other streams and densities with --only-tweetflow")  # fmt: skip
    count = 5_000 if args.smoke else args.count
    limit_s = args.limit_minutes * 60
    rates: dict[str, float] = {}
    whole: dict[str, dict[str, float]] = {}
    unfinished: dict[str, Unfinished] = {}
    equal: dict[str, bool] = {}
    differing: dict[str, dict[str, int]] = {}  # per peer whose results differ, per index
    late: dict[str, int] = {}
    with private_stack("peers") as (stack, tmp):
        topic = f"peers-{uuid.uuid4().hex[:6]}"
        load_topic(stack, topic, tweets(args.stream, count, args.per_second))
        heap = stack.settings.flink_heap  # tweetflow's mini-cluster's, and Spark's driver's
        es = Elasticsearch(stack.settings.es_url, timeout=120)
        values: list[bytes] = []
        if not args.only_tweetflow:
            rates["kafka-consumer-perf-test"] = perf_test_rate(stack, topic, count)
            values = [v for _, v in read_all(stack.settings.kafka_bootstrap, topic)]
            rates["JSON decoding alone (orjson)"] = decode_rate(values)
        prefix = f"flink{uuid.uuid4().hex[:6]}_"
        seconds = timed_run(stack, topic, PEER_QUERIES, tmp, prefix=prefix)
        rates["tweetflow (Flink SQL)"] = count / seconds
        reference = results(es, prefix)
        for name, queries in WHOLE_JOB.items():
            run = whole[name] = whole_job_run(stack, topic, queries, tmp, count)
            print(f"tweetflow, {name}: {run['tweets_per_s']:,.0f} tweets/s, "
                  f"{run['documents_per_tweet']:.2f} documents per tweet", flush=True)  # fmt: skip
        for backend in () if args.only_tweetflow else CONSUMERS:
            name = f"hand-written ({backend})"
            peer_prefix = f"peer{uuid.uuid4().hex[:6]}_"
            seconds, peer = peer_seconds(stack, backend, topic, peer_prefix)
            rates[name] = count / seconds
            equal[name] = results(es, peer_prefix) == reference and peer.late == 0
            late[name] = peer.late
        others = (("Quix Streams", "quix"), ("Spark Structured Streaming", "spark"))
        for name, peer in () if args.only_tweetflow else others:
            peer_prefix = f"{peer}{uuid.uuid4().hex[:6]}_"
            if peer == "quix":
                ran = quix(stack, topic, peer_prefix, values, tmp / "quix.log", limit_s)
            else:  # one micro-batch reads the whole topic, end-of-input tweets included
                # the same heap as tweetflow's mini-cluster
                work = ("--jars", spark_jars(stack), "--work", str(tmp / "spark"),
                        "--driver-memory", stack.settings.flink_heap)  # fmt: skip
                log = tmp / "spark.log"
                started = IsolatedPeer(stack, peer, topic, peer_prefix, *work, log=log)
                ran = started.finish(started.began + limit_s) or Unfinished(limit_s, None)
            if isinstance(ran, Unfinished):
                unfinished[name] = ran
                print(f"{name}: not finished in {limit_s / 60:.0f} min (read: {ran.read})")
                continue
            seconds, figures = ran
            rates[name] = count / seconds
            got = results(es, peer_prefix)
            equal[name] = got == reference
            if "late" in figures:
                late[name] = figures["late"]
            if not equal[name]:
                differing[name] = _difference(got, reference)
                print(f"{name}: documents differing from tweetflow's: {differing[name]}")
    flink = rates["tweetflow (Flink SQL)"]
    print(f"\ncatch-up throughput, {count:,} tweets ({args.stream} stream, "
          f"{args.per_second:,.0f} per second of event time), one topic, one run")  # fmt: skip
    for name, rate in rates.items():
        same = "" if name not in equal else ("  results equal" if equal[name] else "  DIFFER")
        print(f"  {name:<32}{rate:>12,.0f} tweets/s   tweetflow {flink / rate:6.2f}x{same}")
    for name, stopped in unfinished.items():
        print(f"  {name:<32} not finished in {stopped.limit_s / 60:.0f} min")
    for name, run in whole.items():
        print(f"  tweetflow, {name:<30}{run['tweets_per_s']:>8,.0f} tweets/s   "
              f"x{run['tweets_per_s'] / flink:.3f} of the four queries, "
              f"{run['documents_per_tweet']:.2f} documents per tweet")  # fmt: skip
    figures = {
        "count": count, "stream": args.stream, "per_second": args.per_second,
        "tweets_per_s": rates, "whole_job": whole, "results_equal": equal,
        "documents_differing": differing, "late_tweets": late,
        "unfinished": {name: stopped._asdict() for name, stopped in unfinished.items()},
        "heap": heap,
    }  # fmt: skip
    name = run_name(args, count)
    path = write(name, figures)
    if not args.smoke and not args.only_tweetflow:
        PLOTS.mkdir(exist_ok=True)
        plot(rates, count, PLOTS / f"{name}.png")
    if not args.smoke:
        print(f"report: {report.write()}")
    print(f"results: {path}")
    return figures


def whole_job_run(
    stack: LocalStack, topic: str, queries: tuple[str, ...], tmp: Path, count: int
) -> dict[str, float]:
    """One bounded run of `queries` over the topic (enrichment off): tweets/s, start-up
    included, and the documents it wrote."""
    prefix = f"job{uuid.uuid4().hex[:6]}_"
    seconds = timed_run(stack, topic, queries, tmp, prefix=prefix)
    es = Elasticsearch(stack.settings.es_url, timeout=120)
    es.indices.refresh(index=f"{prefix}*")
    written = sum(
        int(row["docs.count"]) for row in es.cat.indices(index=f"{prefix}*", format="json")
    )
    return {"tweets_per_s": count / seconds, "documents": written,
            "documents_per_tweet": written / count}  # fmt: skip


def run_name(args: argparse.Namespace, count: int) -> str:
    """Each catch-up keeps its own results: the 1,000,000 run of every contender (peers), other
    sizes (peers_<count>), and tweetflow's rows alone per stream and density
    (peers_job_<stream>_<per second>)."""
    if args.smoke:
        return "peers_smoke"
    if args.only_tweetflow:
        return f"peers_job_{args.stream}_{args.per_second:.0f}"
    return "peers" if count == 1_000_000 else f"peers_{count}"


def plot(rates: dict[str, float], count: int, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 3.2))
    names = list(rates)[::-1]
    ax.barh(names, [rates[n] for n in names], color="#4c72b0")
    ax.set_xscale("log")
    ax.set_xlabel("tweets per second (log scale)")
    ax.set_title(f"Reading {count:,} tweets from Kafka: catch-up throughput")
    fig.tight_layout()
    fig.savefig(path, dpi=110)


if __name__ == "__main__":
    main()
