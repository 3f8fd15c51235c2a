"""Shared fixtures. Integration tests start the real local stack once per test run on free
loopback ports and a private state directory, and stop it at the end."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from tweetflow.settings import Settings
from tweetflow.stack.stack import LocalStack

REPO = Path(__file__).resolve().parent.parent


def free_ports(count: int) -> list[int]:
    sockets, ports = [], []
    for _ in range(count):
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        sockets.append(sock)
        ports.append(sock.getsockname()[1])
    for sock in sockets:
        sock.close()
    return ports


def stack_settings(state_dir: Path) -> Settings:
    kafka, controller, es, transport = free_ports(4)
    return Settings.from_env(
        state_dir=state_dir,
        kafka_port=kafka,
        kafka_controller_port=controller,
        es_port=es,
        es_transport_port=transport,
    )


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
