"""Producer throughput: tweetflow's producer (both Kafka backends) against Kafka's own
kafka-producer-perf-test on the same broker, with the same records, in the same run.

    python -m bench.producer_bench            # 300,000 tweets per contender
    python -m bench.producer_bench --smoke    # a few thousand, for CI

Every contender sends with acks=all, idempotence, lz4, linger 10 ms and 256 KiB batches.
The perf test replays the very same tweet JSON lines (--payload-file), so record sizes and
compressibility match. Figures vary between runs on a shared machine; the ratios in one run
are what count.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import orjson

from bench.common import kafka_broker, write
from producer import pipeline
from producer.kafka_sink import open_sink
from producer.pipeline import RawRecord
from producer.synthetic import SyntheticConfig, synthetic_records
from tweetflow.core import artifacts
from tweetflow.stack.stack import LocalStack

PERF_PROPS = {
    "acks": "all",
    "enable.idempotence": "true",
    "compression.type": "lz4",
    "linger.ms": "10",
    "batch.size": str(256 * 1024),
}
PERF_LINE = re.compile(r"([\d.]+) records/sec \(([\d.]+) MB/sec\)")


def generator_rate(count: int) -> tuple[list[RawRecord], dict[str, float]]:
    began = time.perf_counter()
    records = list(synthetic_records(SyntheticConfig(seed=1, count=count)))
    generated = time.perf_counter() - began
    began = time.perf_counter()
    size = sum(len(orjson.dumps(r.value)) for r in records)
    encoded = time.perf_counter() - began
    return records, {
        "generate_tweets_per_s": count / generated,
        "encode_tweets_per_s": count / encoded,
        "mean_record_bytes": size / count,
    }


def producer_rate(backend: str, bootstrap: str, records: list[RawRecord]) -> dict[str, float]:
    topic = f"bench-{backend}-{uuid.uuid4().hex[:6]}"
    sink = open_sink(backend, bootstrap, topic, partitions=2)
    began = time.perf_counter()
    counters = pipeline.run(records, sink)
    sink.close()
    seconds = time.perf_counter() - began
    if sink.stats.acked != counters.sent:
        raise RuntimeError(f"{backend}: {counters.sent} sent but {sink.stats.acked} acked")
    return {
        "tweets_per_s": counters.sent / seconds,
        "mb_per_s": sink.stats.bytes / seconds / 1e6,
        "seconds": seconds,
    }


def perf_test_rate(stack: LocalStack, bootstrap: str, records: list[RawRecord]) -> dict[str, float]:
    java = stack.java()
    tools = artifacts.ensure("kafka-tools", stack.settings.cache_dir, java.home)
    topic = f"bench-perf-{uuid.uuid4().hex[:6]}"
    with tempfile.TemporaryDirectory() as tmp:
        payloads = Path(tmp) / "tweets.jsonl"
        payloads.write_bytes(b"\n".join(orjson.dumps(r.value) for r in records))
        props = [f"bootstrap.servers={bootstrap}", *(f"{k}={v}" for k, v in PERF_PROPS.items())]
        command = [
            str(java.executable), "-Xmx512m", "-cp", f"{tools}/*",
            "org.apache.kafka.tools.ProducerPerformance", "--topic", topic,
            "--num-records", str(len(records)), "--throughput", "-1",
            "--payload-file", str(payloads), "--producer-props", *props,
        ]  # fmt: skip
        result = subprocess.run(
            command,
            capture_output=True,
            text=True,
            check=True,
        )
    match = PERF_LINE.findall(result.stdout)
    if not match:
        raise RuntimeError(f"no result line from the perf test:\n{result.stdout[-2000:]}")
    records_per_s, mb_per_s = match[-1]
    return {"tweets_per_s": float(records_per_s), "mb_per_s": float(mb_per_s)}


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=300_000)
    parser.add_argument("--smoke", action="store_true", help="a few thousand tweets, for CI")
    parser.add_argument("--bootstrap", help="an existing broker; default: start a private one")
    args = parser.parse_args(argv)
    count = 3_000 if args.smoke else args.count

    records, source = generator_rate(count)
    with kafka_broker(args.bootstrap) as (bootstrap, stack):
        contenders = {
            "kafka-producer-perf-test": perf_test_rate(stack, bootstrap, records),
            "tweetflow (kafka-python)": producer_rate("kafka-python", bootstrap, records),
            "tweetflow (confluent-kafka)": producer_rate("confluent-kafka", bootstrap, records),
        }
    baseline = contenders["kafka-producer-perf-test"]["tweets_per_s"]
    print(f"\nproducer throughput, {count:,} tweets of {source['mean_record_bytes']:.0f} B mean")
    print(f"  generator alone            {source['generate_tweets_per_s']:>12,.0f} tweets/s")
    print(f"  JSON encoding alone        {source['encode_tweets_per_s']:>12,.0f} tweets/s")
    for name, figures in contenders.items():
        ratio = figures["tweets_per_s"] / baseline
        print(
            f"  {name:<27}{figures['tweets_per_s']:>12,.0f} tweets/s "
            f"{figures['mb_per_s']:>7.1f} MB/s   {ratio:5.2f}x perf-test"
        )
    path = write(
        "producer_smoke" if args.smoke else "producer",
        {"count": count, "source": source, "contenders": contenders},
    )
    print(f"results: {path}")
    return {"count": count, "source": source, "contenders": contenders}


if __name__ == "__main__":
    main()
