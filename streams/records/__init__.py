"""Checks of incoming records beyond the Avro schema: a valid Interaction or a reason.

:mod:`validation` holds the record limits shared by connectors and the worker;
:mod:`check` turns raw bytes into a valid Interaction or a :class:`Rejection`. May import the
model, settings and :mod:`streams.kafka` (the codec); nothing of Faust or analytics.
"""

from streams.records.check import Rejection, check_interaction
from streams.records.validation import InvalidRecord, validate_interaction, validate_person

__all__ = [
    "InvalidRecord",
    "Rejection",
    "check_interaction",
    "validate_interaction",
    "validate_person",
]
