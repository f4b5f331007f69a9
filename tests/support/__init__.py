"""Helpers shared by the test suite (real Kafka broker, topics)."""
