"""Pseudonymization: stable keyed pseudonyms, and no raw identifier ever reaches a topic."""

from __future__ import annotations

from dataclasses import asdict

import pytest
from pydantic import SecretStr
from support.events import decoded_events

from connectors.expected import KEY, epoch_ms, namespaced, pseudonym
from connectors.kafka_io import read_all
from streams.connectors.builder import RecordBuilder
from streams.connectors.emitter import Emitter
from streams.connectors.pseudonym import Pseudonymizer
from streams.connectors.records import RawInteraction, RawPerson
from streams.settings import Settings

RAW_IDS = (
    "alice.smith@example.com",
    "bob.jones@example.com",
    "carol.white@example.com",
    "U024BE7LH-dave",
    "erin.o'brien@example.org",
    "frank.müller@beispiel.de",
)
T0 = epoch_ms(2024, 5, 2, 14)


def test_same_input_same_pseudonym_and_independent_of_cache() -> None:
    first, second = Pseudonymizer(b"k1"), Pseudonymizer(b"k1")
    for raw in RAW_IDS:
        assert first("acme", raw) == first("acme", raw) == second("acme", raw)


def test_pseudonym_is_the_documented_hmac() -> None:
    key = b"a-secret-key"
    pseudo = Pseudonymizer(key)
    for tenant in ("acme", "globex", "t"):
        for raw in RAW_IDS:
            assert pseudo(tenant, raw) == pseudonym(key, tenant, raw)


def test_key_and_tenant_change_the_pseudonym() -> None:
    raw = "alice.smith@example.com"
    base = Pseudonymizer(b"k1")("acme", raw)
    assert Pseudonymizer(b"k2")("acme", raw) != base
    assert Pseudonymizer(b"k1")("globex", raw) != base
    # the tenant/id boundary is part of the message: shifting characters across it changes it
    assert Pseudonymizer(b"k1")("acm", "e" + raw) != base
    assert len({Pseudonymizer(b"k1")("acme", r) for r in RAW_IDS}) == len(RAW_IDS)


def test_empty_key_is_refused() -> None:
    with pytest.raises(ValueError):
        Pseudonymizer(b"")


def test_builder_uses_the_settings_key() -> None:
    rotated = "rotated-key-" + "r" * 20
    settings = Settings(pseudonym_key=SecretStr(rotated))
    raw = RawInteraction("e1", "acme", "slack", "message", T0, RAW_IDS[0], (RAW_IDS[1],))
    record = RecordBuilder(settings).interaction(raw)
    assert record["actor"] == pseudonym(rotated.encode(), "acme", RAW_IDS[0])
    assert record["targets"] == [pseudonym(rotated.encode(), "acme", RAW_IDS[1])]
    default = RecordBuilder(Settings()).interaction(raw)
    assert default["actor"] == pseudonym(KEY, "acme", RAW_IDS[0])


def records_with_raw_ids(tenant: str) -> list[RawInteraction | RawPerson]:
    people: list[RawInteraction | RawPerson] = [
        RawPerson(tenant, raw, "team-a" if n % 2 else "team-b", RAW_IDS[0] if n else None)
        for n, raw in enumerate(RAW_IDS)
    ]
    people.append(RawPerson(tenant, RAW_IDS[-1], "team-a", removed=True))
    events: list[RawInteraction | RawPerson] = [
        RawInteraction(
            f"<msg-{n}@mail.example.com>",
            tenant,
            "slack",
            "request" if n == 0 else "reply",
            T0 + n,
            actor,
            tuple(r for r in RAW_IDS if r != actor),
            thread_id="thread-of-alice.smith",
            in_reply_to=None if n == 0 else "<msg-0@mail.example.com>",
            channel="private-channel-name",
            artifacts=("https://wiki.example.com/private-page",),
            attributes={"message": "<msg-0@mail.example.com>", "emoji": "tada", "ip": "10.1.2.3"},
        )
        for n, actor in enumerate(RAW_IDS)
    ]
    return people + events


RAW_VALUES = (
    "msg-",
    "mail.example.com",
    "thread-of-alice",
    "private-channel-name",
    "wiki.example.com",
    "private-page",
    "10.1.2.3",
)
"""Fragments of the raw event, thread, channel, artifact and attribute values above."""


def test_no_raw_identifier_reaches_the_topics(sdk_settings: Settings) -> None:
    with Emitter(sdk_settings, envelopes=False) as emitter:
        for record in records_with_raw_ids("acme"):
            emitter.emit(record)
    messages = read_all(sdk_settings.bootstrap, sdk_settings.topic_interactions) + read_all(
        sdk_settings.bootstrap, sdk_settings.topic_directory
    )
    assert len(messages) == 2 * len(RAW_IDS) + 1
    raw = [*RAW_IDS, *RAW_VALUES]
    needles = [r.encode() for r in raw] + [r.encode("utf-16-le") for r in raw]
    needles += [r.split("@")[0].encode() for r in RAW_IDS]  # local parts too
    for message in messages:
        blob = (message.key or b"") + b"\x00" + (message.value or b"")
        for needle in needles:
            assert needle not in blob, (needle, message)
    events = decoded_events(sdk_settings, (m.value for m in messages[: len(RAW_IDS)]))
    root = namespaced("event", "acme", "<msg-0@mail.example.com>")
    assert [e["in_reply_to"] for e in events] == [None] + [root] * (len(RAW_IDS) - 1)
    assert {e["attributes"]["message"] for e in events} == {root}


def test_every_kind_of_id_has_its_own_namespace() -> None:
    raw = "alice.smith@example.com"
    request = RawInteraction(
        raw, "acme", "email", "request", T0, raw, (RAW_IDS[1],), raw, None, raw, (raw,)
    )
    record = RecordBuilder(Settings()).interaction(request)
    kinds = ("event", "thread", "channel", "artifact")
    assert record["event_id"] == namespaced("event", "acme", raw)
    assert record["thread_id"] == namespaced("thread", "acme", raw)
    assert record["channel"] == namespaced("channel", "acme", raw)
    assert record["artifacts"] == [namespaced("artifact", "acme", raw)]
    assert record["actor"] == pseudonym(KEY, "acme", raw)
    assert len({record["actor"], *(namespaced(k, "acme", raw) for k in kinds)}) == 5
    reply = RawInteraction("r1", "acme", "email", "reply", T0, RAW_IDS[1], (raw,), in_reply_to=raw)
    assert RecordBuilder(Settings()).interaction(reply)["in_reply_to"] == record["event_id"]


def test_attributes_pass_only_through_the_allow_list() -> None:
    attributes = {"message": "C1:1.0", "emoji": "tada", "note": "private text"}
    builder = RecordBuilder(Settings())
    reaction = RawInteraction(
        "C1:1.0/reaction/tada/0",
        "acme",
        "slack",
        "reaction",
        T0,
        RAW_IDS[0],
        (RAW_IDS[1],),
        attributes=attributes,
    )
    assert builder.interaction(reaction)["attributes"] == {
        "message": namespaced("event", "acme", "C1:1.0"),
        "emoji": "tada",
    }
    other = RawInteraction(**{**asdict(reaction), "source": "custom"})
    assert builder.interaction(other)["attributes"] == {}


def test_channels_pseudonymized_unless_switched_off(sdk_settings: Settings) -> None:
    plain = sdk_settings.model_copy(update={"pseudonymize_channels": False})
    raw = RawInteraction(
        "e1", "acme", "slack", "message", T0, RAW_IDS[0], (RAW_IDS[1],), channel="#hr-layoffs"
    )
    assert RecordBuilder(plain).interaction(raw)["channel"] == "#hr-layoffs"
    channel_pseudonym = pseudonym(KEY, "acme", "channel\x1f#hr-layoffs")
    assert channel_pseudonym != pseudonym(KEY, "acme", "#hr-layoffs")
    assert RecordBuilder(sdk_settings).interaction(raw)["channel"] == channel_pseudonym
    no_channel = RawInteraction("e2", "acme", "slack", "message", T0, RAW_IDS[0])
    assert RecordBuilder(sdk_settings).interaction(no_channel)["channel"] is None
    with Emitter(sdk_settings) as emitter:
        emitter.emit(raw)
    (message,) = read_all(sdk_settings.bootstrap, sdk_settings.topic_interactions)
    assert message.value is not None and b"hr-layoffs" not in message.value
    (decoded,) = decoded_events(sdk_settings, [message.value])
    assert decoded["channel"] == channel_pseudonym
