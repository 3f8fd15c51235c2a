"""The local stack: a real Kafka broker and Elasticsearch node as plain processes, no Docker."""
