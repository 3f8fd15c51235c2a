"""The whole job on the embedded mini-cluster vs the standalone cluster at parallelism 2 (a
JobManager and two TaskManagers), on the same preloaded topic, back to back, bounded runs from
the earliest offset until every window is in Elasticsearch.

    python -m bench.cluster_scaling             # 50,000 tweets
    python -m bench.cluster_scaling --smoke     # 2,000 tweets

Each figure includes start-up (planning, deployment): the time a user waits for the results.
"""

from __future__ import annotations

import argparse
import time
import uuid
from dataclasses import replace
from pathlib import Path
from typing import Any

from bench.common import private_stack, write
from flink_jobs import runtime
from flink_jobs.rest import FlinkRest
from producer.kafka_sink import open_sink
from producer.synthetic import SyntheticConfig, generate
from tweetflow.stack.flink_cluster import FlinkCluster
from tweetflow.stack.stack import LocalStack


def timed_run(stack: LocalStack, topic: str, tmp: Path, **where: Any) -> float:
    config = replace(
        stack.job_config(),
        kafka_topic=topic,
        kafka_group_id=f"scale-{uuid.uuid4().hex[:6]}",
        bounded=True,
        es_index_prefix=f"scale{uuid.uuid4().hex[:6]}_",
        log_dir=tmp / "logs",
        **where,
    )
    began = time.monotonic()
    result = runtime.start(config)
    if config.jobmanager:
        client = result.get_job_client()
        assert client is not None
        rest = FlinkRest(config.jobmanager)
        state = rest.wait_for_state(str(client.get_job_id()), {"FINISHED", "FAILED"}, 3600)
        if state != "FINISHED":
            raise RuntimeError(f"the cluster run ended {state}")
    else:
        result.wait()
    return time.monotonic() - began


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=50_000)
    parser.add_argument("--smoke", action="store_true")
    parser.add_argument("--mini-heap", default="2g", help="heap of the mini-cluster's JVM")
    args = parser.parse_args(argv)
    count = 2_000 if args.smoke else args.count
    with private_stack("scale") as (stack, state):
        cluster = FlinkCluster(stack.settings)
        try:
            cluster.up()
            topic = f"scale-{uuid.uuid4().hex[:6]}"
            sink = open_sink("confluent-kafka", stack.settings.kafka_bootstrap, topic)
            for tweet in generate(SyntheticConfig(seed=4, count=count, per_second=50.0)):
                sink.send(tweet)
            sink.close()
            tmp = Path(state)
            runs = {
                # 2 GiB: with 1 GiB the mini-cluster runs out of heap on 50,000 tweets (the
                # one-hour hashtag windows); the cluster has two TaskManagers of 1.6 GiB.
                "mini-cluster, parallelism 1": timed_run(
                    stack,
                    topic,
                    tmp,
                    checkpoint_dir=tmp / "checkpoints",
                    parallelism=1,
                    heap=args.mini_heap,
                ),
                "cluster, parallelism 2": timed_run(
                    stack,
                    topic,
                    tmp,
                    jobmanager=cluster.address,
                    parallelism=2,
                    checkpoint_dir=None,
                ),
            }
        finally:
            cluster.down()
    baseline = runs["mini-cluster, parallelism 1"]
    print(f"\nthe whole job, {count:,} tweets, bounded, start-up included")
    for name, seconds in runs.items():
        print(
            f"  {name:<28} {seconds:7.1f} s  {count / seconds:9,.0f} tweets/s  "
            f"x{baseline / seconds:.2f} vs the mini-cluster"
        )
    results = {
        "count": count,
        "seconds": runs,
        "tweets_per_s": {name: count / s for name, s in runs.items()},
    }
    print(f"results: {write('cluster_scaling', results)}")
    return results


if __name__ == "__main__":
    main()
