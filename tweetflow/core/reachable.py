"""Is Kafka (or Elasticsearch) there at all? Asked before a job is submitted: a job whose
broker is down starts, prints nothing and waits; its clients retry for minutes."""

from __future__ import annotations

import socket
from urllib.parse import urlsplit


class Unreachable(RuntimeError):
    """No address of a service accepted a connection; the message says what to do."""


def _answers(host: str, port: int, timeout_s: float) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout_s):
            return True
    except OSError:
        return False


def kafka(bootstrap: str, timeout_s: float = 5.0) -> None:
    """One of the bootstrap servers accepts a connection, else Unreachable."""
    for server in filter(None, (s.strip() for s in bootstrap.split(","))):
        host, _, port = server.rpartition(":")
        if port.isdigit() and _answers(host.strip("[]"), int(port), timeout_s):
            return
    raise Unreachable(
        f"Kafka at {bootstrap} does not answer: start the local stack with `tweetflow stack "
        "up`, or point TWEETFLOW_KAFKA_SERVERS at your brokers"
    )


def elasticsearch(hosts: str, timeout_s: float = 5.0) -> None:
    """One of the URLs (`;`-separated) accepts a connection, else Unreachable."""
    for url in filter(None, (u.strip() for u in hosts.split(";"))):
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 9200)
        if parts.hostname and _answers(parts.hostname, port, timeout_s):
            return
    raise Unreachable(
        f"Elasticsearch at {hosts} does not answer: start the local stack with `tweetflow "
        "stack up`, or point TWEETFLOW_ES_HOSTS at your cluster"
    )
