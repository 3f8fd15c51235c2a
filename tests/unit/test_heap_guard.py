"""The heap guard (flink_jobs/heap_guard.py): when it speaks, what it says, how often."""

from __future__ import annotations

import threading
from dataclasses import replace

from flink_jobs import heap_guard
from flink_jobs.config import JobConfig

MiB = 2**20
CONFIG = JobConfig(kafka_bootstrap="127.0.0.1:9092", es_hosts="http://127.0.0.1:9200")


def test_silent_until_the_old_generation_stays_nine_tenths_full() -> None:
    config = CONFIG
    assert heap_guard.warning(800 * MiB, 1000 * MiB, config) is None
    assert heap_guard.warning(0, 0, config) is None  # no old generation found
    text = heap_guard.warning(950 * MiB, 1000 * MiB, config)
    assert text is not None
    assert "95% full" in text and "heap 1g" in text
    # every setting that changes it, with a value to try
    assert "TWEETFLOW_FLINK_HEAP (e.g. 2g)" in text
    assert "--hashtag-capacity 5000" in text
    assert "--dedup-horizon '2 min'" in text


def test_an_unbounded_summary_is_named() -> None:
    text = heap_guard.warning(990, 1000, replace(CONFIG, hashtag_capacity=0, heap="1536m"))
    assert text is not None
    assert "(e.g. 3072m)" in text and "it is 0: unbounded" in text


def test_it_warns_at_most_every_two_minutes_and_stops_with_the_block() -> None:
    warned: list[str] = []
    reads = threading.Semaphore(0)

    def full() -> tuple[int, int]:
        reads.release()
        return 99, 100

    with heap_guard.watching(CONFIG, warned.append, full, every_s=0.01):
        for _ in range(50):  # 0.5 s of checks: one warning, the next one due at 120 s
            assert reads.acquire(timeout=5)
    assert len(warned) == 1
    assert not any(t.name == "tweetflow-heap-guard" for t in threading.enumerate())


def test_a_cluster_job_is_not_watched_from_here() -> None:
    def never() -> tuple[int, int]:
        raise AssertionError("read on a cluster job")

    with heap_guard.watching(replace(CONFIG, jobmanager="h:8081"), print, never, 0.01):
        threading.Event().wait(0.1)
