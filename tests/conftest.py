"""Shared fixtures. Integration tests start the real local stack once per test run on free
loopback ports and a private state directory, and stop it at the end."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from flink_jobs.rest import FlinkRest
from tests.support import installed, pipeline_results
from tests.support.terminal import Terminal
from tweetflow.core.settings import Settings
from tweetflow.stack.flink_cluster import FlinkCluster
from tweetflow.stack.ports import private_settings as stack_settings
from tweetflow.stack.stack import LocalStack

# Flink's JVMs in the tests compile with C1 alone: a bounded run of the test input took 17 s
# instead of 22-25 s (docs/testing.md), and inputs this small never repay C2's compilations.
# Semantics do not depend on the compiler. Users' jobs and the benchmarks' measured runs keep
# the JVM's default; `TWEETFLOW_FLINK_JVM_OPTIONS= make test` runs the tests with it too.
TEST_FLINK_JVM_OPTIONS = "-XX:TieredStopAtLevel=1"


def pytest_configure(config: pytest.Config) -> None:
    # Before any Settings is read: the tests' stacks and every child process inherit it.
    os.environ.setdefault("TWEETFLOW_FLINK_JVM_OPTIONS", TEST_FLINK_JVM_OPTIONS)


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    local = LocalStack(stack_settings(tmp_path_factory.mktemp("stack")))
    try:
        local.up()
        yield local
    finally:
        local.down()


@pytest.fixture(scope="session")
def settings(stack: LocalStack) -> Settings:
    return stack.settings


@pytest.fixture(scope="session")
def pipeline_run(stack: LocalStack, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The whole job on the mini-cluster over the shared test input
    (tests/support/pipeline_results.py); other runs on the same input are compared with it."""
    return pipeline_results.pipeline_run(stack, tmp_path_factory.mktemp("analytics"))


@pytest.fixture()
def terminal(tmp_path: Path) -> Iterator[Terminal]:
    """A tmux session of its own (tests/support/terminal.py), killed afterwards."""
    term = Terminal(tmp_path)
    try:
        yield term
    finally:
        term.close()


@pytest.fixture(scope="session")
def enriched_run(
    stack: LocalStack, pipeline_run: dict[str, Any], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Any]:
    """The sentiment queries (vectorized UDF) over the shared input, into its prefix."""
    return pipeline_results.enriched_run(
        stack, pipeline_run, tmp_path_factory.mktemp("enriched"), "vectorized"
    )


@pytest.fixture(scope="session")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel `pip wheel .` builds from this checkout."""
    return installed.build_wheel(tmp_path_factory.mktemp("wheelhouse"))


@pytest.fixture(scope="session")
def venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtualenv outside the checkout with the wheel and its dependencies."""
    return installed.install(wheel, tmp_path_factory.mktemp("installed") / "venv")


@pytest.fixture(scope="session")
def cluster(stack: LocalStack) -> Iterator[FlinkCluster]:
    """A real standalone Flink cluster (`tweetflow cluster up`), shared like the stack: each
    test cancels the jobs it submits."""
    flink = FlinkCluster(stack.settings)
    try:
        flink.up()
        yield flink
    finally:
        flink.down()


@pytest.fixture(scope="session")
def rest(cluster: FlinkCluster) -> FlinkRest:
    return FlinkRest(cluster.address)
