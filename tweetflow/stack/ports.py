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
    chosen: list[int] = []
    while len(chosen) < count:
        port = random.randint(10_000, 65_000)
        if port not in chosen and _free(port):
            chosen.append(port)
    return chosen


def free_range(size: int) -> range:
    """`size` consecutive free ports outside the ephemeral range."""
    while True:
        first = free_ports(1)[0]
        ports = range(first, first + size)
        if ports[-1] <= 65_000 and all(_free(p) for p in ports[1:]):
            return ports


def _free(port: int) -> bool:
    if port in _ephemeral_range():
        return False
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def private_settings(state_dir: Path) -> Settings:
    """Settings for a stack of its own: free ports and the given state directory."""
    kafka, controller, es, transport, flink_rest, flink_rpc, es_node = free_ports(7)
    producer_metrics, prometheus = free_ports(2)
    metrics = free_range(4)  # a job, or a cluster's JobManager and TaskManagers
    return Settings.from_env(
        metrics_ports=f"{metrics[0]}-{metrics[-1]}",
        producer_metrics_port=producer_metrics,
        prometheus_port=prometheus,
        state_dir=state_dir,
        kafka_port=kafka,
        kafka_controller_port=controller,
        es_port=es,
        es_transport_port=transport,
        es_node_port=es_node,
        flink_rest_port=flink_rest,
        flink_rpc_port=flink_rpc,
    )
