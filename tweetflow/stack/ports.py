"""Free loopback ports for private stacks (tests, benchmarks) that must not collide."""

from __future__ import annotations

import random
import socket
from pathlib import Path

from tweetflow.core.settings import Settings


def _ephemeral_range() -> range:
    try:
        low, high = map(int, Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split())
    except (OSError, ValueError):
        low, high = 32768, 60999
    return range(low, high + 1)


def free_ports(count: int) -> list[int]:
    """Free ports outside the ephemeral range: a client's outgoing connection can never take
    one of them between choosing it and the service binding it."""
    ephemeral = _ephemeral_range()
    chosen: list[int] = []
    while len(chosen) < count:
        port = random.randint(10_000, 65_000)
        if port in ephemeral or port in chosen:
            continue
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
        chosen.append(port)
    return chosen


def private_settings(state_dir: Path) -> Settings:
    """Settings for a stack of its own: free ports and the given state directory."""
    kafka, controller, es, transport, flink_rest, flink_rpc, es_node = free_ports(7)
    return Settings.from_env(
        state_dir=state_dir,
        kafka_port=kafka,
        kafka_controller_port=controller,
        es_port=es,
        es_transport_port=transport,
        es_node_port=es_node,
        flink_rest_port=flink_rest,
        flink_rpc_port=flink_rpc,
    )
