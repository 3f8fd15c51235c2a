"""Sentiment enrichment on the real pipeline: the Python UDF (vectorized, then scalar) scores the
shared input inside the Flink job; the per-window and per-hashtag sentiment in Elasticsearch
equals the reference (VADER's scores, aggregated and ranked in plain Python)."""

from __future__ import annotations

import math
import uuid
from pathlib import Path
from typing import Any

import pytest

from flink_jobs import runtime
from tests.support import pipeline_results, reference
from tweetflow.stack.stack import LocalStack

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def same(got: dict[Any, tuple[Any, ...]], want: dict[Any, tuple[Any, ...]]) -> None:
    """Equal, averages to 1e-9: Flink and Python add the same doubles in another order."""
    assert got.keys() == want.keys()
    for key, row in want.items():
        for mine, theirs in zip(got[key], row, strict=True):
            if isinstance(theirs, float):
                assert math.isclose(mine, theirs, rel_tol=1e-9, abs_tol=1e-12), (key, got[key])
            else:
                assert mine == theirs, (key, got[key], row)


@pytest.fixture(scope="module")
def want(pipeline_run: dict[str, Any]) -> dict[str, Any]:
    return reference.sentiment(pipeline_run["tweets"], pipeline_results.WINDOWS)


def test_vectorized_sentiment_equals_the_reference(
    enriched_run: dict[str, Any], want: dict[str, Any]
) -> None:
    got = enriched_run["actual"]
    same(got["sentiment"], want["sentiment"])
    same(got["hashtag_sentiment"], want["hashtag_sentiment"])
    windows = want["sentiment"].values()
    # The input mixes languages: some tweets are scored, some are not, every label occurs.
    assert 0 < sum(w[1] for w in windows) < sum(w[0] for w in windows)
    assert all(sum(w[6 + i] for w in windows) > 0 for i in range(4))


def test_scalar_sentiment_equals_the_vectorized(
    stack: LocalStack,
    pipeline_run: dict[str, Any],
    enriched_run: dict[str, Any],
    tmp_path: Path,
) -> None:
    prefix = f"s{uuid.uuid4().hex[:6]}_"
    config = pipeline_results.job_config(
        stack, pipeline_run["topic"], prefix, tmp_path, queries=(), enrichment="scalar"
    )
    assert runtime.run(config)
    got = pipeline_results.actual(pipeline_run["es"], prefix, ["sentiment", "hashtag_sentiment"])
    same(got["sentiment"], enriched_run["actual"]["sentiment"])
    same(got["hashtag_sentiment"], enriched_run["actual"]["hashtag_sentiment"])


def test_the_udf_runs_once_per_tweet_and_only_when_switched_on(
    stack: LocalStack, pipeline_run: dict[str, Any], tmp_path: Path
) -> None:
    config = pipeline_results.job_config(
        stack, pipeline_run["topic"], "plan_", tmp_path, enrichment="vectorized"
    )
    plan = runtime.explain(config).split("== Optimized Execution Plan ==")[-1]
    assert plan.count("sentiment(") == 1  # one Python call feeds both sentiment queries
    off = pipeline_results.job_config(stack, pipeline_run["topic"], "plan_", tmp_path)
    assert "PythonCalc" not in runtime.explain(off)
