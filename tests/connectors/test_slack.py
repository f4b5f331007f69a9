"""The Slack export importer on the hand-written export in fixtures/slack.

Expected values are read off the fixture files by hand: ts 1709283600 is 2024-03-01 09:00 UTC.
"""

from __future__ import annotations

import hashlib
import zipfile
from collections import Counter
from pathlib import Path

import pytest

from connectors.expected import KEY, epoch_ms, namespaced, pseudonym
from connectors.kafka_io import decoded_interactions_without, read_all
from streams.connectors.emitter import Emitter
from streams.connectors.records import RawInteraction, RawPerson, Skipped, SourceItem
from streams.connectors.slack import SlackConnector, asks, links, mentions
from streams.kafka.codec import person_codec
from streams.settings import Settings

EXPORT = Path(__file__).parent / "fixtures" / "slack"
TENANT = "acme"
ALICE, BOB, CAROL, DAVE = "U0ALICE001", "U0BOB00002", "U0CAROL003", "W0DAVE0005"
ROOT = "C0GENERAL1:1709283600.000200"
SEARCH_ASK = "C0SEARCH02:1709287200.000100"
SHIPPED = "C0SEARCH02:1709294400.000100"
RAW_IDS = [ALICE, BOB, CAROL, DAVE, "U0DEPLOYB4", "USLACKBOT", "alice@acme.test"]


def artifact(normalized: str) -> str:
    """The artifact id of an already normalized URL, computed here."""
    return "a_" + hashlib.sha256(normalized.encode()).hexdigest()[:32]


def items(connector: SlackConnector | None = None) -> list[SourceItem]:
    """Every record of ``connector`` (default: the fixture export read as a folder)."""
    return list((connector or SlackConnector([EXPORT], TENANT)).records())


def events(records: list[SourceItem]) -> dict[str, RawInteraction]:
    """The interactions by event id."""
    return {r.event_id: r for r in records if isinstance(r, RawInteraction)}


def test_directory_teams_from_profile_title_and_bots() -> None:
    records = items()
    assert records[:6] == [
        RawPerson(TENANT, ALICE, "Search"),
        RawPerson(TENANT, BOB, "Search"),
        RawPerson(TENANT, "U0DEPLOYB4", "unassigned", bot=True),
        RawPerson(TENANT, DAVE, "Ops"),
        RawPerson(TENANT, "USLACKBOT", "unassigned", bot=True),
        Skipped("bad_user", "users.json[6]"),
    ]
    assert not any(isinstance(r, RawPerson) for r in records[6:])
    assert CAROL not in {r.person for r in records if isinstance(r, RawPerson)}


def test_team_field_is_configurable() -> None:
    people = [
        r
        for r in items(SlackConnector([EXPORT], TENANT, team_field="department"))
        if isinstance(r, RawPerson)
    ]
    assert [(p.person, p.team, p.bot) for p in people] == [
        (ALICE, "Engineering", False),
        ("U0DEPLOYB4", "unassigned", True),
        (DAVE, "Engineering", False),
        ("USLACKBOT", "unassigned", True),
    ]


def test_unreadable_messages_are_skipped_with_reasons() -> None:
    skipped = [r for r in items() if isinstance(r, Skipped)]
    assert skipped == [
        Skipped("bad_user", "users.json[6]"),
        Skipped("subtype_channel_join", "general/2024-03-01.json[0]"),
        Skipped("no_user", "general/2024-03-01.json[4]"),
        Skipped("bad_timestamp", "general/2024-03-01.json[5]"),
        Skipped("bad_day_file", "search-team/2024-03-03.json"),
        Skipped("self_reaction", f"{ROOT}/reaction/eyes/1"),
    ]


def test_events_come_in_time_order() -> None:
    records = items()
    assert len(records) == 21
    order = [
        r.event_id if isinstance(r, RawInteraction) else r.reason
        for r in records[10:]
        if not isinstance(r, RawPerson)
    ]
    assert order == [
        "G0PRIV0001:1709280000.000100",
        ROOT,
        f"{ROOT}/reaction/eyes/0",
        "self_reaction",
        "C0GENERAL1:1709284500.000300",
        SEARCH_ASK,
        "C0GENERAL1:1709290800.000400",
        SHIPPED,
        f"{SHIPPED}/reaction/tada/0",
        f"{SHIPPED}/reaction/tada/1",
        "C0GENERAL1:1709370000.000100",
    ]


def test_question_root_is_a_request_and_replies_link_to_it() -> None:
    by_id = events(items())
    root = by_id[ROOT]
    runbook = artifact("https://wiki.acme.test/Runbooks/Deploy")
    assert (root.kind, root.actor, root.targets) == ("request", ALICE, ())
    assert (root.thread_id, root.in_reply_to, root.channel) == (ROOT, None, "general")
    assert (root.occurred_at, root.artifacts) == (epoch_ms(2024, 3, 1, 9), (runbook,))
    assert (root.source, root.tenant) == ("slack", TENANT)
    reply = by_id["C0GENERAL1:1709284500.000300"]
    assert (reply.kind, reply.actor, reply.targets) == ("reply", BOB, (ALICE, CAROL))
    assert (reply.thread_id, reply.in_reply_to) == (ROOT, ROOT)
    assert (reply.occurred_at, reply.artifacts) == (epoch_ms(2024, 3, 1, 9, 15), (runbook,))


def test_reply_without_parent_user_targets_the_root_author() -> None:
    late = events(items())["C0GENERAL1:1709370000.000100"]
    assert (late.kind, late.actor, late.targets) == ("reply", DAVE, (ALICE,))
    assert (late.thread_id, late.in_reply_to) == (ROOT, ROOT)
    assert late.occurred_at == epoch_ms(2024, 3, 2, 9)
    assert late.artifacts == (artifact("https://docs.acme.test/a?a=1&b=2"),)


def test_mention_makes_a_request_and_a_question_mark_in_a_link_does_not() -> None:
    by_id = events(items())
    ask = by_id[SEARCH_ASK]
    assert (ask.kind, ask.actor, ask.targets, ask.thread_id) == (
        "request",
        BOB,
        (ALICE,),
        SEARCH_ASK,
    )
    shipped = by_id[SHIPPED]
    assert (shipped.kind, shipped.targets, shipped.channel) == ("message", (), "search-team")
    assert shipped.artifacts == (artifact("https://git.acme.test/search/pull/7?x=1"),)


def test_plain_message_with_a_shared_file() -> None:
    by_id = events(items())
    lunch = by_id["C0GENERAL1:1709290800.000400"]
    assert (lunch.kind, lunch.actor, lunch.targets, lunch.in_reply_to) == (
        "message",
        CAROL,
        (),
        None,
    )
    assert lunch.artifacts == (
        artifact("https://acme.slack.com/files/U0CAROL003/F0MENU0001/menu.pdf"),
    )
    standup = by_id["G0PRIV0001:1709280000.000100"]
    assert (standup.kind, standup.channel, standup.actor) == ("message", "leads", DAVE)


def test_reactions_go_from_each_reacting_user_to_the_author() -> None:
    by_id = events(items())
    reactions = [e for e in by_id.values() if e.kind == "reaction"]
    assert [(e.actor, e.targets, e.channel, e.attributes) for e in reactions] == [
        (BOB, (ALICE,), "general", {"message": ROOT, "emoji": "eyes"}),
        (BOB, (ALICE,), "search-team", {"message": SHIPPED, "emoji": "tada"}),
        (DAVE, (ALICE,), "search-team", {"message": SHIPPED, "emoji": "tada"}),
    ]
    assert [e.occurred_at for e in reactions] == [
        epoch_ms(2024, 3, 1, 9),
        epoch_ms(2024, 3, 1, 12),
        epoch_ms(2024, 3, 1, 12),
    ]
    assert all(e.thread_id is None and e.in_reply_to is None for e in reactions)


@pytest.mark.parametrize(
    ("questions", "mentions_", "root_kind", "ask_kind"),
    [
        (False, True, "message", "request"),
        (True, False, "request", "message"),
        (False, False, "message", "message"),
    ],
)
def test_request_heuristics_can_be_switched_off(
    questions: bool, mentions_: bool, root_kind: str, ask_kind: str
) -> None:
    connector = SlackConnector(
        [EXPORT], TENANT, question_requests=questions, mention_requests=mentions_
    )
    by_id = events(items(connector))
    assert (by_id[ROOT].kind, by_id[SEARCH_ASK].kind) == (root_kind, ask_kind)


def test_zip_export_reads_like_the_folder(tmp_path: Path) -> None:
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as handle:
        for path in sorted(EXPORT.rglob("*")):
            if path.is_file():
                handle.write(path, path.relative_to(EXPORT).as_posix())
    assert items(SlackConnector([archive], TENANT)) == items()


def test_export_without_users_json_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "channels.json").write_text("[]")
    with pytest.raises(FileNotFoundError, match=r"users\.json"):
        list(SlackConnector([tmp_path], TENANT).records())


def test_text_helpers() -> None:
    text = (
        "<@U1> and <@W2|dave> see <https://a.test/x?a=1&amp;b=2|docs>, "
        "<mailto:b@x.test|b>, <#C1|general> https://b.test/y."
    )
    assert mentions(text) == ["U1", "W2"]
    assert links(text) == ["https://a.test/x?a=1&b=2", "https://b.test/y"]
    assert not asks(text)
    assert asks("<@U1> ready?")
    assert not asks("<https://a.test/?q=1|what?> https://b.test/?x")


def test_slack_import_on_the_broker(sdk_settings: Settings) -> None:
    summary = SlackConnector([EXPORT], TENANT).run(Emitter(sdk_settings))
    assert (summary.read, summary.produced, summary.delivery.delivered) == (21, 15, 15)
    assert summary.skipped == Counter(
        {
            "bad_user": 1,
            "subtype_channel_join": 1,
            "no_user": 1,
            "bad_timestamp": 1,
            "bad_day_file": 1,
            "self_reaction": 1,
        }
    )
    decoded = decoded_interactions_without(sdk_settings, [*RAW_IDS, "C0GENERAL1", "general"])
    people = read_all(sdk_settings.bootstrap, sdk_settings.topic_directory)
    assert len(decoded) == 10
    reply_id = namespaced("event", TENANT, "C0GENERAL1:1709284500.000300")
    reply = next(e for e in decoded if e["event_id"] == reply_id)
    assert reply["actor"] == pseudonym(KEY, TENANT, BOB)
    assert reply["targets"] == [
        pseudonym(KEY, TENANT, ALICE),
        pseudonym(KEY, TENANT, CAROL),
    ]
    assert (reply["kind"], reply["in_reply_to"]) == ("reply", namespaced("event", TENANT, ROOT))
    assert reply["channel"] == namespaced("channel", TENANT, "general")
    reactions = [e for e in decoded if e["kind"] == "reaction"]
    assert reactions and all(set(e["attributes"]) == {"message", "emoji"} for e in reactions)
    event_ids = {e["event_id"] for e in decoded}
    assert all(e["attributes"]["message"] in event_ids for e in reactions)
    directory = person_codec(sdk_settings)
    entries = [directory.decode(m.value) for m in people if m.value is not None]
    assert [(p["team"], p.get("bot")) for p in entries] == [
        ("Search", False),
        ("Search", False),
        ("unassigned", True),
        ("Ops", False),
        ("unassigned", True),
    ]
