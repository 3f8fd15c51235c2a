"""The producer's own metrics for Prometheus, read from its counters when scraped: nothing is
added to the send loop. Served on loopback (TWEETFLOW_PRODUCER_METRICS_PORT); a port in use
costs the metrics, never the tweets."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import Any

from prometheus_client import CollectorRegistry, start_http_server
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric

log = logging.getLogger(__name__)


class ProducerCollector:
    """counters: pipeline.Counters; sink: the Kafka sink's stats (acked, failed); source: the
    Bluesky stream's stats (reconnects, lag), when the source has them."""

    def __init__(self, counters: Any, sink: Any, source: Any = None) -> None:
        self.counters, self.sink, self.source = counters, sink, source

    def collect(self) -> Iterator[Metric]:
        def counter(name: str, text: str, value: float) -> CounterMetricFamily:
            return CounterMetricFamily(f"tweetflow_producer_{name}", text, value=value)

        yield counter("records_read", "Records read from the source", self.counters.read)
        yield counter("tweets_sent", "Tweets handed to Kafka", self.counters.sent)
        yield counter("dead_lettered", "Records the producer could not convert", self.counters.bad)
        yield counter("tweets_acked", "Tweets Kafka confirmed", self.sink.acked)
        yield counter("send_errors", "Tweets Kafka refused after retries", self.sink.failed)
        if self.source is not None:
            yield counter("reconnects", "Reconnects to the source", self.source.reconnects)
            yield GaugeMetricFamily(
                "tweetflow_producer_source_lag_seconds",
                "Now minus the time of the newest event received from the source",
                value=self.source.lag_s(),
            )


def serve(host: str, port: int, collector: ProducerCollector) -> Callable[[], None]:
    """Serve /metrics on host:port until the returned function is called; 0: not at all."""
    if not port:
        return lambda: None
    registry = CollectorRegistry()
    registry.register(collector)  # type: ignore[arg-type]
    try:
        server, thread = start_http_server(port, addr=host, registry=registry)
    except OSError as exc:
        log.warning(
            "producer metrics not served: %s:%d %s (set TWEETFLOW_PRODUCER_METRICS_PORT to a "
            "free port, or 0)", host, port, exc.strerror or exc
        )  # fmt: skip
        return lambda: None

    def close() -> None:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)

    return close
