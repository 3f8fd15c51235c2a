"""Tweets into Kafka: sources normalised to the canonical tweet JSON (see SCHEMA.md)."""
