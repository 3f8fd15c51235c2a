"""How fast tweetflow's Java functions read a tweet, beside Jackson's own floor and the tree
TWEET_FIELDS used to build: one JVM, the same synthetic tweets, round after round.

    python -m bench.parse_speed                  # 50,000 tweets, 7 rounds
    python -m bench.parse_speed --smoke          # 2,000 tweets, 2 rounds, for CI

Per way of reading: tweets/s, the median of the rounds after the first (which runs code not
yet compiled). The ways: TWEET_FIELDS (every field the job reads), the same fields read from
Jackson's tree of the tweet (TWEET_FIELDS before it streamed: the baseline), TWEET_TIMESTAMP
(the source's event time), the tree alone (readTree), and Jackson's tokens walked without
keeping anything (the floor of any parse here). And per record as the job reads one: its UTF-8
decoded into the String a STRING column gives, then both functions (the job before), against
both functions reading the bytes of a BYTES column (the job now).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from bench import report
from bench.common import TWITTER_AVERAGE_RATE, write
from flink_jobs import java_functions
from producer.synthetic import tweets
from tweetflow.core.java import find_java
from tweetflow.core.settings import Settings

HARNESS = Path(__file__).resolve().with_name("java") / "ParseSpeed.java"
WAYS = (
    "tweet_fields", "tree_fields", "tweet_timestamp", "jackson_tree", "jackson_tokens",
    "record_as_text", "record_as_bytes",
)  # fmt: skip


def rounds_of(count: int, rounds: int, work: Path) -> tuple[dict[str, int], list[dict[str, float]]]:
    """How many tweets TWEET_FIELDS found an id_str in and read as the baseline did, and each
    round's tweets/s per way."""
    settings = Settings()
    java = find_java(settings.java_home)
    functions = java_functions.jar(settings.cache_dir, java)
    classpath = [functions, *java_functions.flink_classpath()]
    classes = work / "classes"
    java_functions.compile_java(
        [HARNESS], classpath, classes, settings.cache_dir, java, "the parse benchmark"
    )
    data = work / "tweets.jsonl"
    with data.open("w") as out:
        for tweet in tweets(count, per_second=TWITTER_AVERAGE_RATE):
            out.write(json.dumps(tweet) + "\n")
    done = subprocess.run(
        [str(java.executable), "-Xmx1g", "-cp", ":".join(map(str, [classes, *classpath])),
         "ParseSpeed", str(data), str(rounds)],
        capture_output=True, text=True, timeout=1800, check=True,
    )  # fmt: skip
    first, *measured = (json.loads(line) for line in done.stdout.splitlines())
    return first, measured


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--smoke", action="store_true")
    args = parser.parse_args(argv)
    count, rounds = (2_000, 2) if args.smoke else (args.count, max(2, args.rounds))
    with tempfile.TemporaryDirectory(prefix="tweetflow-parse-") as work:
        checks, measured = rounds_of(count, rounds, Path(work))
    kept = measured[1:]
    rates = {way: statistics.median(r[way] for r in kept) for way in WAYS}
    for way in WAYS:
        spread = max(r[way] for r in kept) / min(r[way] for r in kept) - 1
        print(f"{way:16} {rates[way]:12,.0f} tweets/s  (rounds differ by {spread:.1%})")
    tree_x = rates["tweet_fields"] / rates["tree_fields"]
    of_floor = rates["tweet_fields"] / rates["jackson_tokens"]
    print(f"TWEET_FIELDS: x{tree_x:.2f} the tree's fields, {of_floor:.0%} of the token walk's rate")
    bytes_x = rates["record_as_bytes"] / rates["record_as_text"]
    print(f"a record read from its bytes: x{bytes_x:.2f} decoding it to text first")
    results = {"count": count, **checks, "rounds": measured, "tweets_per_s": rates}
    name = "parse_speed_smoke" if args.smoke else "parse_speed"
    print(f"results: {write(name, results)}")
    if not args.smoke:
        report.write()
    return results


if __name__ == "__main__":
    main()
