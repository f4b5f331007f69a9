"""Kafka I/O: the Avro codec and schemas, topic specs and creation, topic and
directory readers, dead-letter tools. No Faust, no analytics."""
