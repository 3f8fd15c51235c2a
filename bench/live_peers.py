"""Freshness on a live stream, tweetflow beside its peers: how soon each one's results are
searchable when tweets arrive at a fixed rate.

    python -m bench.live_peers                      # 1,000 and 5,700 tweets/s, 60 s each
    python -m bench.live_peers --rates 5700 --seconds 300
    python -m bench.live_peers --smoke              # 300 tweets/s for 8 s, side by side, for CI

Each contender in turn gets a topic of its own and reads it from its newest offset, computing
the catch-up benchmark's queries (bench/peers.py) with the same 1 s watermark (Quix: grace),
writing every 0.2 s (tweetflow's sink flush, the hand-written consumers' bulk writes and
offset commits, Quix's commits) to indexes refreshed every 200 ms; Spark runs each micro-batch
as soon as the last one ends.
bench/sustained.py's producer then sends a warm-up period and each rate, and its watcher times
every 2-second tweet_rate window from its end to found by a search. Lag: the end offsets minus
the contender's committed offsets. A rate is held when every window of the period became
visible and the lag did not grow over its second half; Spark commits no offsets (they are in
its checkpoint), so for Spark the windows' delay must not grow instead.
"""

from __future__ import annotations

import argparse
import multiprocessing
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, NamedTuple

from elasticsearch import Elasticsearch

from bench import report
from bench.common import PEER_QUERIES, private_stack, write
from bench.handwritten_peer import CONSUMERS, consume_live
from bench.peers import IsolatedPeer, spark_jars
from bench.report import PLOTS
from bench.sustained import (
    SETTLE_S,
    WARMUP_LIMIT_S,
    Lag,
    Offsets,
    Watcher,
    run_rates,
    start_live_job,
)
from flink_jobs import es_templates
from tweetflow.stack.stack import LocalStack

WATERMARK_S = 1
FLUSH_S = 0.2  # results written this often
REFRESH = "200ms"  # and made searchable this often (every contender's indexes)

# Started on (stack, topic, index prefix, state directory): what measures its lag, and what
# stops it.
Started = tuple[Offsets, Callable[[], None]]
Contender = Callable[[LocalStack, str, str, Path], Started]


def tweetflow(stack: LocalStack, topic: str, prefix: str, state: Path) -> Started:
    return start_live_job(
        stack, topic, prefix, state, queries=PEER_QUERIES, watermark_delay_s=WATERMARK_S,
        es_flush_interval=f"{FLUSH_S * 1000:.0f}ms", es_refresh_interval=REFRESH,
    )  # fmt: skip


def handwritten(backend: str) -> Contender:
    def start(stack: LocalStack, topic: str, prefix: str, state: Path) -> Started:
        es_templates.install(stack.settings.es_url, prefix, refresh_interval=REFRESH)
        group = f"handwritten-{prefix}"
        context = multiprocessing.get_context("spawn")
        stop = context.Event()
        worker = context.Process(
            target=consume_live,
            args=(backend, stack.settings.kafka_bootstrap, topic, group, stack.settings.es_url,
                  prefix, WATERMARK_S * 1000, FLUSH_S, stop),
        )  # fmt: skip
        worker.start()

        def finish() -> None:
            stop.set()
            worker.join(30)
            if worker.is_alive():
                worker.kill()

        return Lag(stack.settings.kafka_bootstrap, topic, group), finish

    return start


def quix(stack: LocalStack, topic: str, prefix: str, state: Path) -> Started:
    group = f"quix-{prefix}"
    peer = IsolatedPeer(
        stack, "quix", topic, prefix, "--group", group, "--grace-ms", str(WATERMARK_S * 1000),
        "--live", "--commit-interval", str(FLUSH_S), log=state / f"quix-{prefix}.log",
        refresh_interval=REFRESH,
    )  # fmt: skip
    return Lag(stack.settings.kafka_bootstrap, topic, group), peer.stop


def spark(stack: LocalStack, topic: str, prefix: str, state: Path) -> Started:
    peer = IsolatedPeer(
        stack, "spark", topic, prefix, "--jars", spark_jars(stack),
        "--work", str(state / f"spark-{prefix}"), "--watermark-s", str(WATERMARK_S), "--live",
        log=state / f"spark-{prefix}.log", refresh_interval=REFRESH,
    )  # fmt: skip
    return Offsets(stack.settings.kafka_bootstrap, topic), peer.stop


class Started(NamedTuple):
    """A contender reading a topic of its own into indexes of its own."""

    topic: str
    prefix: str
    offsets: Offsets
    stop: Callable[[], None]

    def close(self) -> None:
        self.offsets.close()
        self.stop()


CONTENDERS: dict[str, Contender] = {
    "tweetflow (Flink SQL)": tweetflow,
    **{f"hand-written ({backend})": handwritten(backend) for backend in CONSUMERS},
    "Quix Streams": quix,
    "Spark Structured Streaming": spark,
}


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--rates", default="1000,5700")
    parser.add_argument(
        "--warmup", type=float, default=30, help="seconds at the first rate before measuring"
    )
    parser.add_argument(
        "--contenders",
        default=",".join(CONTENDERS),
        help="comma-separated, of: " + ", ".join(CONTENDERS),
    )
    parser.add_argument("--smoke", action="store_true")
    args = parser.parse_args(argv)
    # Smoke: a rate the slowest contender (Quix Streams) keeps up with on a busy CI machine.
    rates = [300.0] if args.smoke else [float(r) for r in args.rates.split(",")]
    seconds, warmup = (8.0, 5.0) if args.smoke else (args.seconds, args.warmup)
    # How long a contender gets to start and reach its topic before tweets flow. The warm-up
    # goes on until its first window is visible anyway: the smoke run leaves it the starting.
    start_s = 0.0 if args.smoke else 15.0
    # Side by side with the others on a busy machine, Spark's first window can take minutes,
    # and its windows can show later than SETTLE_S after their period: the smoke run waits
    # longer rather than measure nothing.
    warmup_limit_s, settle_limit_s = (420.0, 90.0) if args.smoke else (WARMUP_LIMIT_S, SETTLE_S)
    names = [n.strip() for n in args.contenders.split(",")]
    unknown = set(names) - set(CONTENDERS)
    if unknown:
        parser.error(f"unknown contenders {sorted(unknown)}; choose from {list(CONTENDERS)}")
    with private_stack("live-peers") as (stack, state):
        from producer.kafka_sink import TweetSink

        es = Elasticsearch(stack.settings.es_url)

        def start(name: str) -> Started:
            topic, prefix = f"live-{uuid.uuid4().hex[:6]}", f"l{uuid.uuid4().hex[:6]}_"
            TweetSink(stack.settings.kafka_bootstrap, topic, partitions=2).close()
            print(f"{name}: starting", flush=True)
            return Started(topic, prefix, *CONTENDERS[name](stack, topic, prefix, state))

        def measure(name: str, started: Started) -> list[dict[str, Any]]:
            topic, prefix, offsets, _ = started
            watcher = Watcher(es, prefix)
            try:
                time.sleep(start_s)  # it starts and reaches its topic; the warm-up does the rest
                watcher.start()
                return run_rates(
                    stack.settings.kafka_bootstrap, topic, offsets, watcher, rates,
                    seconds, warmup, warmup_limit_s, settle_limit_s,
                )  # fmt: skip
            finally:
                if not watcher.windows:  # what the contender said, before its state goes
                    for log in sorted(state.glob(f"*{prefix}*.log")):
                        tail = log.read_text(errors="replace").splitlines()[-40:]
                        print(f"{name}: no window; the end of {log.name}:", *tail, sep="\n")
                watcher.stop.set()
                started.close()

        if args.smoke:
            # The smoke run checks that every contender runs live, not how fast: side by side,
            # each in its own topic, it costs the slowest start-up instead of the sum of them.
            # They are started here, one after the other: PyFlink plans the job in the JVM
            # thread py4j lends the calling Python thread, and Flink's planner keeps its
            # metadata provider per thread (FLINK-23020), so a job submitted while other
            # threads talked to the JVM failed ("NullPointerException: metadataHandlerProvider").
            started: dict[str, Started] = {}
            try:
                for name in names:
                    started[name] = start(name)
            except BaseException:
                for contender in started.values():
                    contender.close()
                raise
            with ThreadPoolExecutor(len(names)) as pool:
                rows = pool.map(measure, names, [started[name] for name in names])
                contenders = dict(zip(names, rows, strict=True))
        else:
            contenders = {name: measure(name, start(name)) for name in names}
    results = {
        "seconds": seconds, "warmup_s": warmup, "watermark_s": WATERMARK_S,
        "flush_interval_s": FLUSH_S, "refresh_interval": REFRESH, "contenders": contenders,
    }  # fmt: skip
    path = write("live_peers_smoke" if args.smoke else "live_peers", results)
    if not args.smoke:
        plot(contenders, PLOTS / "live_peers.png")
        print(f"report: {report.write()}")
    print(f"results: {path}")
    return results


def plot(contenders: dict[str, list[dict[str, Any]]], path: Path) -> None:
    """The distribution of window end -> visible, one panel per rate, a line per contender."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rates = sorted({r["offered"] for rows in contenders.values() for r in rows})
    fig, axes = plt.subplots(1, len(rates), figsize=(5 * len(rates), 3.6), squeeze=False)
    for ax, rate in zip(axes[0], rates, strict=True):
        for name, rows in contenders.items():
            delays = sorted(
                d for r in rows if r["offered"] == rate for _, d in r["window_latencies"]
            )
            if delays:
                share = [(n + 1) / len(delays) for n in range(len(delays))]
                ax.step(delays, share, where="post", label=name)
        ax.set(xscale="log", xlabel="window end → visible, seconds", ylabel="share of windows")
        ax.set_title(f"{rate:,.0f} tweets/s")
        ax.grid(alpha=0.3)
    axes[0][0].legend(fontsize=7)
    fig.tight_layout()
    PLOTS.mkdir(exist_ok=True)
    fig.savefig(path, dpi=110)


if __name__ == "__main__":
    main()
