"""Checks of incoming records beyond the Avro schema: a valid Interaction or a reason.

:mod:`validation` holds the record limits shared by connectors and the worker;
:mod:`check` turns raw bytes (a single event or an envelope) into valid Interactions and
:class:`Rejection` values. May import the
model, settings and :mod:`streams.kafka` (the codec); nothing of Faust or analytics.
"""

from streams.records.check import Checked, Codecs, Rejection, check_interaction, check_record
from streams.records.validation import InvalidRecord, validate_interaction, validate_person

__all__ = [
    "Checked",
    "Codecs",
    "InvalidRecord",
    "Rejection",
    "check_interaction",
    "check_record",
    "validate_interaction",
    "validate_person",
]
