"""TRENDING's rule (flink_jobs/java/tweetflow/flink/Trend.java) and TREND_KEYS (TrendKeys.java)
driven without Flink (tests/java/TrendDriver.java), against the reference's own computation
(tests/support/reference.py): the same phases, and the same doubles, bucket for bucket, and
the same keys of every tweet. Needs a JVM, not the stack."""

from __future__ import annotations

import json
import random
from dataclasses import replace
from typing import Any

import pytest

from flink_jobs.config import STOP_WORDS
from producer.synthetic import tweets
from tests.support import java_driver, reference
from tests.support.pipeline_results import HOSTILE_TEXT, ODD_HASHTAGS

pytestmark = pytest.mark.integration

RULE = reference.Windows()


@pytest.fixture(scope="module")
def driver(tmp_path_factory: pytest.TempPathFactory) -> Any:
    compiled = java_driver.compiled("TrendDriver", tmp_path_factory.mktemp("driver"))

    def run(args: list[str], lines: list[dict[str, Any]]) -> list[Any]:
        out = compiled(args, "".join(json.dumps(line) + "\n" for line in lines))
        return [json.loads(line) for line in out.splitlines()]

    return run


def reference_steps(authors: list[int], seed: bool, w: reference.Windows) -> list[list[Any]]:
    alpha = 2.0 / (w.trend_span_buckets + 1.0)
    steps = []
    state = reference._Trend(mean=float(authors[0]) if seed else 0.0)
    for n, x in enumerate(authors):
        end = 60_000 * (n + 1)
        if seed and n == 0:
            steps.append(["quiet", 0.0, float(x), 0, 0])
            continue
        baseline = state.mean
        score = reference._step(state, x, alpha, w, end)
        steps.append([state.phase, score, baseline, state.peak, state.since])
    return steps


def series(rng: random.Random) -> list[int]:
    """A key's authors per minute: a Poisson-like level, sometimes a burst, sometimes gaps."""
    level = rng.choice((0.5, 3, 20, 200))
    counts = [max(0, round(rng.gauss(level, level**0.5))) for _ in range(rng.randint(5, 90))]
    if rng.random() < 0.6:
        start, size = rng.randrange(len(counts)), rng.choice((10, 40, 400))
        for n in range(start, min(len(counts), start + rng.randint(1, 15))):
            counts[n] += round(size * rng.random())
    return counts


@pytest.mark.parametrize(
    "w", [RULE, replace(RULE, trend_span_buckets=5, trend_min_authors=3, trend_enter_score=3.0)]
)
def test_the_rule_gives_the_references_phases_and_doubles(driver: Any, w: Any) -> None:
    rng = random.Random(25)
    cases = [{"authors": series(rng), "seed": rng.random() < 0.3} for _ in range(400)]
    cases.append({"authors": [0, 0, 30, 60, 90, 60, 40, 20, 5, 0, 0, 0], "seed": False})
    args = ["rule", str(w.trend_span_buckets), str(w.trend_min_authors),
            str(w.trend_enter_score), str(w.trend_exit_score)]  # fmt: skip
    got = driver(args, cases)
    want = [reference_steps(c["authors"], c["seed"], w) for c in cases]
    assert got == want
    phases = {step[0] for steps in want for step in steps}
    assert phases == {"quiet", "emerging", "peaking", "fading"}  # the cases reach every phase


def test_trend_keys_are_the_references(driver: Any) -> None:
    sample = list(tweets(2_000, seed=4))
    tags = [*ODD_HASHTAGS, "Flink", "flink"]
    odd = f"{HOSTILE_TEXT} State of the Union tonight"
    sample.append({"text": odd, "entities": {"hashtags": [{"text": tag} for tag in tags]}})
    lines = [
        {"text": t["text"], "hashtags": [h["text"] for h in t["entities"]["hashtags"]]}
        for t in sample
    ]
    stop_words = set(STOP_WORDS.split(","))
    got = driver(["keys", STOP_WORDS], lines)
    assert [set(keys) for keys in got] == [reference.trend_keys(t, stop_words) for t in sample]
    assert all(len(keys) == len(set(keys)) for keys in got)  # each once
    assert {"state union", "union tonight", "#flink"} <= set(got[-1])
