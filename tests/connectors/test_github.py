"""The GitHub webhook importer on the hand-written deliveries in fixtures/github.

Expected values are read off the fixture files by hand.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from pathlib import Path

from connectors.expected import KEY, epoch_ms, pseudonym
from connectors.kafka_io import decoded_interactions_without, read_all
from streams.connectors.emitter import Emitter
from streams.connectors.github import GitHubConnector
from streams.connectors.records import RawInteraction, RawPerson, Skipped, SourceItem
from streams.kafka.codec import person_codec
from streams.settings import Settings

FIXTURES = Path(__file__).parent / "fixtures" / "github"
ARRAY, NDJSON = FIXTURES / "deliveries.json", FIXTURES / "deliveries.ndjson"
TENANT = "acme"
ALICE, BOB, CAROL, BOT = "alice-dev", "bob-codes", "carol-qa", "dependabot[bot]"
PR, ISSUE = "acme/search#7", "acme/search#12"
RAW_IDS = [ALICE, BOB, CAROL, BOT, "dependabot"]


def artifact(normalized: str) -> str:
    """The artifact id of an already normalized URL, computed here."""
    return "a_" + hashlib.sha256(normalized.encode()).hexdigest()[:32]


def items(*paths: Path) -> list[SourceItem]:
    """Every record of the given delivery files."""
    return list(GitHubConnector(list(paths), TENANT).records())


def events(records: list[SourceItem]) -> dict[str, RawInteraction]:
    """The interactions by event id."""
    return {r.event_id: r for r in records if isinstance(r, RawInteraction)}


def test_bots_come_first_then_skips_then_events_in_time_order() -> None:
    records = items(ARRAY)
    assert records[0] == RawPerson(TENANT, BOT, "unassigned", bot=True)
    assert records[1:7] == [
        Skipped("self_assignment", "deliveries.json[1]"),
        Skipped("ignored_action", "deliveries.json[3] pull_request.opened"),
        Skipped("team_review_request", "deliveries.json[6]"),
        Skipped("unsupported_event", "deliveries.json[11] push"),
        Skipped("malformed_payload", "deliveries.json[12]"),
        Skipped("ignored_action", "deliveries.json[13] issue_comment.edited"),
    ]
    assert [r.event_id for r in records[7:] if isinstance(r, RawInteraction)] == [
        f"{PR}:review_requested:{epoch_ms(2024, 3, 1, 9)}:1",
        f"{PR}:review_requested:{epoch_ms(2024, 3, 1, 9)}:2",
        f"{PR}:review_comment:601",
        f"{PR}:review_comment:602",
        f"{PR}:review:501",
        f"{PR}:comment:702",
        f"{ISSUE}:assigned:{epoch_ms(2024, 3, 1, 12)}:1",
        f"{ISSUE}:comment:701",
    ]
    assert len(records) == 15


def test_review_requests_and_assignments_are_requests() -> None:
    by_id = events(items(ARRAY))
    nine = epoch_ms(2024, 3, 1, 9)
    first, second = (
        by_id[f"{PR}:review_requested:{nine}:1"],
        by_id[f"{PR}:review_requested:{nine}:2"],
    )
    assert (first.kind, first.actor, first.targets, first.thread_id) == (
        "request",
        ALICE,
        (BOB,),
        PR,
    )
    assert (second.actor, second.targets, second.occurred_at) == (ALICE, (CAROL,), nine)
    assert (first.source, first.channel, first.in_reply_to) == ("github", "acme/search", None)
    assigned = by_id[f"{ISSUE}:assigned:{epoch_ms(2024, 3, 1, 12)}:1"]
    assert (assigned.kind, assigned.actor, assigned.targets, assigned.thread_id) == (
        "request",
        CAROL,
        (BOB,),
        ISSUE,
    )


def test_review_targets_the_pr_author_and_hashes_links() -> None:
    review = events(items(ARRAY))[f"{PR}:review:501"]
    assert (review.kind, review.actor, review.targets, review.thread_id) == (
        "review",
        BOB,
        (ALICE,),
        PR,
    )
    assert review.occurred_at == epoch_ms(2024, 3, 1, 10, 30)
    assert review.artifacts == (artifact("https://docs.acme.test/style"),)


def test_comments_target_the_author_and_chain_review_replies() -> None:
    by_id = events(items(ARRAY))
    nit, answer = by_id[f"{PR}:review_comment:601"], by_id[f"{PR}:review_comment:602"]
    assert (nit.kind, nit.actor, nit.targets, nit.in_reply_to) == ("comment", CAROL, (ALICE,), None)
    assert nit.occurred_at == epoch_ms(2024, 3, 1, 10, 15)  # 11:15+01:00
    assert (answer.actor, answer.targets, answer.thread_id) == (ALICE, (CAROL,), PR)
    assert answer.in_reply_to == f"{PR}:review_comment:601"
    dup = by_id[f"{ISSUE}:comment:701"]
    assert (dup.kind, dup.actor, dup.targets, dup.thread_id) == ("comment", BOB, (CAROL,), ISSUE)
    assert dup.occurred_at == epoch_ms(2024, 3, 2, 8)
    assert dup.artifacts == (artifact("https://git.acme.test/acme/search/issues/3"),)
    bot = by_id[f"{PR}:comment:702"]
    assert (bot.actor, bot.targets, bot.thread_id, bot.artifacts) == (BOT, (ALICE,), PR, ())


def test_ndjson_with_bare_payloads_and_bad_lines() -> None:
    records = items(NDJSON)
    assert [r for r in records if isinstance(r, Skipped)] == [
        Skipped("bad_json", "deliveries.ndjson:3"),
        Skipped("bad_json", "deliveries.ndjson:5"),
    ]
    approved, fixed = (r for r in records if isinstance(r, RawInteraction))
    assert (approved.event_id, approved.kind, approved.actor, approved.targets) == (
        f"{PR}:review:502",
        "review",
        CAROL,
        (ALICE,),
    )
    assert approved.occurred_at == epoch_ms(2024, 3, 2, 22, 45)  # 17:45-05:00
    assert approved.artifacts == ()
    assert (fixed.event_id, fixed.actor, fixed.targets) == (f"{ISSUE}:comment:704", ALICE, (CAROL,))
    assert fixed.artifacts == (artifact("https://git.acme.test/acme/search/pull/9"),)


def test_several_files_are_merged_in_time_order() -> None:
    merged = [r.event_id for r in items(NDJSON, ARRAY) if isinstance(r, RawInteraction)]
    assert merged[-2:] == [f"{PR}:review:502", f"{ISSUE}:comment:704"]
    assert merged[0] == f"{PR}:review_requested:{epoch_ms(2024, 3, 1, 9)}:1"
    assert len(merged) == 10


def test_github_import_on_the_broker(sdk_settings: Settings) -> None:
    summary = GitHubConnector([ARRAY, NDJSON], TENANT).run(Emitter(sdk_settings))
    assert (summary.read, summary.produced, summary.delivery.delivered) == (19, 11, 11)
    assert summary.skipped == Counter(
        {
            "self_assignment": 1,
            "ignored_action": 2,
            "team_review_request": 1,
            "unsupported_event": 1,
            "malformed_payload": 1,
            "bad_json": 2,
        }
    )
    decoded = decoded_interactions_without(sdk_settings, [*RAW_IDS, "acme/search"])
    people = read_all(sdk_settings.bootstrap, sdk_settings.topic_directory)
    assert [e["kind"] for e in decoded] == [
        "request",
        "request",
        "comment",
        "comment",
        "review",
        "comment",
        "request",
        "comment",
        "review",
        "comment",
    ]
    answer = decoded[3]
    assert answer["actor"] == pseudonym(KEY, TENANT, ALICE)
    assert answer["targets"] == [pseudonym(KEY, TENANT, CAROL)]
    (bot,) = [person_codec(sdk_settings).decode(m.value) for m in people if m.value is not None]
    assert (bot["person"], bot["team"], bot.get("bot")) == (
        pseudonym(KEY, TENANT, BOT),
        "unassigned",
        True,
    )
