"""Silo state machine with hysteresis and the Louvain hidden-silo pass."""
