"""A local Apache Kafka broker (jars from Maven Central, KRaft, no Docker) and a local
Prometheus, for the demo, the tests and the benchmarks.
"""
