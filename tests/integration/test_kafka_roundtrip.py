"""1,000 JSON records through the real broker and back, exactly."""

from __future__ import annotations

import json
import time
import uuid

import pytest
from kafka import KafkaConsumer, KafkaProducer

from producer.kafka_sink import ensure_topic
from tweetflow.core.settings import Settings

pytestmark = pytest.mark.integration


def test_thousand_records_round_trip_exactly(settings: Settings) -> None:
    topic = f"roundtrip-{uuid.uuid4().hex[:8]}"
    ensure_topic(settings.kafka_bootstrap, topic, partitions=3)
    records = [{"n": n, "text": f"tweet {n} ✓ #日本"} for n in range(1000)]
    producer = KafkaProducer(bootstrap_servers=settings.kafka_bootstrap, acks="all")
    for record in records:
        producer.send(topic, key=str(record["n"]).encode(), value=json.dumps(record).encode())
    producer.flush()
    producer.close()

    consumer = KafkaConsumer(
        topic,
        bootstrap_servers=settings.kafka_bootstrap,
        auto_offset_reset="earliest",
        group_id=f"g-{topic}",
    )
    received: list[dict] = []
    deadline = time.monotonic() + 30
    while len(received) < 1000 and time.monotonic() < deadline:
        for batch in consumer.poll(timeout_ms=500).values():
            received += [json.loads(message.value) for message in batch]
    # Nothing beyond the thousand: no duplicates hiding behind the count.
    received += [json.loads(m.value) for b in consumer.poll(timeout_ms=1000).values() for m in b]
    consumer.close()
    assert len(received) == 1000
    assert sorted(received, key=lambda r: r["n"]) == records
