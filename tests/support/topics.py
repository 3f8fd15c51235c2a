"""Reading a Kafka topic back from its beginning, as the tests check what a producer sent."""

from __future__ import annotations

import time
import uuid

from kafka import KafkaConsumer

from tweetflow.core.settings import Settings


def consume(settings: Settings, topic: str, expected: int, timeout_s: float = 30) -> list:
    consumer = KafkaConsumer(
        topic,
        bootstrap_servers=settings.kafka_bootstrap,
        auto_offset_reset="earliest",
        group_id=f"check-{uuid.uuid4().hex[:6]}",
    )
    messages: list = []
    deadline = time.monotonic() + timeout_s
    while len(messages) < expected and time.monotonic() < deadline:
        for batch in consumer.poll(timeout_ms=500).values():
            messages += batch
    messages += [m for b in consumer.poll(timeout_ms=1000).values() for m in b]
    consumer.close()
    return messages
