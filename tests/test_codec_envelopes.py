"""Envelopes (``orgpulse.InteractionBatch``): framing, bounds, and the worker's check of each
item alone; random bytes never raise anything but ``CodecError`` (or yield a rejection)."""

from __future__ import annotations

import uuid
from itertools import pairwise

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from streams.kafka import schemas
from streams.kafka.codec import REASONS, SINGLE_OBJECT_MAGIC, CodecError
from streams.kafka.envelopes import COUNT_BYTES, Packer
from streams.model import Interaction, InteractionBatch, new_interaction
from streams.records.check import Codecs, Rejection, check_record
from streams.settings import Settings

T0 = 1_790_000_000_000
NOW = T0 + 3_600_000
PLAIN = Codecs.from_settings(Settings(schema_registry_url=None))


def events(count: int, tenant: str = "acme", first: int = 0) -> list[Interaction]:
    """``count`` valid events of ``tenant``, a minute apart."""
    return [
        new_interaction(f"e{i}", tenant, T0 + i * 60_000, f"p{i % 5}", [f"p{(i + 1) % 5}"])
        for i in range(first, first + count)
    ]


def batch(items: list[Interaction], tenant: str = "acme") -> InteractionBatch:
    return {"tenant": tenant, "items": items}


def test_own_fingerprint_in_the_single_object_header() -> None:
    encoded = PLAIN.envelopes.encode(batch(events(3)))
    expected = schemas.fingerprint(schemas.load(schemas.INTERACTION_BATCH))
    assert encoded[:10] == SINGLE_OBJECT_MAGIC + expected
    assert expected != PLAIN.interactions.fingerprint
    assert PLAIN.envelopes.writes(encoded) and not PLAIN.interactions.writes(encoded)
    with pytest.raises(CodecError) as caught:
        PLAIN.interactions.decode(encoded)
    assert caught.value.reason == "unknown_schema"


@pytest.mark.parametrize("registry", [None, "mock"])
def test_round_trip_and_dispatch_in_both_framings(registry: str | None) -> None:
    url = None if registry is None else f"mock://envelopes-{uuid.uuid4().hex}"
    codecs = Codecs.from_settings(Settings(schema_registry_url=url))
    envelope = codecs.envelopes.encode(batch(events(4)))
    single = codecs.interactions.encode(events(1)[0])
    assert codecs.envelopes.decode(envelope) == batch(events(4))
    assert (codecs.envelopes.writes(envelope), codecs.envelopes.writes(single)) == (True, False)
    assert (codecs.interactions.writes(single), codecs.interactions.writes(envelope)) == (
        True,
        False,
    )
    checked = check_record(envelope, codecs, NOW, 0) + check_record(single, codecs, NOW, 0)
    assert [c.result for c in checked] == [*events(4), events(1)[0]]
    assert [c.index for c in checked] == [0, 1, 2, 3, None]


def test_a_bad_item_is_rejected_alone_with_its_own_bytes_and_index() -> None:
    items = events(5)
    items[1] = {**items[1], "weight": -1.0}
    items[3] = {**items[3], "tenant": "globex"}
    checked = check_record(PLAIN.envelopes.encode(batch(items)), PLAIN, NOW, 0)
    assert [c.index for c in checked] == [0, 1, 2, 3, 4]
    rejected = {c.index or 0: c for c in checked if isinstance(c.result, Rejection)}
    assert {i: c.result.reason for i, c in rejected.items()} == {  # type: ignore[union-attr]
        1: "bad_weight",
        3: "tenant_mismatch",
    }
    for index, item in rejected.items():
        assert item.value is not None
        assert PLAIN.interactions.decode(item.value) == items[index]
    assert [c.result for c in checked if c.index not in rejected] == [items[0], items[2], items[4]]


def test_a_corrupt_envelope_is_one_rejection_of_the_whole_record() -> None:
    encoded = PLAIN.envelopes.encode(batch(events(3)))
    (checked,) = check_record(encoded[:-5], PLAIN, NOW, 0)
    assert isinstance(checked.result, Rejection) and checked.result.reason == "truncated"
    assert (checked.index, checked.value) == (None, None)


def test_packer_bounds_envelopes_by_count_and_bytes_and_keeps_order() -> None:
    stream = [e for i in range(0, 40, 10) for e in events(10, "acme", i) + events(3, "globex", i)]
    counted = list(Packer(PLAIN.interactions, PLAIN.envelopes, 7, 1 << 20).pack(stream))
    assert {len(e.items) for e in counted} <= set(range(1, 8))
    by_tenant = {
        t: [i for e in counted if e.tenant == t for i in e.items] for t in ("acme", "globex")
    }
    assert by_tenant == {t: [e for e in stream if e["tenant"] == t] for t in by_tenant}
    sizes = {e["event_id"]: len(PLAIN.interactions.encode(e)) for e in events(23)}
    budget = 5 * max(sizes.values()) + 64
    packer = Packer(PLAIN.interactions, PLAIN.envelopes, 1000, budget)
    sized = list(packer.pack(events(23)))
    assert len(sized) > 3 and all(len(packer.encode(e)) <= budget for e in sized)
    for full, after in pairwise(sized):  # greedy: the next one did not fit (up to the count
        grown = PLAIN.envelopes.encode(batch([*full.items, after.items[0]]))  # reserve)
        assert len(grown) + COUNT_BYTES > budget
    decoded = [i for e in sized for i in PLAIN.envelopes.decode(packer.encode(e))["items"]]
    assert decoded == events(23)


@pytest.mark.parametrize("registry", [None, "mock"])
def test_packed_bytes_are_the_codecs_encoding_of_the_envelope(registry: str | None) -> None:
    url = None if registry is None else f"mock://packed-{uuid.uuid4().hex}"
    codecs = Codecs.from_settings(Settings(schema_registry_url=url))
    stream = events(300) + events(2, "ü-tenant")
    packer = Packer(codecs.interactions, codecs.envelopes, 250, 1 << 20)
    for envelope in packer.pack(stream):
        expected = codecs.envelopes.encode(batch(envelope.items, envelope.tenant))
        assert packer.encode(envelope) == expected


def test_the_default_bounds_stay_far_under_the_broker_limit() -> None:
    settings = Settings()
    assert settings.envelope_max_bytes <= 1024 * 1024 // 2
    assert settings.envelope_max_events > 1 and settings.envelope_linger_seconds <= 0.1


HEADER = SINGLE_OBJECT_MAGIC + PLAIN.envelopes.fingerprint


@given(data=st.binary(max_size=256))
@example(data=b"")
@example(data=HEADER)
def test_random_bytes_raise_only_codec_error(data: bytes) -> None:
    for raw in (data, HEADER + data):
        try:
            PLAIN.envelopes.decode(raw)
        except CodecError as error:
            assert error.reason in REASONS


@given(body=st.binary(max_size=256), items=st.integers(0, 4))
def test_checking_random_envelope_bodies_never_raises(body: bytes, items: int) -> None:
    valid = PLAIN.envelopes.encode(batch(events(items)))
    for raw in (HEADER + body, valid + body, valid[: len(valid) - len(body) % len(valid)]):
        for checked in check_record(raw, PLAIN, NOW, 0):
            assert isinstance(checked.result, Rejection) or checked.result["tenant"] == "acme"
