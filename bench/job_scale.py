"""The whole default job at scale: every core query (enrichment off, the default 1 GiB heap)
over the default generator's stream and over a Zipf stream of a million hashtags, run by
this checkout and by a base revision in turn, each in processes of its own:

    python -m bench.job_scale --base 0015a34           # 300,000 tweets per stream
    python -m bench.job_scale --count 5000000 --streams default --base ''
    python -m bench.job_scale --smoke                  # 2,000 tweets, this checkout only

Streams: "default" is `tweetflow produce`'s generator (50 tweets per second of event time, so
300,000 tweets span 100 minutes); "zipf" is Twitter's average 5,700 tweets per second, each
tweet's hashtags drawn from a Zipf law (s = 1) over 1,000,000 names. Each run is bounded, from
the earliest offset, stopped after --limit seconds: seconds, tweets/s, the JVM's peak resident
memory and live heap, whether it ran out of memory; then the documents it wrote, per index,
per tweet and, for the per-window rankings, per window. The base revision is exported from
git (bench/revisions.py) and runs its own default job the same way.
"""

from __future__ import annotations

import argparse
import tempfile
import uuid
from pathlib import Path
from typing import Any

from elasticsearch import Elasticsearch

from bench import report
from bench.common import TWITTER_AVERAGE_RATE, load_topic, private_stack, write
from bench.cost_growth import summary
from bench.revisions import CHECKOUT, export, flink_of, run_in_tree
from bench.streams import tweets
from tweetflow.stack.stack import LocalStack

# The rankings whose documents are counted per window.
WINDOWED = ("top_hashtags", "related_hashtags", "influencers", "word_counts", "author_counts")

# Run in the directory of a revision, by its own code: one bounded run of its default job
# (every core query) into the given index prefix.
ONE_RUN = """
import json, sys
from pathlib import Path
import bench.tuning
from flink_jobs.catalog import CORE_QUERIES
from tweetflow.core.settings import Settings
from tweetflow.stack.stack import LocalStack
args = json.loads(sys.argv[1])
bench.tuning.LIMIT_S = args["limit"]
found = bench.tuning.run(LocalStack(Settings.from_env()), args["topic"], Path(args["tmp"]),
                         args["count"], args["name"], CORE_QUERIES, prefix=args["prefix"])
print("RESULT " + json.dumps(found), flush=True)
"""


STREAMS = {
    "default": lambda count: tweets("default", count, per_second=50.0),
    "zipf": lambda count: tweets("zipf", count, per_second=TWITTER_AVERAGE_RATE),
}


def documents(es: Elasticsearch, prefix: str) -> dict[str, dict[str, int]]:
    """Per index of the run: documents, and distinct windows for the per-window rankings."""
    es.indices.refresh(index=f"{prefix}*")
    found = {}
    for row in es.cat.indices(index=f"{prefix}*", format="json"):
        name = row["index"].removeprefix(prefix)
        found[name] = {"documents": int(row["docs.count"])}
        if name in WINDOWED:
            distinct = {"cardinality": {"field": "window_start", "precision_threshold": 40000}}
            windows = es.search(index=row["index"], size=0, aggs={"w": distinct})
            found[name]["windows"] = int(windows["aggregations"]["w"]["value"])
    return found


def one_run(
    tree: Path, stack: LocalStack, topic: str, tmp: Path, count: int, name: str, limit: float
) -> dict[str, Any]:
    prefix = f"scale{uuid.uuid4().hex[:6]}_"
    args = {"topic": topic, "tmp": str(tmp), "count": count, "name": name, "prefix": prefix,
            "limit": limit}  # fmt: skip
    found = run_in_tree(tree, stack, ONE_RUN, args, timeout_s=limit + 600)
    found["indexes"] = documents(Elasticsearch(stack.settings.es_url), prefix)
    written = sum(i["documents"] for i in found["indexes"].values())
    found["documents_per_tweet"] = written / count
    hashtags = found["indexes"].get("related_hashtags", {})
    per_window = hashtags.get("documents", 0) / max(1, hashtags.get("windows", 0))
    print(
        f"  {name:<6}{summary(found)}  {written:,} documents ({written / count:.2f} per tweet; "
        f"related_hashtags {per_window:,.0f} per window)",
        flush=True,
    )
    return found


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=300_000)
    parser.add_argument("--streams", default=",".join(STREAMS))
    parser.add_argument("--base", default="", help="a revision to run beside this checkout")
    parser.add_argument("--repo", type=Path, default=CHECKOUT, help="the git repository")
    parser.add_argument("--limit", type=float, default=600, help="seconds before a run stops")
    parser.add_argument("--smoke", action="store_true")
    args = parser.parse_args(argv)
    count = 2_000 if args.smoke else args.count
    streams = ["zipf"] if args.smoke else [s.strip() for s in args.streams.split(",")]
    unknown = set(streams) - set(STREAMS)
    if unknown:
        parser.error(f"unknown streams {sorted(unknown)}; known: {', '.join(STREAMS)}")
    results: dict[str, Any] = {"count": count, "limit_s": args.limit, "runs": {}}
    with tempfile.TemporaryDirectory(prefix="tweetflow-scale-") as work:
        trees = {"this": CHECKOUT}
        if args.base and not args.smoke:
            results["base"] = export(args.repo, args.base, Path(work) / "base")
            trees["base"] = Path(work) / "base"
        results["flink"] = {side: flink_of(tree) for side, tree in trees.items()}
        with private_stack("job-scale") as (stack, tmp):
            for stream in streams:
                topic = f"scale-{stream}-{uuid.uuid4().hex[:6]}"
                load_topic(stack, topic, STREAMS[stream](count))
                print(f"\nthe default job over {count:,} tweets of the {stream} stream")
                results["runs"][stream] = {
                    side: one_run(tree, stack, topic, tmp, count, side, args.limit)
                    for side, tree in trees.items()
                }
    # The 300,000-tweet comparison with a base revision keeps its file; other sizes their own.
    name = "job_scale" if count == 300_000 else f"job_scale_{count}"
    print(f"results: {write('job_scale_smoke' if args.smoke else name, results)}")
    if not args.smoke:
        report.write()
    return results


if __name__ == "__main__":
    main()
