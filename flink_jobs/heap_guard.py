"""Says so when the embedded mini-cluster's heap is nearly full: a job whose state outgrows its
heap first slows down in back-to-back collections, then fails with OutOfMemoryError and
restarts from its last checkpoint into the same state, over and over, with nothing on the
screen. The guard reads the JVM's old generation after each collection (what stays in use:
state, not garbage) and names the settings that change it."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from flink_jobs.config import JobConfig

FULL = 0.9  # of the old generation, still in use after a collection
EVERY_S = 10.0
QUIET_S = 120.0  # between two warnings


def warning(used_after_gc: int, capacity: int, config: JobConfig) -> str | None:
    """The warning for the old generation's use after a collection, None while it is fine."""
    if capacity <= 0 or used_after_gc < FULL * capacity:
        return None
    capacity_note = (
        f"--hashtag-capacity {config.hashtag_capacity // 2}"
        if config.hashtag_capacity
        else "--hashtag-capacity 10000 (it is 0: unbounded)"
    )
    return (
        f"tweetflow: the job's heap is {used_after_gc / capacity:.0%} full after garbage "
        f"collection ({used_after_gc / 2**20:,.0f} of {capacity / 2**20:,.0f} MiB kept in "
        f"its old generation; heap {config.heap}). It will slow down, then fail with "
        "OutOfMemoryError and restart from its last checkpoint. Raise TWEETFLOW_FLINK_HEAP "
        f"(e.g. {_doubled(config.heap)}), keep fewer hashtag counters ({capacity_note}), "
        "or remember tweet ids for less time (--dedup-horizon '2 min'); "
        "docs/queries.md says what each costs."
    )


def _doubled(heap: str) -> str:
    number = heap.rstrip("gGmMkK")
    unit = heap[len(number) :] or "m"
    return f"{int(number) * 2}{unit}" if number.isdigit() else "2g"


def old_generation() -> tuple[int, int]:
    """(bytes in use after the last collection, capacity) of the gateway JVM's old
    generation: the mini-cluster runs in it."""
    from pyflink.java_gateway import get_gateway

    management = get_gateway().jvm.java.lang.management.ManagementFactory
    for pool in management.getMemoryPoolMXBeans():
        name = str(pool.getName())
        if "Old Gen" in name or "Tenured" in name:
            after = pool.getCollectionUsage()
            capacity = pool.getUsage().getMax()
            return (int(after.getUsed()) if after is not None else 0, int(capacity))
    return 0, 0


@contextmanager
def watching(
    config: JobConfig,
    warn: Callable[[str], None],
    read: Callable[[], tuple[int, int]] = old_generation,
    every_s: float = EVERY_S,
) -> Iterator[None]:
    """Checks the heap every every_s seconds while the block runs (the job on the embedded
    mini-cluster); a cluster's TaskManagers are watched by the cluster."""
    if config.remote:
        yield
        return
    stop = threading.Event()

    def check() -> None:
        quiet_until = 0.0
        elapsed = 0.0
        while not stop.wait(every_s):
            elapsed += every_s
            try:
                text = warning(*read(), config)
            except Exception:  # the JVM is going away: nothing left to watch
                return
            if text and elapsed >= quiet_until:
                warn(text)
                quiet_until = elapsed + QUIET_S

    thread = threading.Thread(target=check, name="tweetflow-heap-guard", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=every_s + 5)
