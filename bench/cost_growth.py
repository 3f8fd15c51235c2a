"""How the hashtag windows' cost grows (the top-hashtags query, whose summary also holds what
related_hashtags and influencers read): throughput and the mini-cluster's memory (its JVM is
the TaskManager) as the distinct hashtags in a window grow from 1,000 to 1,000,000, as the
window grows from 1 hour to 24 hours (sliding every minute), from parallelism 1 to 2, and with
the heap or the RocksDB state backend.

    python -m bench.cost_growth            # 500,000 tweets per cardinality, 200,000 over 25 h
    python -m bench.cost_growth --cardinalities 1000000 --window-hours 24
    python -m bench.cost_growth --smoke    # tiny, for CI

Every figure is one bounded run of the job (top_hashtags only) from the earliest offset in a
process of its own, JVM start-up included, heap 2 GiB, stopped after 5 minutes: seconds,
tweets per second, the JVM's peak resident memory and its peak live heap (in use after a
collection). The cardinality
topics give every tweet two hashtags drawn in turn from N names, so a window holds exactly
min(N, 2 x tweets) distinct ones, all about equally frequent (the worst case for top-N); the
window topic spreads the synthetic stream (Zipf hashtags) over 25 hours of event time, so
the 24-hour window fills.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bench import report
from bench.common import TWITTER_AVERAGE_RATE, load_topic, private_stack, write
from bench.measured import Measured, measure
from bench.query_cost import bounded_config
from bench.report import PLOTS
from bench.streams import retagged
from producer.synthetic import SyntheticConfig, generate
from tweetflow.stack.stack import LocalStack

MiB = 1 << 20
SPAN_S = 25 * 3600
LIMIT_S = 300  # a run still going after this is stopped and reported as not finished


def with_hashtags(count: int, distinct: int) -> Iterator[dict[str, Any]]:
    """The synthetic stream, each tweet's hashtags replaced by the next two of `distinct`."""
    config = SyntheticConfig(seed=11, count=count, per_second=TWITTER_AVERAGE_RATE)
    for n, tweet in enumerate(generate(config)):
        yield retagged(tweet, [f"h{(2 * n + k) % distinct}" for k in range(2)])


def figures(run: Measured, count: int) -> dict[str, Any]:
    return {
        "seconds": run.seconds,
        "tweets_per_s": count / run.seconds if run.exit_code == 0 else None,
        "peak_rss_mib": run.peak_rss_bytes / MiB,
        "peak_live_heap_mib": run.peak_live_heap_bytes / MiB,
        "finished": run.exit_code == 0,
        "out_of_memory": run.out_of_memory,
    }


def summary(found: dict[str, Any]) -> str:
    """One line of a run's figures."""
    rate = f"{found['tweets_per_s']:>9,.0f} tweets/s" if found["finished"] else "  did not finish"
    if found["out_of_memory"]:
        rate += " (OutOfMemoryError)"
    return (
        f"{rate}  peak RSS {found['peak_rss_mib']:>6,.0f} MiB  "
        f"live heap {found['peak_live_heap_mib']:>6,.0f} MiB"
    )


def one_run(stack: LocalStack, topic: str, tmp: Path, count: int, **options: Any) -> dict:
    config = bounded_config(stack, topic, ("top_hashtags",), tmp, heap="2g", **options)
    found = figures(measure(config, tmp, stack.java().home / "bin" / "jfr", LIMIT_S), count)
    print(f"    {summary(found)}  {options}", flush=True)
    return found


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=500_000)
    parser.add_argument("--window-count", type=int, default=200_000)
    parser.add_argument("--cardinalities", default="1000,10000,100000,1000000")
    parser.add_argument("--window-hours", default="1,6,24")
    parser.add_argument("--smoke", action="store_true")
    args = parser.parse_args(argv)
    if args.smoke:
        count, window_count = 2_000, 2_000
        # Each configuration once, the smallest: a run costs its JVM's start-up, not its data.
        cardinalities, window_hours, span_s = (100,), (1 / 60,), 300
    else:
        count, window_count = args.count, args.window_count
        cardinalities = tuple(int(n) for n in args.cardinalities.split(","))
        window_hours = tuple(float(h) for h in args.window_hours.split(","))
        span_s = SPAN_S
    results: dict[str, Any] = {"count": count, "window_count": window_count}
    with private_stack("growth") as (stack, tmp):
        topics = {}
        print(f"\ncost of top_hashtags by distinct hashtags in the window, {count:,} tweets")
        for distinct in cardinalities:
            topics[distinct] = f"growth-{distinct}"
            load_topic(stack, topics[distinct], with_hashtags(count, distinct))
            results.setdefault("cardinality", {})[distinct] = one_run(
                stack, topics[distinct], tmp, count
            )
        largest = topics[cardinalities[-1]]
        middling = cardinalities[len(cardinalities) // 2]
        middle = topics[middling]
        print(f"  parallelism 2 at {middling:,} distinct hashtags, RocksDB at {largest}")
        results["parallelism_2"] = one_run(stack, middle, tmp, count, parallelism=2)
        results["rocksdb"] = one_run(stack, largest, tmp, count, state_backend="rocksdb")

        print(
            f"\ncost by window size (slide 1 minute), {window_count:,} tweets "
            f"over {span_s / 3600:.0f} h"
        )
        spread = SyntheticConfig(seed=5, count=window_count, per_second=window_count / span_s)
        load_topic(stack, "growth-window", generate(spread))
        for hours in window_hours:
            results.setdefault("window_hours", {})[hours] = one_run(
                stack, "growth-window", tmp, window_count,
                hashtag_window_s=round(hours * 3600), hashtag_slide_s=60 if not args.smoke else 10,
            )  # fmt: skip
        results["window_rocksdb"] = one_run(
            stack, "growth-window", tmp, window_count, state_backend="rocksdb",
            hashtag_window_s=round(window_hours[-1] * 3600),
            hashtag_slide_s=60 if not args.smoke else 10,
        )  # fmt: skip
    path = write("cost_growth_smoke" if args.smoke else "cost_growth", results)
    if not args.smoke:
        PLOTS.mkdir(exist_ok=True)
        if len(cardinalities) > 1:
            plot(results, PLOTS / "cost_growth.png")
        print(f"report: {report.write()}")
    print(f"results: {path}")
    return results


def plot(results: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (memory, speed) = plt.subplots(1, 2, figsize=(10, 3.6))
    by = results["cardinality"]
    xs = sorted(by, key=int)
    memory.plot(xs, [by[x]["peak_rss_mib"] for x in xs], "o-", label="peak resident (RSS)")
    memory.plot(xs, [by[x]["peak_live_heap_mib"] for x in xs], "s-", label="peak live heap")
    memory.set_xscale("log")
    memory.set_xlabel("distinct hashtags in the window")
    memory.set_ylabel("MiB")
    memory.set_title("TaskManager memory vs cardinality")
    memory.legend()
    speed.plot(xs, [by[x]["tweets_per_s"] or 0 for x in xs], "o-", color="#4c72b0")
    speed.set_xscale("log")
    speed.set_xlabel("distinct hashtags in the window")
    speed.set_ylabel("tweets per second")
    speed.set_title("Throughput vs cardinality")
    fig.tight_layout()
    fig.savefig(path, dpi=110)


if __name__ == "__main__":
    main()
