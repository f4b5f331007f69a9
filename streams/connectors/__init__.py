"""The connector SDK, the importers and the simulator.

Write a connector by subclassing :class:`Connector` and yielding :class:`RawInteraction` and
:class:`RawPerson` values with the tool's own ids; :meth:`Connector.run` with an
:class:`Emitter` pseudonymizes (:class:`RecordBuilder`), validates, encodes and produces them.
Importers (csv, jsonl, slack, github, mbox, stackexchange, enron, rlists) are connectors too.
May import records, kafka, model and settings; nothing of Faust or analytics.
"""

from streams.connectors.base import Connector, RunSummary
from streams.connectors.builder import RecordBuilder
from streams.connectors.emitter import DeliveryError, Emitter
from streams.connectors.pseudonym import Pseudonymizer, PseudonymKeyError
from streams.connectors.records import RawInteraction, RawPerson, Skipped

__all__ = [
    "Connector",
    "DeliveryError",
    "Emitter",
    "PseudonymKeyError",
    "Pseudonymizer",
    "RawInteraction",
    "RawPerson",
    "RecordBuilder",
    "RunSummary",
    "Skipped",
]
