"""The ingest stage as a pure function: bytes in, valid Interactions or rejections out.

A record of the interactions topic is a single ``orgpulse.Interaction`` or an
``orgpulse.InteractionBatch`` envelope, told apart by the fingerprint (or registry id) in its
header. Each item of an envelope is checked alone; a bad item is rejected with its own
single-object bytes and its index, so the DLQ holds it alone.
"""

from __future__ import annotations

from dataclasses import dataclass

from streams.kafka.codec import Codec, CodecError, envelope_codec, interaction_codec
from streams.model import Interaction, InteractionBatch
from streams.records.validation import InvalidRecord, validate_interaction
from streams.settings import Settings


@dataclass(frozen=True, slots=True)
class Rejection:
    """Why a record cannot be processed: a short reason code, the stage, and a detail text."""

    reason: str
    stage: str
    detail: str


@dataclass(frozen=True, slots=True)
class Codecs:
    """The two codecs of the interactions topic: single events and envelopes."""

    interactions: Codec[Interaction]
    envelopes: Codec[InteractionBatch]

    @classmethod
    def from_settings(cls, settings: Settings) -> Codecs:
        """Both codecs, framed as ``settings`` say."""
        return cls(interaction_codec(settings), envelope_codec(settings))


@dataclass(frozen=True, slots=True)
class Checked:
    """One event of a record: a valid Interaction or its Rejection.

    ``index`` is its position in an envelope (``None`` for a single-event record). ``value``
    is what to dead-letter it with: its own single-object bytes, or ``None`` for the record's
    bytes, whole (a single event, a corrupt envelope, or an item that cannot be re-encoded).
    """

    result: Interaction | Rejection
    index: int | None = None
    value: bytes | None = None


def check_record(
    raw: bytes | None, codecs: Codecs, now_ms: int, max_future_ms: int
) -> list[Checked]:
    """The events of one record, each valid or rejected; never raises for bad input."""
    if raw and codecs.envelopes.writes(raw):
        return check_envelope(raw, codecs, now_ms, max_future_ms)
    return [Checked(check_interaction(raw, codecs.interactions, now_ms, max_future_ms))]


def check_envelope(raw: bytes, codecs: Codecs, now_ms: int, max_future_ms: int) -> list[Checked]:
    """The items of an envelope, each checked alone; an item of another tenant is rejected
    (``tenant_mismatch``); a corrupt envelope is one rejection of the whole record."""
    try:
        batch = codecs.envelopes.decode(raw)
    except CodecError as error:
        return [Checked(Rejection(error.reason, "decode", str(error)))]
    except Exception as error:  # the codec's own guard missed it: still this record's fault
        return [Checked(Rejection("check_error", "decode", f"{type(error).__name__}: {error}"))]
    checked = []
    for index, item in enumerate(batch["items"]):
        result = _validated(item, now_ms, max_future_ms)
        if not isinstance(result, Rejection) and item["tenant"] != batch["tenant"]:
            result = Rejection("tenant_mismatch", "validate", "item tenant is not the envelope's")
        if isinstance(result, Rejection):
            checked.append(Checked(result, index, own_bytes(codecs.interactions, item)))
        else:
            checked.append(Checked(result, index))
    return checked


def own_bytes(codec: Codec[Interaction], item: Interaction) -> bytes | None:
    """An envelope item's own single-object bytes (what the DLQ holds for it alone), or
    ``None`` when it cannot be encoded alone (the envelope is then dead-lettered whole)."""
    try:
        return codec.encode(item)
    except Exception:  # CodecError, or anything the codec's guard missed
        return None


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
    return _validated(record, now_ms, max_future_ms)


def _validated(record: Interaction, now_ms: int, max_future_ms: int) -> Interaction | Rejection:
    try:
        validate_interaction(record, now_ms, max_future_ms)
    except InvalidRecord as error:
        return Rejection(error.reason, "validate", str(error))
    except Exception as error:
        return Rejection("check_error", "validate", f"{type(error).__name__}: {error}")
    return record
