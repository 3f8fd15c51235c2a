"""Write canonical tweets to a Kafka topic with durable, throughput-minded settings."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import orjson
from kafka import KafkaProducer
from kafka.admin import KafkaAdminClient, NewTopic
from kafka.errors import TopicAlreadyExistsError


def ensure_topic(bootstrap: str, topic: str, partitions: int) -> None:
    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    try:
        admin.create_topics([NewTopic(topic, partitions, 1)])
    except TopicAlreadyExistsError:
        pass
    finally:
        admin.close()


def producer(bootstrap: str) -> KafkaProducer:
    return KafkaProducer(
        bootstrap_servers=bootstrap,
        acks="all",  # a tweet counts as sent only once the broker has it durably
        retries=10,
        max_in_flight_requests_per_connection=1,  # retries never reorder an author's tweets
        linger_ms=20,
        batch_size=256 * 1024,
        compression_type="gzip",
    )


def send_all(bootstrap: str, topic: str, records: Iterable[dict[str, Any]]) -> int:
    """Send every record, keyed by author so each author's tweets stay ordered; returns count."""
    sent = 0
    kafka = producer(bootstrap)
    try:
        for record in records:
            key = str(record.get("user", {}).get("id_str", "")).encode() or None
            kafka.send(topic, key=key, value=orjson.dumps(record))
            sent += 1
        kafka.flush()
    finally:
        kafka.close()
    return sent
