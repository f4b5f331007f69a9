"""Checks and validation of incoming records: bytes or raw values in, a valid
Interaction or a reason out. Imports the model and the Kafka codec only."""
