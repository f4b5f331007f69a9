"""The Stack Exchange importer on the bicycles.meta dump: mapping, feedback latencies, Kafka.

Expectations are computed here with plain Python over the XML files, independently of the
connector and of ``streams.analytics``.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

from support.data import STACKEXCHANGE
from support.events import decoded_events

from connectors.expected import KEY, id_fields, nearest_rank, pseudonym
from connectors.kafka_io import read_all
from streams.connectors.base import Connector
from streams.connectors.emitter import Emitter
from streams.connectors.records import RawInteraction, RawPerson, Skipped, SourceItem
from streams.connectors.stackexchange import StackExchangeConnector
from streams.engine.offline import analyze
from streams.kafka.codec import person_codec
from streams.settings import Settings

TENANT = "bicycles-meta"
WINDOW = "5000d"  # 2010-08 … 2023-08 in one window
HORIZON_MS = 14 * 86400 * 1000
COMMUNITY = "-1"
"""The Community user, a bot in the directory: bots never answer requests."""


def xml(name: str) -> list[dict[str, str]]:
    """The attributes of every row of one dump file (parsed whole: the test's own reader)."""
    data = (STACKEXCHANGE / name).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # the dump's BOM
    return [dict(row.attrib) for row in ET.fromstring(data[3:]).iter("row")]


def ms(text: str) -> int:
    """A dump CreationDate (UTC, no offset) in epoch milliseconds."""
    return round(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp() * 1000)


@dataclass
class Dump:
    """The three files of the dump, read by the test."""

    posts: dict[str, dict[str, str]] = field(default_factory=dict)
    comments: list[dict[str, str]] = field(default_factory=list)
    users: list[dict[str, str]] = field(default_factory=list)

    def question_of(self, post_id: str) -> str:
        """The question id of a question or answer."""
        post = self.posts[post_id]
        return post["Id"] if post["PostTypeId"] == "1" else post["ParentId"]


@cache
def dump() -> Dump:
    """The dump, read once."""
    return Dump({p["Id"]: p for p in xml("Posts.xml")}, xml("Comments.xml"), xml("Users.xml"))


@cache
def items() -> tuple[SourceItem, ...]:
    """Everything the connector yields for the real dump."""
    return tuple(StackExchangeConnector(STACKEXCHANGE, TENANT).records())


def events() -> list[RawInteraction]:
    """The connector's interactions, in the order yielded."""
    return [i for i in items() if isinstance(i, RawInteraction)]


def band(user: dict[str, str]) -> str:
    """The documented team rule: Community is ``system``, else reputation bands."""
    if user["Id"] == COMMUNITY:
        return "system"
    reputation = int(user["Reputation"])
    return (
        "rep-10k-plus"
        if reputation >= 10000
        else "rep-1k-10k"
        if reputation >= 1000
        else ("rep-under-1k")
    )


@dataclass(frozen=True)
class Response:
    """Someone other than the asker acting on a question's thread."""

    at: int
    user: str


def responses() -> dict[str, list[Response]]:
    """Question id → answers and comments (on it or its answers) by a known user."""
    d = dump()
    out: dict[str, list[Response]] = {}
    for post in d.posts.values():
        if post["PostTypeId"] == "2" and "OwnerUserId" in post:
            out.setdefault(post["ParentId"], []).append(
                Response(ms(post["CreationDate"]), post["OwnerUserId"])
            )
    for comment in d.comments:
        if "UserId" in comment:
            out.setdefault(d.question_of(comment["PostId"]), []).append(
                Response(ms(comment["CreationDate"]), comment["UserId"])
            )
    return out


def expected_feedback() -> dict[str, object]:
    """The snapshot feedback section: first answer or comment by someone else per question."""
    d = dump()
    teams = {u["Id"]: band(u) for u in d.users}
    questions = [p for p in d.posts.values() if p["PostTypeId"] == "1" and "OwnerUserId" in p]
    as_of = max(
        [ms(p["CreationDate"]) for p in d.posts.values() if "OwnerUserId" in p]
        + [ms(c["CreationDate"]) for c in d.comments if "UserId" in c]
    )
    by_question = responses()
    latencies: list[float] = []
    scoped: dict[bool, list[float]] = {True: [], False: []}
    still_open = 0
    for question in questions:
        asker, at = question["OwnerUserId"], ms(question["CreationDate"])
        others = [
            r
            for r in by_question.get(question["Id"], [])
            if r.user not in (asker, COMMUNITY) and r.at >= at
        ]
        first = min(others, key=lambda r: r.at, default=None)
        if first is not None and first.at - at <= HORIZON_MS:
            latency = (first.at - at) / 1000
            latencies.append(latency)
            scoped[teams[first.user] == teams[asker]].append(latency)
        elif as_of - at <= HORIZON_MS:  # not yet past the horizon: open
            still_open += 1

    def scope(values: list[float]) -> dict[str, object]:
        return {
            "answered": len(values),
            "p50_seconds": nearest_rank(values, 0.5),
            "p90_seconds": nearest_rank(values, 0.9),
        }

    return {
        "requests": len(questions),
        "answered": len(latencies),
        "unanswered": len(questions) - len(latencies) - still_open,
        "open": still_open,
        "p50_seconds": nearest_rank(latencies, 0.5),
        "p90_seconds": nearest_rank(latencies, 0.9),
        "within_team": scope(scoped[True]),
        "cross_team": scope(scoped[False]),
    }


def rounded(section: dict[str, object]) -> dict[str, object]:
    """Floats rounded to 3 decimals (millisecond timestamps), recursively."""
    return {
        k: rounded(v) if isinstance(v, dict) else round(v, 3) if isinstance(v, float) else v
        for k, v in section.items()
    }


# --- offline analysis -------------------------------------------------------------------


def test_feedback_matches_an_independent_computation() -> None:
    settings = Settings(windows=(WINDOW,), silo_window=WINDOW)
    result = analyze(items(), settings)
    assert result.skipped == Counter({"no_owner": 126, "unsupported_post_type": 22})
    snapshot = result.runtime.state(TENANT).snapshot(WINDOW)
    expected = expected_feedback()
    assert (expected["requests"], expected["answered"]) == (428, 406)
    assert rounded(snapshot["feedback"]) == rounded(expected)


# --- mapping ----------------------------------------------------------------------------


def test_counts_and_kinds_match_the_files() -> None:
    d = dump()
    owned = Counter(p["PostTypeId"] for p in d.posts.values() if "OwnerUserId" in p)
    commented = sum(1 for c in d.comments if "UserId" in c)
    assert Counter(e.kind for e in events()) == Counter(
        {"request": owned["1"], "reply": owned["2"], "comment": commented}
    )
    assert (owned["1"], owned["2"], commented) == (428, 955, 2363)
    assert len({e.event_id for e in events()}) == len(events())
    assert {(e.source, e.channel, e.tenant) for e in events()} == {
        ("stackexchange", "stackexchange-bicycles-meta", TENANT)
    }


def test_skipped_reasons() -> None:
    d = dump()
    skipped = Counter(i.reason for i in items() if isinstance(i, Skipped))
    ownerless = sum(
        1 for p in d.posts.values() if p["PostTypeId"] in "12" and "OwnerUserId" not in p
    )
    userless = sum(1 for c in d.comments if "UserId" not in c)
    other_types = sum(1 for p in d.posts.values() if p["PostTypeId"] not in ("1", "2"))
    assert skipped == Counter(
        {"no_owner": ownerless + userless, "unsupported_post_type": other_types}
    )
    assert (ownerless, userless, other_types) == (41, 85, 22)


def test_questions_answers_and_comments_are_linked() -> None:
    d = dump()
    owner = {pid: p.get("OwnerUserId") for pid, p in d.posts.items()}
    by_comment = {c["Id"]: c for c in d.comments}
    for event in events():
        prefix, number = event.event_id[0], event.event_id[1:]
        if prefix == "q":
            post = d.posts[number]
            assert (event.kind, post["PostTypeId"]) == ("request", "1")
            assert (event.thread_id, event.in_reply_to, list(event.targets)) == (
                f"q{number}",
                None,
                [],
            )
            assert event.actor == f"se-{post['OwnerUserId']}"
            assert event.occurred_at == ms(post["CreationDate"])
        elif prefix == "a":
            post = d.posts[number]
            question = post["ParentId"]
            assert (event.kind, post["PostTypeId"]) == ("reply", "2")
            assert (event.thread_id, event.in_reply_to) == (f"q{question}", f"q{question}")
            asker = owner[question]
            assert list(event.targets) == ([f"se-{asker}"] if asker else [])
            assert event.actor == f"se-{post['OwnerUserId']}"
        else:
            assert prefix == "c"
            comment = by_comment[number]
            post = d.posts[comment["PostId"]]
            on = "q" if post["PostTypeId"] == "1" else "a"
            assert event.kind == "comment"
            assert event.in_reply_to == f"{on}{comment['PostId']}"
            assert event.thread_id == f"q{d.question_of(comment['PostId'])}"
            target = owner[comment["PostId"]]
            assert list(event.targets) == ([f"se-{target}"] if target else [])
            assert event.actor == f"se-{comment['UserId']}"
            assert event.occurred_at == ms(comment["CreationDate"])


def test_directory_by_reputation_band() -> None:
    people = [i for i in items() if isinstance(i, RawPerson)]
    users = dump().users
    assert [p.person for p in people] == [f"se-{u['Id']}" for u in users]
    assert [p.team for p in people] == [band(u) for u in users]
    assert Counter(p.team for p in people) == Counter(
        {"rep-under-1k": 2231, "rep-1k-10k": 273, "rep-10k-plus": 46, "system": 1}
    )
    assert [p.person for p in people if p.bot] == ["se--1"]
    assert {p.person for p in people} >= {e.actor for e in events()}


def test_directory_first_then_events_in_time_order() -> None:
    kinds = [type(i).__name__ for i in items()]
    assert kinds == sorted(kinds, key=["Skipped", "RawPerson", "RawInteraction"].index)
    times = [e.occurred_at for e in events()]
    assert times == sorted(times)
    assert times[0] == ms("2010-08-25T19:50:51.187")


def test_a_broken_dump_is_skipped_not_fatal(tmp_path: Path) -> None:
    bom = "\ufeff"
    (tmp_path / "Users.xml").write_text(
        f'{bom}<?xml version="1.0" encoding="utf-8"?><users>'
        '<row Id="7" Reputation="12000" /><row Id="8" Reputation="oops" />'
        '<row Id="9" Reputation="999" /><row Id="10" Reputation="1000" />'
        '<row Id="11" Reputation="9999" /><row Id="12" Reputation="10000" /></users>',
        encoding="utf-8",
    )
    (tmp_path / "Posts.xml").write_text(
        f'{bom}<?xml version="1.0" encoding="utf-8"?><posts>'
        '<row Id="1" PostTypeId="1" CreationDate="2020-01-01T00:00:00.000" OwnerUserId="7" />'
        '<row Id="2" PostTypeId="2" ParentId="99" CreationDate="2020-01-01T01:00:00.000"'
        ' OwnerUserId="8" />'
        '<row Id="3" PostTypeId="2" ParentId="1" CreationDate="someday" OwnerUserId="8" />'
        "</posts>",
        encoding="utf-8",
    )
    (tmp_path / "Comments.xml").write_text(
        f'{bom}<?xml version="1.0" encoding="utf-8"?><comments>'
        '<row Id="5" PostId="42" CreationDate="2020-01-01T00:00:00.000" UserId="8" />'
        '<row Id="6" PostId="3" CreationDate="2020-01-02T00:00:00.000" UserId="7" />'
        "</comments>",
        encoding="utf-8",
    )
    got = list(StackExchangeConnector(tmp_path, TENANT, site="example").records())
    assert sorted(i.reason for i in got if isinstance(i, Skipped)) == [
        "bad_timestamp",
        "unknown_post",
        "unknown_post",
    ]
    assert [(p.person, p.team) for p in got if isinstance(p, RawPerson)] == [
        ("se-7", "rep-10k-plus"),
        ("se-8", "rep-under-1k"),
        ("se-9", "rep-under-1k"),
        ("se-10", "rep-1k-10k"),
        ("se-11", "rep-1k-10k"),
        ("se-12", "rep-10k-plus"),
    ]
    comment = next(e for e in got if isinstance(e, RawInteraction) and e.kind == "comment")
    assert (comment.in_reply_to, comment.thread_id, comment.targets) == ("a3", "q1", ("se-8",))
    assert comment.channel == "example"


# --- real broker ------------------------------------------------------------------------


class Slice(Connector):
    """A connector replaying a fixed part of the importer's records."""

    name = "slice"

    def __init__(self, records: list[SourceItem]) -> None:
        self.items = records

    def records(self) -> Iterator[SourceItem]:
        """The given records, in order."""
        yield from self.items


def test_a_slice_round_trips_through_kafka_pseudonymized(sdk_settings: Settings) -> None:
    sent = events()[:500]
    people = {e.actor for e in sent} | {t for e in sent for t in e.targets}
    directory = [i for i in items() if isinstance(i, RawPerson) and i.person in people]
    summary = Slice([*directory, *sent]).run(Emitter(sdk_settings, envelopes=False))
    assert summary.produced == len(directory) + len(sent) and not summary.skipped

    reads = read_all(sdk_settings.bootstrap, sdk_settings.topic_interactions)
    decoded = {d["event_id"]: d for d in decoded_events(sdk_settings, (r.value for r in reads))}
    assert len(decoded) == len(sent) == len(reads)
    for raw in sent:
        ids = id_fields(raw)
        got = decoded[str(ids["event_id"])]
        assert {name: got[name] for name in ids} == ids  # type: ignore[literal-required]
        assert (got["kind"], got["occurred_at"]) == (raw.kind, raw.occurred_at)

    entries = read_all(sdk_settings.bootstrap, sdk_settings.topic_directory)
    people_codec = person_codec(sdk_settings)
    teams = dict(
        (p["person"], p["team"])
        for p in (people_codec.decode(e.value) for e in entries if e.value is not None)
    )
    assert teams == {pseudonym(KEY, TENANT, p.person): p.team for p in directory}

    everything = b"".join((r.key or b"") + (r.value or b"") for r in [*reads, *entries])
    assert not [p for p in people if p.encode() in everything] and len(people) > 50
