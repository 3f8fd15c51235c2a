"""The pipeline's health through a real Prometheus (Debian's build, started as the local stack
starts it): a real producer and a real job on the mini-cluster are scraped, and what Prometheus
holds reconciles with what was sent; every query of the Pipeline dashboard and every recording
rule answers over the run."""

from __future__ import annotations

import collections
import json
import re
import subprocess
import sys
import time
import uuid
from dataclasses import replace
from pathlib import Path

import orjson
import pytest
import yaml
from elasticsearch import Elasticsearch
from kafka import KafkaConsumer, KafkaProducer

from tests.support import pipeline_results
from tests.support.job_process import JobProcess, wait_for
from tweetflow.stack import process
from tweetflow.stack.ports import free_range
from tweetflow.stack.prometheus import Prometheus, query, value
from tweetflow.stack.stack import LocalStack

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
TWEETS = 1500
OPERATOR = "flink_taskmanager_job_task_operator_tweetflow_"


def test_prometheus_scrapes_the_producer_and_the_job_and_the_counts_reconcile(
    stack: LocalStack, tmp_path: Path
) -> None:
    # Ports of this test's job alone: the session's standalone cluster (JobManager and
    # TaskManagers, a job perhaps) serves its metrics on the stack's range.
    own = free_range(2)
    metrics_ports = f"{own[0]}-{own[-1]}"
    settings = replace(stack.settings, metrics_ports=metrics_ports)
    topic, prefix = f"tweets-{uuid.uuid4().hex[:8]}", f"m{uuid.uuid4().hex[:6]}_"
    prometheus = Prometheus(settings, scrape_interval="1s")
    began = time.time()
    prometheus.start(stack.java(), settings.cache_dir)
    job = None
    try:
        endpoint = prometheus.endpoint
        # The producer as users run it, paced so that Prometheus sees it at work.
        env = {**process.child_environment(), **settings.as_env(), "TWEETFLOW_TOPIC": topic}
        produced = subprocess.run(
            [sys.executable, "-m", "tweetflow.cli", "produce", "--count", str(TWEETS),
             "--seed", "5", "--rate", "150"],
            env=env, capture_output=True, text=True, timeout=120, cwd=REPO,
        )  # fmt: skip
        assert produced.returncode == 0, produced.stderr
        # Scraped every second while it ran (it exits after its last tweet: the final count
        # may fall between two scrapes).
        sent = value(endpoint, "max_over_time(tweetflow_producer_tweets_sent_total[5m])")
        scrapes = value(endpoint, 'count_over_time(up{job="producer"}[5m])')
        assert sent is not None and 0 < sent <= TWEETS, (sent, scrapes)

        # Repeats and unusable records, as a re-sending or broken producer would write them.
        first = _first_records(settings.kafka_bootstrap, topic, pipeline_results.DUPLICATES)
        raw = KafkaProducer(bootstrap_servers=settings.kafka_bootstrap)
        for record in first:
            raw.send(topic, value=record)
        for record, _ in pipeline_results.BAD_RECORDS:
            raw.send(topic, value=record)
        raw.flush()
        raw.close()
        read = TWEETS + len(first) + len(pipeline_results.BAD_RECORDS)

        config = replace(
            pipeline_results.job_config(stack, topic, prefix, tmp_path),
            bounded=False,
            checkpoint_interval="2 s",
            metrics_ports=metrics_ports,
        )
        assert config.reports_metrics
        job = JobProcess(config, tmp_path, "job")
        live = f'sum({OPERATOR}result_documentsWritten{{result="live_tweets_es"}})'
        wait_for(
            lambda: (
                value(endpoint, f"sum({OPERATOR}recordsRead)") == read
                and value(endpoint, live) == TWEETS
            ),
            180,
            f"{read} records read and {TWEETS} live tweets written, seen by Prometheus",
            job,
        )
        # One tweet more, dated before everything the job has seen: late, yet a unique tweet.
        late = orjson.loads(first[0]) | {"id_str": "late-1"}
        raw = KafkaProducer(bootstrap_servers=settings.kafka_bootstrap)
        raw.send(topic, value=orjson.dumps(late))
        raw.close()
        read += 1
        wait_for(
            lambda: (
                value(endpoint, f"sum({OPERATOR}tweetsLate)") == 1
                and value(endpoint, f"sum({OPERATOR}recordsRead)") == read
                and value(endpoint, live) == TWEETS + 1
            ),
            60,
            "the late tweet counted, and written to live_tweets",
            job,
        )
        # tweets in = parsed + dead-lettered + duplicates, each as the job counted it.
        unique = value(endpoint, f"sum({OPERATOR}tweetsUnique)")
        received = value(endpoint, f"sum({OPERATOR}tweetsReceived)")
        dead = {
            r["metric"]["reason"]: float(r["value"][1])
            for r in query(endpoint, f"sum by (reason) ({OPERATOR}reason_deadLettered)")
        }
        assert unique == TWEETS + 1
        assert received is not None and received - unique == len(first)
        # Flink's reporter writes label values with [a-zA-Z0-9:_] only.
        reasons = collections.Counter(
            re.sub(r"[^a-zA-Z0-9:_]", "_", reason) for _, reason in pipeline_results.BAD_RECORDS
        )
        assert dead == {reason: float(n) for reason, n in reasons.items()}
        assert unique + (received - unique) + sum(dead.values()) == read
        es = Elasticsearch(settings.es_url)
        es.indices.refresh(index=f"{prefix}live_tweets-*")
        assert es.count(index=f"{prefix}live_tweets-*")["count"] == TWEETS + 1

        # A checkpoint done, so the checkpoint panels have numbers.
        checkpoints = "max(flink_jobmanager_job_numberOfCompletedCheckpoints)"
        wait_for(
            lambda: (value(endpoint, checkpoints) or 0) >= 1,
            60,
            "a completed checkpoint",
            job,
        )
        time.sleep(3)  # the rules' next evaluation
        _every_dashboard_query_and_rule_answers(endpoint, began)
        # Nothing reads what is not there: a name the job does not export gives no data.
        assert not query(endpoint, f"{OPERATOR}noSuchCounter")

        # The same figures on one screen, without Prometheus.
        shown = subprocess.run(
            [sys.executable, "-m", "tweetflow.cli", "status", "--interval", "1"],
            env=env, capture_output=True, text=True, timeout=60, cwd=REPO,
        )  # fmt: skip
        assert shown.returncode == 0, shown.stdout + shown.stderr
        screen = shown.stdout
        assert "tweetflow_analytics  RUNNING" in screen, screen
        assert f"read {read:,} " in screen, screen
        assert f"unique {TWEETS + 1:,}  duplicates {len(first)}  late 1" in screen, screen
        assert f"{len(pipeline_results.BAD_RECORDS)} dead-lettered (not_a_JSON_object 6" in screen
        assert "producer   none running" in screen, screen
        assert re.search(r"heap +[\d,]+ of [\d,]+ MiB in use", screen), screen
    finally:
        if job is not None:
            job.kill()
        prometheus.stop()


def _first_records(bootstrap: str, topic: str, count: int) -> list[bytes]:
    consumer = KafkaConsumer(
        topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest",
        consumer_timeout_ms=10_000,
    )  # fmt: skip
    records = []
    for message in consumer:
        records.append(message.value)
        if len(records) == count:
            break
    consumer.close()
    assert len(records) == count
    return records


def _every_dashboard_query_and_rule_answers(endpoint: str, began: float) -> None:
    """Each query over the run, as Grafana asks for a panel: some series with some value."""
    board = json.loads((REPO / "deploy/grafana/dashboards/pipeline.json").read_text())
    rules = yaml.safe_load((REPO / "deploy/prometheus/rules.yml").read_text())
    recorded = [r["record"] for g in rules["groups"] for r in g["rules"] if "record" in r]
    expressions = [t["expr"] for p in board["panels"] for t in p["targets"]] + recorded
    empty = []
    for expr in expressions:
        series = query(endpoint, expr, start=began, end=time.time(), step=1)
        if not any(s["values"] for s in series):
            empty.append(expr)
    assert not empty, f"no data over the run for: {empty}"
