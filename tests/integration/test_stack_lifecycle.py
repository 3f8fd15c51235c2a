"""A second, private stack: up, a no-op second up, status, a taken port, and a clean down."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tweetflow.core.errors import StackError
from tweetflow.stack import process
from tweetflow.stack.ports import private_settings as stack_settings
from tweetflow.stack.stack import LocalStack

pytestmark = pytest.mark.integration


def test_lifecycle_is_idempotent_and_leaves_nothing_behind(tmp_path: Path) -> None:
    stack = LocalStack(stack_settings(tmp_path))
    try:
        first = stack.up()
        assert set(first.started) == {"kafka", "elasticsearch"}
        pids = {s.name: s.pids for s in stack.status()}
        assert all(s.healthy and s.rss_kib > 0 for s in stack.status())

        began = time.monotonic()
        second = stack.up()
        assert second.started == ()
        assert set(second.already_running) == {"kafka", "elasticsearch"}
        assert {s.name: s.pids for s in stack.status()} == pids
        assert time.monotonic() - began < first.seconds
    finally:
        stack.down()
    for service in stack.services.values():
        assert process.find_marked(service.name, stack.settings.state_dir) == []
        assert not service.pid_file.exists()
    for pid_tuple in pids.values():
        assert not any(process.is_alive(pid) for pid in pid_tuple)
    assert all(not s.running for s in stack.status())


def test_a_taken_port_gives_an_actionable_error(tmp_path: Path) -> None:
    settings = stack_settings(tmp_path)
    with socket.socket() as squatter:
        squatter.bind((settings.host, settings.kafka_port))
        squatter.listen()
        stack = LocalStack(settings)
        with pytest.raises(StackError, match=f"{settings.kafka_port}.*TWEETFLOW_KAFKA_PORT"):
            stack.up()
    stack.down()
    assert all(not s.running for s in stack.status())


def test_two_stack_ups_at_once_start_one_stack(tmp_path: Path) -> None:
    """Two terminals typing `tweetflow stack up` together: both used to fail ("elasticsearch
    exited during start-up") and leave Kafka up, Elasticsearch down."""
    settings = stack_settings(tmp_path)
    env = process.child_environment() | settings.as_env()
    command = [sys.executable, "-m", "tweetflow.cli", "stack", "up"]
    stack = LocalStack(settings)
    try:
        ups = [
            subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             text=True, stdin=subprocess.DEVNULL)
            for _ in range(2)
        ]  # fmt: skip
        outputs = [up.communicate(timeout=300)[0] for up in ups]
        assert [up.returncode for up in ups] == [0, 0], outputs
        assert sum("waiting" in output for output in outputs) == 1, outputs
        assert all(s.healthy for s in stack.status())
        for service in stack.services.values():
            assert len(process.find_marked(service.name, settings.state_dir)) == 1
    finally:
        stack.down()
    assert all(not s.running for s in stack.status())
