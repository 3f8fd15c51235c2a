"""Freshness of the live job: how long after a window closes its result is searchable.

    python -m bench.freshness                 # 90 s at 500 tweets/s, the whole job
    python -m bench.freshness --smoke         # 20 s at 100 tweets/s

The producer sends synthetic tweets stamped with the current time; the job runs unbounded;
Elasticsearch is polled every 100 ms for new 2-second windows. A window [s, e) can fire no
earlier than e + the watermark delay (5 s), so both figures are printed: from the window end,
and from that earliest possible moment (what the bulk flush and indexing add).
"""

from __future__ import annotations

import argparse
import statistics
import threading
import time
import uuid
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

from elasticsearch import Elasticsearch

from bench.common import private_stack, write
from flink_jobs import runtime
from producer import pipeline
from producer.kafka_sink import open_sink
from producer.synthetic import SyntheticConfig, synthetic_records


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=90)
    parser.add_argument("--rate", type=float, default=500)
    parser.add_argument("--smoke", action="store_true")
    args = parser.parse_args(argv)
    seconds, rate = (20.0, 100.0) if args.smoke else (args.seconds, args.rate)
    first_seen: dict[str, float] = {}  # document id -> wall time it was first found
    window_end: dict[str, float] = {}  # document id -> the window's end, epoch seconds
    with private_stack("fresh") as (stack, state):
        settings = stack.settings
        topic, prefix = f"fresh-{uuid.uuid4().hex[:6]}", f"f{uuid.uuid4().hex[:6]}_"
        sink = open_sink("confluent-kafka", settings.kafka_bootstrap, topic)
        config = replace(
            stack.job_config(),
            kafka_topic=topic,
            kafka_group_id=topic,
            scan_startup_mode="latest-offset",
            es_index_prefix=prefix,
            checkpoint_dir=Path(state) / "checkpoints",
            log_dir=Path(state) / "logs",
        )
        result = runtime.start(config)
        time.sleep(15)  # let the job reach its Kafka source before tweets flow
        stop = threading.Event()
        records = synthetic_records(
            SyntheticConfig(
                seed=5,
                count=None,
                start_ms=int(time.time() * 1000),
                per_second=rate,
                out_of_order=0.0,
            )
        )
        producer = threading.Thread(
            target=pipeline.run, args=(records, sink), kwargs={"rate": rate, "stop": stop}
        )
        producer.start()
        es = Elasticsearch(settings.es_url)
        index = f"{prefix}tweet_rate"
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                hits = es.search(
                    index=index,
                    size=1000,
                    query={"term": {"window_seconds": 2}},
                    _source_includes="window_end",
                )["hits"]["hits"]
            except Exception:  # the index appears with the first window
                hits = []
            now = time.time()
            for hit in hits:
                if hit["_id"] not in first_seen:
                    first_seen[hit["_id"]] = now
                    end = hit["_source"]["window_end"].replace("Z", "+00:00")
                    window_end[hit["_id"]] = datetime.fromisoformat(end).timestamp()
            time.sleep(0.1)
        stop.set()
        producer.join()
        sink.close()
        client = result.get_job_client()
        if client is not None:
            client.cancel().result()
    # The first window starts before the first tweet; it fires like the others.
    lags = sorted(first_seen[doc] - window_end[doc] for doc in first_seen)
    results = {
        "rate": rate,
        "windows": len(lags),
        "end_to_visible_p50_s": statistics.median(lags) if lags else None,
        "end_to_visible_p99_s": percentile(lags, 0.99) if lags else None,
        "after_watermark_p50_s": statistics.median(lags) - 5 if lags else None,
        "after_watermark_p99_s": percentile(lags, 0.99) - 5 if lags else None,
    }
    print(f"\nfreshness at {rate:,.0f} tweets/s over {seconds:.0f} s, {len(lags)} windows of 2 s:")
    for key, value in results.items():
        if key.endswith("_s") and value is not None:
            print(f"  {key:<24} {value:6.2f} s")
    print(f"results: {write('freshness_smoke' if args.smoke else 'freshness', results)}")
    return results


if __name__ == "__main__":
    main()
