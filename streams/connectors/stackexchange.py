"""A Stack Exchange data dump (Posts.xml, Comments.xml, Users.xml) as orgpulse records.

The files are streamed with ``iterparse`` (they start with a UTF-8 BOM, which the XML parser
accepts). Mapping, with raw person ids ``se-<UserId>`` and channel = the site:

- A question (PostTypeId 1) is a ``request`` ``q<Id>`` on thread ``q<Id>``, no targets.
- An answer (PostTypeId 2) is a ``reply`` ``a<Id>`` on its question's thread, in reply to
  ``q<ParentId>``, targeting the question's owner.
- A comment is a ``comment`` ``c<Id>`` on the thread of its post's question, in reply to the
  post (``q<Id>`` or ``a<Id>``), targeting the post's owner.
- Targets are left empty when the owner is unknown (deleted user). occurred_at is the
  CreationDate, in UTC.

Skipped, with a reason: posts and comments without an owner (``no_owner``: deleted users),
other post types such as tag wikis (``unsupported_post_type``), answers whose question is not
in the dump and comments whose post is not (``unknown_post``), and unreadable dates or ids.

Directory (teams by reputation band, from Users.xml at dump time): ``rep-under-1k`` (< 1,000),
``rep-1k-10k`` (1,000 to 9,999: editing and close-vote privileges), ``rep-10k-plus`` (≥ 10,000:
access to moderator tools); the Community user (Id -1) is ``system`` and a bot. On a child
meta site the reputation is the one earned on the main site. Every user in Users.xml gets an
entry, so team sizes include users who never posted.

Records come out as skipped items, the directory (Users.xml order), then events ordered by
(occurred_at, event_id).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from streams.connectors.base import Connector
from streams.connectors.records import RawInteraction, RawPerson, Skipped, SourceItem
from streams.timeutil import datetime_to_ms

SOURCE = "stackexchange"
COMMUNITY_USER = "-1"
BANDS: tuple[tuple[int, str], ...] = ((10_000, "rep-10k-plus"), (1_000, "rep-1k-10k"))
LOWEST_BAND = "rep-under-1k"
SYSTEM_TEAM = "system"
QUESTION, ANSWER = "1", "2"


def xml_rows(path: Path) -> Iterator[dict[str, str]]:
    """The attributes of every ``<row>`` of a dump file, streamed."""
    for _, element in ET.iterparse(path, events=("end",)):
        if element.tag == "row":
            yield dict(element.attrib)
            element.clear()


def person_id(user_id: str) -> str:
    """The raw person id of a Stack Exchange user id."""
    return f"se-{user_id}"


def reputation_team(user_id: str, reputation: int) -> str:
    """The team of a user: ``system`` for Community, else their reputation band."""
    if user_id == COMMUNITY_USER:
        return SYSTEM_TEAM
    for floor, team in BANDS:
        if reputation >= floor:
            return team
    return LOWEST_BAND


def creation_ms(row: dict[str, str]) -> int:
    """CreationDate (naive ISO 8601, UTC) as epoch milliseconds; ``ValueError`` if unreadable."""
    return datetime_to_ms(datetime.fromisoformat(row.get("CreationDate") or ""))


@dataclass(frozen=True, slots=True)
class Post:
    """What events need to know of a question or answer."""

    event_id: str
    thread_id: str
    owner: str | None


class StackExchangeConnector(Connector):
    """Reads the dump directory ``root``; ``site`` (default: its name) is the channel."""

    name = "stackexchange"

    def __init__(self, root: Path, tenant: str, site: str | None = None) -> None:
        self.root = root
        self.tenant = tenant
        self.site = site or root.name

    def records(self) -> Iterator[SourceItem]:
        """Skipped rows, the directory, then questions, answers and comments in time order."""
        events: list[RawInteraction] = []
        skipped: list[Skipped] = []
        posts = self._posts(events, skipped)
        self._comments(posts, events, skipped)
        yield from skipped
        yield from self.directory()
        yield from sorted(events, key=_time_order)

    def directory(self) -> Iterator[RawPerson]:
        """One entry per user of Users.xml, in its team (see the module docstring)."""
        for row in xml_rows(self.root / "Users.xml"):
            user_id = row.get("Id", "")
            try:
                reputation = int(row.get("Reputation") or "0")
            except ValueError:
                reputation = 0
            yield RawPerson(
                self.tenant,
                person_id(user_id),
                reputation_team(user_id, reputation),
                bot=user_id == COMMUNITY_USER,
            )

    def _posts(self, events: list[RawInteraction], skipped: list[Skipped]) -> dict[str, Post]:
        questions: dict[str, Post] = {}
        answers: list[dict[str, str]] = []
        for row in xml_rows(self.root / "Posts.xml"):
            kind = row.get("PostTypeId")
            if not row.get("Id"):
                skipped.append(Skipped("missing_field", "Posts.xml post without Id"))
            elif kind == QUESTION:
                event = self._question(row, skipped)
                owner = row.get("OwnerUserId")
                questions[row["Id"]] = Post(f"q{row['Id']}", f"q{row['Id']}", owner)
                if event is not None:
                    events.append(event)
            elif kind == ANSWER:
                answers.append(row)
            else:
                skipped.append(Skipped("unsupported_post_type", f"Posts.xml post {row.get('Id')}"))
        posts = {f"q{k}": v for k, v in questions.items()}
        for row in answers:
            question = questions.get(row.get("ParentId") or "")
            if question is None:
                skipped.append(Skipped("unknown_post", f"Posts.xml answer {row.get('Id')}"))
                continue
            posts[f"a{row['Id']}"] = Post(
                f"a{row['Id']}", question.thread_id, row.get("OwnerUserId")
            )
            event = self._answer(row, question, skipped)
            if event is not None:
                events.append(event)
        return posts

    def _event(
        self, row: dict[str, str], actor_field: str, where: str, skipped: list[Skipped]
    ) -> tuple[str, int] | None:
        actor = row.get(actor_field)
        if not actor:
            skipped.append(Skipped("no_owner", where))
            return None
        try:
            return person_id(actor), creation_ms(row)
        except ValueError:
            skipped.append(Skipped("bad_timestamp", where))
            return None

    def _question(self, row: dict[str, str], skipped: list[Skipped]) -> RawInteraction | None:
        found = self._event(row, "OwnerUserId", f"Posts.xml question {row['Id']}", skipped)
        if found is None:
            return None
        actor, occurred_at = found
        event_id = f"q{row['Id']}"
        return self._interaction(event_id, "request", occurred_at, actor, (), event_id, None)

    def _answer(
        self, row: dict[str, str], question: Post, skipped: list[Skipped]
    ) -> RawInteraction | None:
        found = self._event(row, "OwnerUserId", f"Posts.xml answer {row['Id']}", skipped)
        if found is None:
            return None
        actor, occurred_at = found
        return self._interaction(
            f"a{row['Id']}",
            "reply",
            occurred_at,
            actor,
            _owner(question),
            question.thread_id,
            question.event_id,
        )

    def _interaction(
        self,
        event_id: str,
        kind: str,
        occurred_at: int,
        actor: str,
        targets: tuple[str, ...],
        thread_id: str,
        in_reply_to: str | None,
    ) -> RawInteraction:
        return RawInteraction(
            event_id=event_id,
            tenant=self.tenant,
            source=SOURCE,
            kind=kind,
            occurred_at=occurred_at,
            actor=actor,
            targets=targets,
            thread_id=thread_id,
            in_reply_to=in_reply_to,
            channel=self.site,
        )

    def _comments(
        self, posts: dict[str, Post], events: list[RawInteraction], skipped: list[Skipped]
    ) -> None:
        for row in xml_rows(self.root / "Comments.xml"):
            where = f"Comments.xml comment {row.get('Id')}"
            if not row.get("Id"):
                skipped.append(Skipped("missing_field", where))
                continue
            post_id = row.get("PostId") or ""
            post = posts.get(f"q{post_id}") or posts.get(f"a{post_id}")
            if post is None:
                skipped.append(Skipped("unknown_post", where))
                continue
            found = self._event(row, "UserId", where, skipped)
            if found is None:
                continue
            actor, occurred_at = found
            events.append(
                self._interaction(
                    f"c{row['Id']}",
                    "comment",
                    occurred_at,
                    actor,
                    _owner(post),
                    post.thread_id,
                    post.event_id,
                )
            )


def _owner(post: Post) -> tuple[str, ...]:
    return (person_id(post.owner),) if post.owner else ()


def _time_order(event: RawInteraction) -> tuple[int, str]:
    occurred_at = event.occurred_at
    assert isinstance(occurred_at, int)
    return occurred_at, event.event_id
