"""`tweetflow status`: the pipeline's health on one screen, for people without Grafana. Read
straight from the /metrics endpoints Prometheus scrapes (the job's Flink reporter, the local
cluster's processes, the producer), twice, so rates are measured, not guessed."""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from prometheus_client.parser import text_string_to_metric_families

OPERATOR = "flink_taskmanager_job_task_operator_"
TALLY = OPERATOR + "tweetflow_"
JOB = "flink_jobmanager_job_"


@dataclass
class Reading:
    """Every sample of the endpoints that answered, summed per name (and per label value for
    the few shown broken down), at one moment."""

    at: float
    endpoints: list[str] = field(default_factory=list)
    totals: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    maxima: dict[str, float] = field(default_factory=dict)
    by_label: dict[str, dict[str, float]] = field(default_factory=lambda: defaultdict(dict))
    jobs: set[str] = field(default_factory=set)

    def total(self, name: str) -> float:
        return self.totals.get(name, 0.0)


BROKEN_DOWN = {TALLY + "reason_deadLettered": "reason"}
# Gauges whose largest value across tasks is the one that matters.
HEAP = "flink_taskmanager_Status_JVM_Memory_Heap_"
LARGEST = (
    OPERATOR + "watermarkLag",
    JOB + "lastCheckpointDuration",
    JOB + "uptime",
    HEAP + "Used",
    HEAP + "Max",
)


def read(urls: Iterable[str], timeout_s: float = 2.0) -> Reading:
    reading = Reading(at=time.time())
    for url in urls:
        try:
            with urllib.request.urlopen(url, timeout=timeout_s) as answer:
                text = answer.read().decode("utf-8", "replace")
        except (urllib.error.URLError, OSError, ValueError):
            continue
        reading.endpoints.append(url)
        ingest(reading, text)
    return reading


def ingest(reading: Reading, text: str) -> None:
    """One endpoint's answer (Prometheus' text format) into the reading."""
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            _add(reading, sample.name, sample.labels, float(sample.value))


def _add(reading: Reading, name: str, labels: dict[str, str], number: float) -> None:
    if number != number:  # NaN: a gauge with nothing to say yet
        return
    if "job_name" in labels and name.startswith(JOB):
        reading.jobs.add(labels["job_name"])
    if name in LARGEST:
        reading.maxima[name] = max(reading.maxima.get(name, number), number)
        return
    reading.totals[name] += number
    label = BROKEN_DOWN.get(name)
    if label and label in labels:
        values = reading.by_label[name]
        values[labels[label]] = values.get(labels[label], 0.0) + number


def _rate(before: Reading, after: Reading, name: str) -> float:
    seconds = max(after.at - before.at, 1e-9)
    return max(after.total(name) - before.total(name), 0.0) / seconds


def _ms(value: float) -> str:
    return f"{value / 1000:,.1f} s" if value >= 1000 else f"{value:,.0f} ms"


def render(before: Reading, after: Reading) -> tuple[str, bool]:
    """The screen, and whether a job is running."""
    a = after
    if not a.endpoints:
        return (
            "no metrics endpoint answered: no job runs here with metrics on "
            "(TWEETFLOW_METRICS_PORTS), and no producer (TWEETFLOW_PRODUCER_METRICS_PORT)",
            False,
        )
    lines = []
    running = bool(a.jobs) and a.maxima.get(JOB + "uptime", 0) > 0
    if a.jobs:
        state = "RESTARTING" if a.total(JOB + "restartingTime") > 0 else "RUNNING"
        uptime = a.maxima.get(JOB + "uptime", 0) / 1000
        lines.append(
            f"job        {', '.join(sorted(a.jobs))}  {state}  up {uptime:,.0f} s  "
            f"restarts {a.total(JOB + 'numRestarts'):,.0f}"
        )
        read_rate = _rate(before, a, TALLY + "recordsRead")
        received, unique = a.total(TALLY + "tweetsReceived"), a.total(TALLY + "tweetsUnique")
        dead = a.by_label.get(TALLY + "reason_deadLettered", {})
        lines.append(
            f"tweets     read {a.total(TALLY + 'recordsRead'):,.0f} ({read_rate:,.0f}/s)  "
            f"unique {unique:,.0f}  duplicates {max(received - unique, 0):,.0f}  "
            f"late {a.total(TALLY + 'tweetsLate'):,.0f}"
        )
        reasons = ", ".join(f"{r} {n:,.0f}" for r, n in sorted(dead.items(), key=lambda x: -x[1]))
        lines.append(
            f"dead       {sum(dead.values()):,.0f} dead-lettered"
            + (f" ({reasons})" if dead else "")
        )
        lag = a.maxima.get(OPERATOR + "watermarkLag")
        lines.append(
            f"lag        consumer {a.total(OPERATOR + 'pendingRecords'):,.0f} records unread  "
            f"event time {'-' if lag is None else _ms(lag)} behind the clock"
        )
        written = a.total(TALLY + "result_documentsWritten")
        lines.append(
            f"results    {written:,.0f} documents written "
            f"({_rate(before, a, TALLY + 'result_documentsWritten'):,.0f}/s), "
            f"{a.total(TALLY + 'result_documentsRejected'):,.0f} rejected"
        )
        completed = a.total(JOB + "lastCheckpointCompletedTimestamp")
        ago = f"{a.at - completed / 1000:,.0f} s ago" if completed > 0 else "none yet"
        lines.append(
            f"checkpoint last {ago}, took {_ms(a.maxima.get(JOB + 'lastCheckpointDuration', 0))}"
            f"; {a.total(JOB + 'numberOfFailedCheckpoints'):,.0f} failed"
        )
        if HEAP + "Max" in a.maxima:
            lines.append(
                f"heap       {a.maxima.get(HEAP + 'Used', 0) / 2**20:,.0f} of "
                f"{a.maxima[HEAP + 'Max'] / 2**20:,.0f} MiB in use (garbage included)"
            )
    else:
        lines.append("job        none running with metrics on")
    producer = "tweetflow_producer_tweets_sent_total"
    if producer in a.totals:
        lag_s = a.totals.get("tweetflow_producer_source_lag_seconds")
        lines.append(
            f"producer   sent {a.total(producer):,.0f} ({_rate(before, a, producer):,.0f}/s)  "
            f"errors {a.total('tweetflow_producer_send_errors_total'):,.0f}  "
            f"dead-lettered {a.total('tweetflow_producer_dead_lettered_total'):,.0f}"
            + (
                f"  reconnects {a.total('tweetflow_producer_reconnects_total'):,.0f}  "
                f"{lag_s:,.1f} s behind the source"
                if lag_s is not None
                else ""
            )
        )
    else:
        lines.append("producer   none running with metrics on")
    return "\n".join(lines), running
