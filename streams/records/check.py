"""The ingest stage as a pure function: bytes in, a valid Interaction or a rejection out."""

from __future__ import annotations

from dataclasses import dataclass

from streams.kafka.codec import Codec, CodecError
from streams.model import Interaction
from streams.records.validation import InvalidRecord, validate_interaction


@dataclass(frozen=True, slots=True)
class Rejection:
    """Why a record cannot be processed: a short reason code, the stage, and a detail text."""

    reason: str
    stage: str
    detail: str


def check_interaction(
    raw: bytes | None, codec: Codec[Interaction], now_ms: int, max_future_ms: int
) -> Interaction | Rejection:
    """Decode and validate ``raw``; never raises for bad input (an unforeseen error is the
    rejection ``check_error``)."""
    if not raw:
        return Rejection("empty", "decode", "empty message value")
    try:
        record = codec.decode(raw)
    except CodecError as error:
        return Rejection(error.reason, "decode", str(error))
    except Exception as error:  # the codec's own guard missed it: still this record's fault
        return Rejection("check_error", "decode", f"{type(error).__name__}: {error}")
    try:
        validate_interaction(record, now_ms, max_future_ms)
    except InvalidRecord as error:
        return Rejection(error.reason, "validate", str(error))
    except Exception as error:
        return Rejection("check_error", "validate", f"{type(error).__name__}: {error}")
    return record
