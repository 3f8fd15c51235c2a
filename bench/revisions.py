"""Whether a change made the catch-up faster: the peers' job over one preloaded topic, run by
this checkout's code and by another revision's in turn, each run in processes of its own,
round after round, so that both meet the same topic, machine and drift:

    python -m bench.revisions --base c3816ab          # 2,000,000 tweets, 2 rounds
    python -m bench.revisions --smoke                 # HEAD against itself, 5,000 tweets, for CI
    python -m bench.revisions --base dc082b4 --queries job --count 300000   # the whole job
    python -m bench.revisions --queries job --count 300000 --per-second 50  # sparse, as produce

Event-time density (--per-second, default Twitter's 5,700 tweets per second) decides how many
windows each tweet lands in: at the generator's default 50 a window fires for every 3,000
tweets read, at 5,700 for every 342,000, so a change to window firing shows at 50.

The other revision is exported from the git repository of this checkout (`--repo` when the
checkout is a copy) and must have bench.tuning.run, as revisions from c3816ab on do. A revision
whose dependencies differ from this checkout's (another Flink: dc082b4 is the last on Flink
1.20) runs in a virtual environment of its own with its pins (bench/isolated.py, cached).
Each figure is tweets/s with start-up; the ratio is of the means, and the spread of each
side's rounds is the noise it is to be read against.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

from bench import isolated, report
from bench.common import TWITTER_AVERAGE_RATE, preloaded_stack, write
from bench.cost_growth import summary
from tweetflow.stack.stack import LocalStack

CHECKOUT = Path(__file__).resolve().parent.parent

# Run in the directory of a revision, by its own code: one bounded run of the peers' job, or
# of its whole default job (every core query of its own catalog, enrichment off).
ONE_RUN = """
import json, sys
from pathlib import Path
from bench.tuning import PEER_QUERIES, run
from flink_jobs.catalog import CORE_QUERIES
from tweetflow.core.settings import Settings
from tweetflow.stack.stack import LocalStack
args = json.loads(sys.argv[1])
queries = CORE_QUERIES if args["queries"] == "job" else PEER_QUERIES
found = run(LocalStack(Settings.from_env()), args["topic"], Path(args["tmp"]), args["count"],
            args["name"], queries)
print("RESULT " + json.dumps(found), flush=True)
"""


def export(repo: Path, revision: str, into: Path) -> str:
    """The tree of revision in the directory into; returns the commit it names."""
    commit = subprocess.run(
        ["git", "-C", str(repo), "rev-parse", "--verify", f"{revision}^{{commit}}"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    archive = into.with_suffix(".tar")
    subprocess.run(
        ["git", "-C", str(repo), "archive", "--output", str(archive), commit], check=True
    )
    with tarfile.open(archive) as tar:
        tar.extractall(into, filter="data")
    archive.unlink()
    return commit


def dependencies(tree: Path) -> list[str]:
    with (tree / "pyproject.toml").open("rb") as handle:
        return list(tomllib.load(handle)["project"]["dependencies"])


def flink_of(tree: Path) -> str:
    """The Flink version the revision in tree pins."""
    with (tree / "tweetflow" / "core" / "versions.toml").open("rb") as handle:
        return str(tomllib.load(handle)["flink"]["version"])


def python_for(tree: Path, cache_dir: Path) -> Path:
    """This interpreter when the revision in tree pins what this checkout pins; otherwise one
    of an environment with the revision's own pins."""
    pins = dependencies(tree)
    if pins == dependencies(CHECKOUT):
        return Path(sys.executable)
    return isolated.python_with("revision", pins, cache_dir)


def run_in_tree(
    tree: Path, stack: LocalStack, code: str, args: dict[str, Any], timeout_s: float
) -> dict[str, Any]:
    """code run by the revision in tree (its own packages first on the path) against the
    stack, args as JSON in argv[1]; returns what it printed on its last `RESULT {json}` line."""
    env = {**os.environ, **stack.settings.as_env(), "PYTHONPATH": str(tree)}
    python = python_for(tree, stack.settings.cache_dir)
    done = subprocess.run(
        [str(python), "-c", code, json.dumps(args)], cwd=tree, env=env, capture_output=True,
        text=True, timeout=timeout_s,
    )  # fmt: skip
    results = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    if done.returncode != 0 or not results:
        raise RuntimeError(f"the run of {tree} failed:\n{done.stdout[-2000:]}{done.stderr[-4000:]}")
    return json.loads(results[-1].removeprefix("RESULT "))


def one_run(
    tree: Path, stack: LocalStack, topic: str, tmp: Path, count: int, name: str, queries: str
) -> dict[str, Any]:
    """One bounded run by the code in tree against the stack: tuning.run's figures."""
    args = {"topic": topic, "tmp": str(tmp), "count": count, "name": name, "queries": queries}
    found = run_in_tree(tree, stack, ONE_RUN, args, timeout_s=900)
    print(f"  {name:<6}{summary(found)}", flush=True)
    return found


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", default="HEAD", help="the revision to compare against")
    parser.add_argument("--repo", type=Path, default=CHECKOUT, help="the git repository")
    parser.add_argument("--count", type=int, default=2_000_000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument(
        "--queries",
        choices=("peers", "job"),
        default="peers",
        help="the peers' four queries (the catch-up's job) or the whole default job",
    )
    parser.add_argument(
        "--per-second",
        type=float,
        default=TWITTER_AVERAGE_RATE,
        help="tweets per second of event time in the topic",
    )
    parser.add_argument("--smoke", action="store_true")
    args = parser.parse_args(argv)
    count, rounds = (5_000, 1) if args.smoke else (args.count, max(1, args.rounds))
    rates: dict[str, list[float | None]] = {"base": [], "this": []}
    with tempfile.TemporaryDirectory(prefix="tweetflow-revisions-") as work:
        base_tree = Path(work) / "base"
        commit = export(args.repo, args.base, base_tree)
        trees = {"base": base_tree, "this": CHECKOUT}
        flink = {side: flink_of(tree) for side, tree in trees.items()}
        with preloaded_stack("revisions", count, per_second=args.per_second) as (
            stack,
            topic,
            tmp,
        ):
            for round_ in range(rounds):
                # Alternate who goes first: later runs of a benchmark tend to read faster.
                order = ("base", "this") if round_ % 2 == 0 else ("this", "base")
                for side in order:
                    found = one_run(trees[side], stack, topic, tmp, count, side, args.queries)
                    rates[side].append(found["tweets_per_s"])
    finished = {side: [r for r in found if r is not None] for side, found in rates.items()}
    if finished != rates:
        raise RuntimeError(f"a run did not finish in time: {rates}")
    means = {side: statistics.mean(found) for side, found in finished.items()}
    spread = {side: (max(r) - min(r)) / means[side] for side, r in finished.items()}
    ratio = means["this"] / means["base"]
    print(f"\nbase {commit[:10]}: {means['base']:,.0f} tweets/s, this checkout "
          f"{means['this']:,.0f}: x{ratio:.3f} (rounds spread {spread['base']:.1%} and "
          f"{spread['this']:.1%})")  # fmt: skip
    results = {
        "count": count, "rounds": rounds, "base": commit, "base_name": args.base,
        "tweets_per_s": rates, "mean": means, "spread": spread, "ratio": ratio, "flink": flink,
        "queries": args.queries, "per_second": args.per_second,
    }  # fmt: skip
    name = "revisions" if args.queries == "peers" else "revisions_job"
    print(f"results: {write(f'{name}_smoke' if args.smoke else name, results)}")
    if not args.smoke:
        report.write()
    return results


if __name__ == "__main__":
    main()
