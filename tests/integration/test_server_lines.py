"""The compatibility matrix: the whole job, exact, on each server line tweetflow writes to. The
stack's own node is Elasticsearch 8.19 (every other integration test runs on it); here the
same job over the same input writes to an Elasticsearch 7.17 and an OpenSearch 2.19 node, each
a real process started beside the stack, and the results equal the reference."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from flink_jobs import runtime
from tests.support.pipeline_results import COMPARED, actual, assert_same, expected, job_config
from tweetflow.core import versions
from tweetflow.core.es_connection import client
from tweetflow.stack import process
from tweetflow.stack.ports import private_settings
from tweetflow.stack.stack import LocalStack

pytestmark = [pytest.mark.integration, pytest.mark.slow]


LINES = {"elasticsearch-7.17": "7", "opensearch-2.19": "opensearch"}


@pytest.fixture(scope="module")
def nodes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """A node of each line, alone on free ports, started side by side: their URLs."""
    stacks = {
        name: LocalStack(replace(private_settings(tmp_path_factory.mktemp(name)), es_line=line))
        for name, line in LINES.items()
    }
    try:
        with ThreadPoolExecutor(len(stacks)) as pool:
            list(pool.map(lambda stack: stack.start_service("elasticsearch"), stacks.values()))
        yield {name: stack.settings.es_url for name, stack in stacks.items()}
    finally:
        for stack in stacks.values():  # nothing on them is kept: no grace for a clean shutdown
            process.stop(stack.services["elasticsearch"].pids(), 0.5)


@pytest.mark.parametrize("line", LINES)
def test_the_whole_job_is_exact_on_the_line(
    line: str, nodes: dict[str, str], stack: LocalStack, pipeline_run: dict[str, Any],
    tmp_path: Path,
) -> None:  # fmt: skip
    node = nodes[line]
    prefix = f"l{uuid.uuid4().hex[:6]}_"
    config = job_config(stack, pipeline_run["topic"], prefix, tmp_path, es_hosts=node)
    assert runtime.run(config)
    es = client(node)
    v = versions.load()
    assert (
        es.info()["version"]["number"]
        == {"7": v.elasticsearch_legacy, "opensearch": v.opensearch}[LINES[line]]
    )
    want = expected(pipeline_run["tweets"])
    assert_same(actual(es, prefix), {query: want[query] for query in COMPARED})
    # The index templates reached the node too: dates are dates.
    mapping = es.indices.get_mapping(index=f"{prefix}tweet_rate")
    assert (
        mapping[f"{prefix}tweet_rate"]["mappings"]["properties"]["window_start"]["type"] == "date"
    ), line
