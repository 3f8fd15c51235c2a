"""Catch-up throughput of tweetflow against the tools people would use instead, on the same
topic, the same queries and the same Elasticsearch, one after the other in one run:

    python -m bench.peers                    # 1,000,000 tweets
    python -m bench.peers --count 5000000    # the issue's catch-up size (about an hour)
    python -m bench.peers --smoke            # 5,000 tweets, for CI

Contenders, each reading the whole topic from its first offset and writing its results:
  - kafka-consumer-perf-test: Kafka's own reader, no decoding (the ceiling of reading);
  - JSON decoding alone (orjson over the same records in memory);
  - tweetflow: the Flink SQL job with the peers' queries (tweet rates, rolling count, top
    authors, top hashtags), bounded, on the embedded mini-cluster; JVM start-up included;
  - hand-written consumers (bench/handwritten_peer.py), with kafka-python and confluent-kafka.
Every peer's Elasticsearch output is compared with tweetflow's, document for document: a
faster peer computing something else would prove nothing. Not measured yet (issue 8): Quix
Streams, Spark Structured Streaming, sustained rates and freshness, cost growth.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import time
import uuid
from pathlib import Path
from typing import Any

import orjson
from elasticsearch import Elasticsearch
from elasticsearch.helpers import scan

from bench import report
from bench.common import TWITTER_AVERAGE_RATE, preloaded_stack, write
from bench.handwritten_peer import CONSUMERS, Peer, Windows
from bench.query_cost import timed_run
from bench.report import PLOTS
from flink_jobs import es_templates
from tweetflow.stack import artifacts
from tweetflow.stack.stack import LocalStack
from tweetflow.topic_reader import read_all

QUERIES = ("tweet_rate", "tweet_rolling", "author_counts", "top_hashtags")
INDEXES = ("tweet_rate", "tweet_rolling", "author_counts", "top_hashtags")
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
    parser.add_argument("--smoke", action="store_true")
    args = parser.parse_args(argv)
    count = 5_000 if args.smoke else args.count
    rates: dict[str, float] = {}
    equal: dict[str, bool] = {}
    with preloaded_stack("peers", count, per_second=TWITTER_AVERAGE_RATE) as (stack, topic, tmp):
        es = Elasticsearch(stack.settings.es_url, timeout=120)
        rates["kafka-consumer-perf-test"] = perf_test_rate(stack, topic, count)
        values = [v for _, v in read_all(stack.settings.kafka_bootstrap, topic)]
        rates["JSON decoding alone (orjson)"] = decode_rate(values)
        prefix = f"flink{uuid.uuid4().hex[:6]}_"
        seconds = timed_run(stack, topic, QUERIES, tmp, prefix=prefix)
        rates["tweetflow (Flink SQL)"] = count / seconds
        reference = results(es, prefix)
        for backend in CONSUMERS:
            name = f"hand-written ({backend})"
            peer_prefix = f"peer{uuid.uuid4().hex[:6]}_"
            seconds, peer = peer_seconds(stack, backend, topic, peer_prefix)
            rates[name] = count / seconds
            equal[name] = results(es, peer_prefix) == reference and peer.late == 0
    flink = rates["tweetflow (Flink SQL)"]
    print(f"\ncatch-up throughput, {count:,} tweets, same topic, same queries, one run")
    for name, rate in rates.items():
        same = "" if name not in equal else ("  results equal" if equal[name] else "  DIFFER")
        print(f"  {name:<32}{rate:>12,.0f} tweets/s   tweetflow {flink / rate:6.2f}x{same}")
    figures = {"count": count, "tweets_per_s": rates, "results_equal": equal}
    path = write("peers_smoke" if args.smoke else "peers", figures)
    if not args.smoke:
        PLOTS.mkdir(exist_ok=True)
        plot(rates, count, PLOTS / "peers.png")
        print(f"report: {report.write()}")
    print(f"results: {path}")
    return figures


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
