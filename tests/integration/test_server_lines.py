"""The compatibility matrix: the whole job, exact, on each server line tweetflow writes to. The
stack's own node is Elasticsearch 8.19 (every other integration test runs on it); here the
same job over the same input writes to an Elasticsearch 7.17 and an OpenSearch 2.19 node, each
a real process started beside the stack, and the results equal the reference."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from flink_jobs import runtime
from tests.support.pipeline_results import COMPARED, actual, assert_same, expected, job_config
from tweetflow.core.es_connection import client
from tweetflow.stack.ports import private_settings
from tweetflow.stack.stack import LocalStack

pytestmark = [pytest.mark.integration, pytest.mark.slow]


@pytest.fixture(
    scope="module", params=["7", "opensearch"], ids=["elasticsearch-7.17", "opensearch-2.19"]
)
def node(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A node of the line alone, on free ports: its URL."""
    settings = replace(private_settings(tmp_path_factory.mktemp("node")), es_line=request.param)
    beside = LocalStack(settings)
    try:
        beside.start_service("elasticsearch")
        yield settings.es_url
    finally:
        beside.services["elasticsearch"].stop()


def test_the_whole_job_is_exact_on_the_line(
    node: str, stack: LocalStack, pipeline_run: dict[str, Any], tmp_path: Path
) -> None:
    prefix = f"l{uuid.uuid4().hex[:6]}_"
    config = job_config(stack, pipeline_run["topic"], prefix, tmp_path, es_hosts=node)
    assert runtime.run(config)
    es = client(node)
    line = es.info()["version"]
    want = expected(pipeline_run["tweets"])
    assert_same(actual(es, prefix), {query: want[query] for query in COMPARED})
    # The index templates reached the node too: dates are dates.
    mapping = es.indices.get_mapping(index=f"{prefix}tweet_rate")
    assert (
        mapping[f"{prefix}tweet_rate"]["mappings"]["properties"]["window_start"]["type"] == "date"
    ), line
