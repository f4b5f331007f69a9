"""The R mailing-list importer on the real data set: mapping, feedback latencies, Kafka.

Expectations are computed here with plain Python over ``messages.csv``, independently of the
connector and of ``streams.analytics``.
"""

from __future__ import annotations

import csv
import itertools
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pytest
from support.data import R_LISTS
from support.events import decoded_events

from connectors.expected import KEY, id_fields, nearest_rank, pseudonym, raw_id_values
from connectors.kafka_io import read_all
from streams.connectors.base import Connector
from streams.connectors.emitter import Emitter
from streams.connectors.records import RawInteraction, RawPerson, Skipped, SourceItem
from streams.connectors.rlists import RListsConnector
from streams.engine.offline import analyze
from streams.kafka.codec import person_codec
from streams.settings import Settings

TENANT = "r-project"
WINDOW = "10000d"  # the lists reach back to 2001: one window holding everything
HORIZON_S = 14 * 86400
CSV_PATH = R_LISTS / "messages.csv"


@dataclass(frozen=True)
class Row:
    """One row of messages.csv, as read by the test."""

    line: int
    list: str
    id: str
    message_id: str
    author: str
    ts: int
    in_reply_to: str
    thread_id: str
    depth: int


@cache
def rows() -> tuple[Row, ...]:
    """Every row of messages.csv (all are well formed in this data set)."""
    with CSV_PATH.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        assert header[:9] == [
            "list",
            "id",
            "message_id",
            "from_email_hash",
            "date",
            "unix_ts",
            "in_reply_to",
            "thread_id",
            "thread_depth",
        ]
        return tuple(
            Row(n, r[0], r[1], r[2], r[3], int(r[5]), r[6], r[7], int(r[8]))
            for n, r in enumerate(reader, start=2)
        )


@cache
def items() -> tuple[SourceItem, ...]:
    """Everything the connector yields for the real file."""
    return tuple(RListsConnector(R_LISTS, TENANT).records())


def events() -> list[RawInteraction]:
    """The connector's interactions, in the order yielded."""
    return [i for i in items() if isinstance(i, RawInteraction)]


def home_list(data: Iterable[Row]) -> dict[str, str]:
    """Author → list with most of their messages, ties to the alphabetically first."""
    per_author: dict[str, Counter[str]] = defaultdict(Counter)
    for row in data:
        per_author[row.author][row.list] += 1
    return {
        author: sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
        for author, counts in per_author.items()
    }


@dataclass
class Feedback:
    """Independent DESIGN §3 feedback numbers over a set of requests."""

    requests: int = 0
    latencies: list[float] = field(default_factory=list)
    within: list[float] = field(default_factory=list)
    cross: list[float] = field(default_factory=list)
    open: int = 0


def first_responses() -> dict[Row, Row | None]:
    """Per thread root, the earliest message by another author in its list that replies to it
    directly or belongs to its thread, at or after it (ties: the earlier in (ts, id) order)."""
    by_list: dict[str, list[Row]] = defaultdict(list)
    for row in rows():
        by_list[row.list].append(row)
    result: dict[Row, Row | None] = {}
    for members in by_list.values():
        by_thread: dict[str, list[Row]] = defaultdict(list)
        by_parent: dict[str, list[Row]] = defaultdict(list)
        for row in members:
            by_thread[row.thread_id].append(row)
            if row.in_reply_to:
                by_parent[row.in_reply_to].append(row)
        for root in (r for r in members if r.depth == 0):
            candidates = [
                r
                for r in by_thread[root.thread_id] + by_parent[root.message_id]
                if r.author != root.author and r.ts >= root.ts
            ]
            result[root] = min(candidates, key=lambda r: (r.ts, r.id), default=None)
    return result


def feedback(roots: Iterable[Row], as_of: int) -> Feedback:
    """Requests, answered latencies (split by scope) and open requests among ``roots``."""
    responses, teams = first_responses(), home_list(rows())
    out = Feedback()
    for root in roots:
        out.requests += 1
        response = responses[root]
        if response is not None and response.ts - root.ts <= HORIZON_S:
            latency = float(response.ts - root.ts)
            out.latencies.append(latency)
            same = teams[response.author] == teams[root.author]
            (out.within if same else out.cross).append(latency)
        elif as_of - root.ts <= HORIZON_S:  # not yet past the horizon: open
            out.open += 1
    return out


def expected_section(fb: Feedback) -> dict[str, object]:
    """The snapshot feedback section the numbers in ``fb`` imply."""

    def scope(values: list[float]) -> dict[str, object]:
        return {
            "answered": len(values),
            "p50_seconds": nearest_rank(values, 0.5),
            "p90_seconds": nearest_rank(values, 0.9),
        }

    return {
        "requests": fb.requests,
        "answered": len(fb.latencies),
        "unanswered": fb.requests - len(fb.latencies) - fb.open,
        "open": fb.open,
        "p50_seconds": nearest_rank(fb.latencies, 0.5),
        "p90_seconds": nearest_rank(fb.latencies, 0.9),
        "within_team": scope(fb.within),
        "cross_team": scope(fb.cross),
    }


def roots_of(list_name: str | None = None) -> list[Row]:
    """Thread roots (requests), of one list or of all."""
    return [r for r in rows() if r.depth == 0 and list_name in (None, r.list)]


# --- offline analysis -------------------------------------------------------------------


def test_feedback_matches_an_independent_computation() -> None:
    settings = Settings(windows=(WINDOW,), silo_window=WINDOW)
    result = analyze(items(), settings)
    assert not result.skipped
    snapshot = result.runtime.state(TENANT).snapshot(WINDOW)
    as_of = max(r.ts for r in rows())
    expected = expected_section(feedback(roots_of(), as_of))
    assert (expected["requests"], expected["answered"], expected["open"]) == (4008, 2235, 3)
    assert snapshot["feedback"] == expected


LISTS = sorted({r.list for r in rows()})


@pytest.mark.parametrize("list_name", LISTS)
def test_feedback_per_list(list_name: str) -> None:
    """One list's events alone (the whole directory kept) give that list's numbers: replies
    never cross lists, since ids and threads are qualified by the list."""
    settings = Settings(windows=(WINDOW,), silo_window=WINDOW)
    chosen = [i for i in items() if not isinstance(i, RawInteraction) or i.channel == list_name]
    snapshot = analyze(chosen, settings).runtime.state(TENANT).snapshot(WINDOW)
    roots = roots_of(list_name)
    as_of = max(r.ts for r in rows() if r.list == list_name)
    expected = expected_section(feedback(roots, as_of))
    assert snapshot["feedback"] == expected
    # README: median reply latency to another author is 1.5 to 9 h depending on the list;
    # the time to the first response of a thread is shorter on some lists
    p50 = expected["p50_seconds"]
    assert isinstance(p50, float) and 0.5 * 3600 < p50 < 9 * 3600


def test_per_list_numbers_add_up_to_the_org() -> None:
    as_of = max(r.ts for r in rows())
    total = feedback(roots_of(), as_of)
    parts = [feedback(roots_of(name), as_of) for name in LISTS]
    assert sum(f.requests for f in parts) == total.requests
    merged = sorted(itertools.chain.from_iterable(f.latencies for f in parts))
    assert merged == sorted(total.latencies)


# --- mapping ----------------------------------------------------------------------------


def test_every_row_becomes_one_event_and_nothing_is_skipped() -> None:
    assert not [i for i in items() if isinstance(i, Skipped)]
    assert len(events()) == len(rows()) == 11218
    assert len({e.event_id for e in events()}) == len(rows())
    assert Counter(e.kind for e in events()) == Counter(
        "request" if r.depth == 0 else "reply" for r in rows()
    )
    assert {e.source for e in events()} == {"mailing-list"}


def test_fields_of_each_event() -> None:
    by_id = {f"{r.list}/{r.message_id}": r for r in rows()}
    for event in events():
        row = by_id[event.event_id]
        assert event.occurred_at == row.ts * 1000
        assert (event.actor, event.channel, event.tenant) == (row.author, row.list, TENANT)
        assert event.thread_id == f"{row.list}/{row.thread_id}"
        assert event.in_reply_to == (f"{row.list}/{row.in_reply_to}" if row.in_reply_to else None)


def test_requests_are_thread_roots_and_replies_link_to_their_parent() -> None:
    by_id = {e.event_id: e for e in events()}
    threads = Counter(e.thread_id for e in events() if e.kind == "request")
    assert set(threads.values()) == {1}
    assert set(threads) == {e.thread_id for e in events()}  # every thread has its root
    linked = [e for e in events() if e.kind == "reply" and e.in_reply_to in by_id]
    assert len(linked) == 6873
    for reply in linked:
        assert reply.in_reply_to is not None
        parent = by_id[reply.in_reply_to]
        assert parent.channel == reply.channel and parent.actor in reply.targets


def test_targets_are_the_parent_author_in_the_same_list() -> None:
    authors = {(r.list, r.message_id): r.author for r in rows()}
    for event in events():
        row_list, _, raw_parent = (event.in_reply_to or "//").partition("/")
        parent = authors.get((row_list, raw_parent))
        assert list(event.targets) == ([parent] if parent else [])
    with_target = sum(1 for e in events() if e.targets)
    assert with_target == 6873 + 197  # replies, and roots split off a parent in the list


def test_cross_posted_messages_stay_distinct_per_list() -> None:
    ids = Counter(r.message_id for r in rows())
    cross_posted = {m for m, n in ids.items() if n > 1}
    assert len(cross_posted) == 2
    copies = [e for e in events() if e.event_id.partition("/")[2] in cross_posted]
    assert sorted(e.channel or "" for e in copies) == [
        "r-sig-debian",
        "r-sig-debian",
        "r-sig-hpc",
        "r-sig-hpc",
    ]


def test_directory_puts_each_person_in_their_main_list() -> None:
    people = [i for i in items() if isinstance(i, RawPerson)]
    expected = home_list(rows())
    assert {p.person: p.team for p in people} == expected
    assert len(people) == len(expected) == 2224
    per_author: dict[str, Counter[str]] = defaultdict(Counter)
    for row in rows():
        per_author[row.author][row.list] += 1
    tied = [a for a, c in per_author.items() if len(c) > 1 and len(set(c.values())) < len(c)]
    assert tied  # the data has ties; they go to the alphabetically first list
    for author in tied:
        top = max(per_author[author].values())
        assert expected[author] == min(k for k, v in per_author[author].items() if v == top)


def test_directory_first_then_events_in_time_order() -> None:
    kinds = [type(i).__name__ for i in items()]
    first_event = kinds.index("RawInteraction")
    assert set(kinds[:first_event]) == {"RawPerson"}
    assert set(kinds[first_event:]) == {"RawInteraction"}
    order = [(e.occurred_at, e.event_id) for e in events()]
    times = [t for t, _ in order]
    assert times == sorted(times)


def test_unreadable_rows_are_skipped_with_a_reason(tmp_path: Path) -> None:
    lines = CSV_PATH.read_text(encoding="utf-8").splitlines()
    header, good = lines[0], lines[1:4]
    fields = good[0].split(",")
    bad_ts = ",".join([*fields[:5], "yesterday", *fields[6:]])
    bad_depth = ",".join([*fields[:8], "deep", *fields[9:]])
    no_author = ",".join([*fields[:3], "", *fields[4:]])
    path = tmp_path / "messages.csv"
    path.write_text("\n".join([header, *good, bad_ts, bad_depth, no_author, good[0]]) + "\n")
    got = list(RListsConnector(path, TENANT).records())
    skipped = [i for i in got if isinstance(i, Skipped)]
    assert [(s.reason, s.where) for s in skipped] == [
        ("bad_timestamp", "messages.csv:5"),
        ("bad_thread_depth", "messages.csv:6"),
        ("missing_field", "messages.csv:7"),
        ("duplicate_message_id", "messages.csv:8"),
    ]
    assert sum(isinstance(i, RawInteraction) for i in got) == 3


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
    people = [i for i in items() if isinstance(i, RawPerson)]
    sent = events()[:500]
    authors = {e.actor for e in sent} | {t for e in sent for t in e.targets}
    directory = [p for p in people if p.person in authors]

    summary = Slice([*directory, *sent]).run(Emitter(sdk_settings))
    assert summary.produced == len(directory) + len(sent) and not summary.skipped

    reads = read_all(sdk_settings.bootstrap, sdk_settings.topic_interactions)
    decoded = decoded_events(sdk_settings, (r.value for r in reads))
    assert len(decoded) == len(sent)
    by_id = {d["event_id"]: d for d in decoded}
    for raw in sent:
        ids = id_fields(raw)
        got = by_id[str(ids["event_id"])]
        assert {name: got[name] for name in ids} == ids  # type: ignore[literal-required]
        assert (got["kind"], got["occurred_at"]) == (raw.kind, raw.occurred_at)

    entries = read_all(sdk_settings.bootstrap, sdk_settings.topic_directory)
    people_codec = person_codec(sdk_settings)
    teams = {
        people_codec.decode(e.value)["person"]: people_codec.decode(e.value)["team"]
        for e in entries
        if e.value is not None
    }
    assert teams == {pseudonym(KEY, TENANT, p.person): p.team for p in directory}

    raw_bytes = b"".join(r.value or b"" for r in [*reads, *entries])
    raw_bytes += b"".join(r.key or b"" for r in [*reads, *entries])
    leaked = [a for a in authors if a.encode() in raw_bytes]
    assert not leaked and len(authors) > 100
    # Message-IDs, thread ids and list names (channels) neither; list names are only teams
    events_bytes = b"".join(r.value or b"" for r in reads)
    assert not [v for v in raw_id_values(sent) if v.encode() in events_bytes]


@pytest.mark.parametrize("root_is_file", [False, True])
def test_root_may_be_the_directory_or_the_file(root_is_file: bool) -> None:
    root = CSV_PATH if root_is_file else R_LISTS
    first = next(iter(RListsConnector(root, TENANT).records()))
    assert isinstance(first, RawPerson)
