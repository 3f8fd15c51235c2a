"""Reading a whole Kafka topic once: every record from the first offset to the end it has
now, with the TWEETFLOW_KAFKA_* security, no consumer group."""

from __future__ import annotations

from collections.abc import Iterator

from kafka import KafkaConsumer, TopicPartition

from tweetflow.core.kafka_security import client_security


def read_all(bootstrap: str, topic: str) -> Iterator[tuple[int, bytes]]:
    """(partition, value) of every record; nothing when the topic does not exist."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, **client_security())
    try:
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()]
        if not partitions:
            return
        consumer.assign(partitions)
        consumer.seek_to_beginning()
        end = consumer.end_offsets(partitions)
        while any(consumer.position(p) < end[p] for p in partitions):
            for partition, batch in consumer.poll(timeout_ms=1000).items():
                for message in batch:
                    yield partition.partition, message.value
    finally:
        consumer.close()
