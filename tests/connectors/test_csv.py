"""The generic CSV format of DESIGN §5: events and directory files."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from support.events import decoded_events

from connectors.expected import KEY, epoch_ms, namespaced, pseudonym
from connectors.kafka_io import read_all
from streams.connectors.csv_files import CsvConnector
from streams.connectors.emitter import Emitter
from streams.connectors.records import RawInteraction, RawPerson, Skipped
from streams.kafka.codec import person_codec
from streams.settings import Settings

HEADER = (
    "event_id,occurred_at,source,kind,actor,targets,thread_id,in_reply_to,channel,artifacts,weight"
)
EVENTS = f"""{HEADER}
e1,2024-03-01T09:00:00Z,slack,request,alice@example.com,bob@example.com;carol@example.com,t-1,,general,https://x.test/a;https://x.test/b,
e2,1709283600,slack,reply,bob@example.com,alice@example.com,t-1,e1,,,2.5
e3,yesterday-ish,slack,message,alice@example.com,bob@example.com,,,,,
e4,2024-03-01T10:30:00+01:00,email,message,carol@example.com,,,,,,
e5,1709283600.25,github,review,carol@example.com,alice@example.com;;bob@example.com,pr-7,,,,0.5
e6,,slack,message,alice@example.com,bob@example.com,,,,,
e7,2024-03-01T11:00:00,jira,comment,bob@example.com,carol@example.com,,,,,
"""
DIRECTORY = """person,team,manager
alice@example.com,search,
bob@example.com,search,alice@example.com
carol@example.com,ads
"""


def write(tmp_path: Path, name: str, text: str, bom: bool = False) -> Path:
    path = tmp_path / name
    path.write_bytes(("\ufeff" if bom else "").encode() + text.encode())
    return path


def test_events_file_parses_to_raw_interactions(tmp_path: Path) -> None:
    items = list(CsvConnector(write(tmp_path, "events.csv", EVENTS), "acme").records())
    assert len(items) == 7
    skipped = [i for i in items if isinstance(i, Skipped)]
    assert [(s.reason, s.where) for s in skipped] == [
        ("bad_timestamp", "events.csv:4"),
        ("bad_timestamp", "events.csv:7"),
    ]
    events = {i.event_id: i for i in items if isinstance(i, RawInteraction)}
    assert list(events) == ["e1", "e2", "e4", "e5", "e7"]
    e1, e2, e4, e5, e7 = events.values()
    assert e1.occurred_at == epoch_ms(2024, 3, 1, 9)
    assert e1.targets == ("bob@example.com", "carol@example.com")
    assert e1.artifacts == ("https://x.test/a", "https://x.test/b")
    assert (e1.thread_id, e1.in_reply_to, e1.channel, e1.weight) == ("t-1", None, "general", 1.0)
    assert (e1.tenant, e1.source, e1.kind, e1.actor) == (
        "acme",
        "slack",
        "request",
        "alice@example.com",
    )
    assert e2.occurred_at == 1_709_283_600_000 and e2.in_reply_to == "e1" and e2.weight == 2.5
    assert (e2.channel, e2.artifacts) == (None, ())
    assert e4.occurred_at == epoch_ms(2024, 3, 1, 9, 30) and e4.targets == ()
    assert (e4.thread_id, e4.in_reply_to, e4.channel) == (None, None, None)
    assert e5.occurred_at == 1_709_283_600_250 and e5.weight == 0.5
    assert e5.targets == ("alice@example.com", "bob@example.com")
    assert e7.occurred_at == epoch_ms(2024, 3, 1, 11)  # no offset: UTC


def test_directory_file_comes_first(tmp_path: Path) -> None:
    connector = CsvConnector(
        write(tmp_path, "events.csv", EVENTS),
        "acme",
        write(tmp_path, "people.csv", DIRECTORY, bom=True),
    )
    items = list(connector.records())
    people = [i for i in items[:3] if isinstance(i, RawPerson)]
    assert people == [
        RawPerson("acme", "alice@example.com", "search", None),
        RawPerson("acme", "bob@example.com", "search", "alice@example.com"),
        RawPerson("acme", "carol@example.com", "ads", None),
    ]
    assert not any(isinstance(i, RawPerson) for i in items[3:])


def test_bad_weight_row_is_skipped(tmp_path: Path) -> None:
    text = f"{HEADER}\ne1,1709283600,slack,message,a,b,,,,,heavy\n"
    (item,) = CsvConnector(write(tmp_path, "events.csv", text), "acme").records()
    assert item == Skipped("bad_weight", "events.csv:2")


def test_short_row_is_skipped_not_a_crash(tmp_path: Path) -> None:
    text = f"{HEADER}\ne1\ne2,1709283600,slack,message,a,b,,,,,\n"
    items = list(CsvConnector(write(tmp_path, "events.csv", text), "acme").records())
    assert [type(i) for i in items] == [Skipped, RawInteraction]


def test_missing_required_columns_are_reported(tmp_path: Path) -> None:
    text = "event_id,when,kind,actor\ne1,1709283600,message,a\n"
    with pytest.raises(ValueError, match="occurred_at"):
        list(CsvConnector(write(tmp_path, "events.csv", text), "acme").records())


def test_csv_import_on_the_broker(tmp_path: Path, sdk_settings: Settings) -> None:
    connector = CsvConnector(
        write(tmp_path, "events.csv", EVENTS), "acme", write(tmp_path, "people.csv", DIRECTORY)
    )
    summary = connector.run(Emitter(sdk_settings))
    assert (summary.read, summary.produced) == (10, 8)
    assert summary.skipped == Counter({"bad_timestamp": 2})
    assert summary.delivery.delivered == 8
    reads = read_all(sdk_settings.bootstrap, sdk_settings.topic_interactions)
    events = decoded_events(sdk_settings, (m.value for m in reads))
    event_ids = [namespaced("event", "acme", raw) for raw in ("e1", "e2", "e4", "e5", "e7")]
    assert [e["event_id"] for e in events] == event_ids
    assert events[1]["targets"] == [pseudonym(KEY, "acme", "alice@example.com")]
    assert events[1]["in_reply_to"] == event_ids[0]
    assert events[1]["channel"] is None
    assert events[1]["thread_id"] == namespaced("thread", "acme", "t-1")
    assert events[0]["channel"] == namespaced("channel", "acme", "general")
    assert events[0]["artifacts"] == [
        namespaced("artifact", "acme", url) for url in ("https://x.test/a", "https://x.test/b")
    ]
    directory = person_codec(sdk_settings)
    teams = [
        directory.decode(m.value)["team"]
        for m in read_all(sdk_settings.bootstrap, sdk_settings.topic_directory)
        if m.value is not None
    ]
    assert teams == ["search", "search", "ads"]
