"""Kafka I/O: the Avro codec and schemas, topic specs, topic and directory readers, DLQ tools.

No Faust and no analytics: the Faust wiring lives in :mod:`streams.agents`.
"""

from streams.kafka.codec import (
    Codec,
    CodecError,
    alert_codec,
    envelope_codec,
    interaction_codec,
    person_codec,
)
from streams.kafka.directory_reader import DirectoryReader
from streams.kafka.dlq import DeadLetter, dead_letters, replay, summarize
from streams.kafka.topic_reader import read_to_end
from streams.kafka.topics import TopicSpec, create_topic, ensure_topics, topic_specs

__all__ = [
    "Codec",
    "CodecError",
    "DeadLetter",
    "DirectoryReader",
    "TopicSpec",
    "alert_codec",
    "create_topic",
    "dead_letters",
    "ensure_topics",
    "envelope_codec",
    "interaction_codec",
    "person_codec",
    "read_to_end",
    "replay",
    "summarize",
    "topic_specs",
]
