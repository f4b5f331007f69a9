"""The mbox importer on the hand-written archive fixtures/mail/team.mbox.

Expected values are read off the fixture by hand: encoded display names, time zones (+0100,
-0500, -0000, -0800), a missing and a garbled Date, a sender without an address, a message
without Message-ID, a bare Message-ID, folded References, 8-bit and encoded subjects.
"""

from __future__ import annotations

import hashlib
import mailbox
from collections import Counter
from email.message import Message
from pathlib import Path

import pytest
from support.events import decoded_events

from connectors.expected import KEY, epoch_ms, namespaced, pseudonym
from connectors.kafka_io import read_all
from streams.connectors.emitter import Emitter
from streams.connectors.mbox import MboxConnector, addresses, message_ids, occurred_at
from streams.connectors.records import RawInteraction, Skipped, SourceItem
from streams.settings import Settings

MBOX = Path(__file__).parent / "fixtures" / "mail" / "team.mbox"
TENANT = "acme"
ALICE, BOB, CAROL, DAVE = (f"{name}@acme.test" for name in ("alice", "bob", "carol", "dave"))
ROOT, REPLY, SECOND, BARE = (
    "root-1@mail.acme.test",
    "reply-2@mail.acme.test",
    "reply-3@mail.acme.test",
    "bare-8@mail.acme.test",
)


def artifact(normalized: str) -> str:
    """The artifact id of an already normalized URL, computed here."""
    return "a_" + hashlib.sha256(normalized.encode()).hexdigest()[:32]


def items() -> list[SourceItem]:
    """Every record of the fixture archive."""
    return list(MboxConnector([MBOX], TENANT).records())


def events() -> dict[str, RawInteraction]:
    """The interactions of the fixture archive by event id."""
    return {r.event_id: r for r in items() if isinstance(r, RawInteraction)}


def test_unusable_messages_are_skipped_then_events_follow_in_time_order() -> None:
    records = items()
    assert records[:4] == [
        Skipped("missing_date", "team.mbox[3]"),
        Skipped("bad_date", "team.mbox[4]"),
        Skipped("bad_from", "team.mbox[5]"),
        Skipped("missing_message_id", "team.mbox[6]"),
    ]
    later = [r for r in records[4:] if isinstance(r, RawInteraction)]
    assert [r.event_id for r in later] == [BARE, ROOT, REPLY, SECOND]
    assert len(records) == 8


def test_root_message() -> None:
    root = events()[ROOT]
    assert (root.kind, root.actor, root.targets) == ("message", ALICE, (BOB, CAROL))
    assert (root.thread_id, root.in_reply_to, root.channel) == (
        ROOT,
        None,
        "search.lists.acme.test",
    )
    assert (root.source, root.tenant) == ("email", TENANT)
    assert root.occurred_at == epoch_ms(2024, 3, 1, 9)  # 10:00 +0100
    assert root.artifacts == (artifact("https://wiki.acme.test/Runbooks"),)


def test_replies_link_to_parent_and_thread_root() -> None:
    by_id = events()
    reply = by_id[REPLY]
    assert (reply.kind, reply.actor, reply.targets) == ("reply", BOB, (ALICE,))
    assert (reply.thread_id, reply.in_reply_to) == (ROOT, ROOT)
    assert reply.occurred_at == epoch_ms(2024, 3, 1, 9, 30)  # 04:30 -0500
    assert reply.artifacts == (artifact("https://docs.acme.test/runbook"),)  # quote ignored
    second = by_id[SECOND]
    assert (second.kind, second.actor, second.targets) == ("reply", CAROL, (BOB,))
    assert (second.thread_id, second.in_reply_to) == (ROOT, REPLY)
    assert second.occurred_at == epoch_ms(2024, 3, 1, 9, 45)  # -0000: UTC
    assert (second.channel, second.artifacts) == (None, ())


def test_bare_message_id_8bit_subject_and_multipart_body() -> None:
    bare = events()[BARE]
    assert (bare.kind, bare.actor, bare.targets, bare.thread_id) == (
        "message",
        DAVE,
        (ALICE,),
        BARE,
    )
    assert bare.occurred_at == epoch_ms(2024, 3, 1, 7, 30)  # 23:30 -0800 the day before
    assert bare.artifacts == (artifact("https://git.acme.test/search/pull/7"),)


def test_header_helpers() -> None:
    assert addresses("=?utf-8?q?J=C3=B6rg?= <Joerg@Example.DE>, x, Bob <BOB@x.test>") == [
        "joerg@example.de",
        "bob@x.test",
    ]
    assert addresses("Doe, John <john@x.test>, john@x.test", "") == ["john@x.test"]
    assert message_ids("<a@b> (comment)\n <c@d>") == ["a@b", "c@d"]
    message = Message()
    message["Date"] = "Fri, 31 Feb 2024 10:00:00 +0000"
    with pytest.raises(ValueError, match="bad_date"):
        occurred_at(message)


def test_missing_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(mailbox.NoSuchMailboxError):
        list(MboxConnector([tmp_path / "absent.mbox"], TENANT).records())
    assert not (tmp_path / "absent.mbox").exists()


def test_mbox_import_on_the_broker(sdk_settings: Settings) -> None:
    summary = MboxConnector([MBOX], TENANT).run(Emitter(sdk_settings))
    assert (summary.read, summary.produced, summary.delivery.delivered) == (8, 4, 4)
    assert summary.skipped == Counter(
        {"missing_date": 1, "bad_date": 1, "bad_from": 1, "missing_message_id": 1}
    )
    messages = read_all(sdk_settings.bootstrap, sdk_settings.topic_interactions)
    for message in messages:
        for raw in (ALICE, BOB, CAROL, DAVE, "Alice@Acme.Test", "carol@ACME.test", ROOT, BARE):
            assert raw.encode() not in (message.value or b"") + (message.key or b"")
    decoded = decoded_events(sdk_settings, (m.value for m in messages))
    events = [namespaced("event", TENANT, raw) for raw in (BARE, ROOT, REPLY, SECOND)]
    assert [e["event_id"] for e in decoded] == events
    assert decoded[1]["targets"] == [
        pseudonym(KEY, TENANT, BOB),
        pseudonym(KEY, TENANT, CAROL),
    ]
    assert decoded[3]["actor"] == pseudonym(KEY, TENANT, CAROL)
    assert decoded[3]["in_reply_to"] == events[2]
    assert decoded[3]["thread_id"] == namespaced("thread", TENANT, ROOT)
    assert read_all(sdk_settings.bootstrap, sdk_settings.topic_directory) == []
