"""GitHub webhook payloads (as received, or as the REST API returns the same objects).

Input files hold deliveries ``{"event": "<X-GitHub-Event header>", "payload": {…}}``, either
as one JSON array or as NDJSON (one delivery per line), with the ``X-GitHub-Delivery`` id as
an optional ``delivery`` field; a delivery may also be the payload itself with the ``event``
field added to it. Mapping (source ``github``, person id = login,
channel = the repository ``owner/name``, thread_id = ``<repo>#<number>``):

- ``pull_request`` ``review_requested`` → ``request`` from ``sender`` to
  ``requested_reviewer``, at ``pull_request.updated_at``, id ``<thread>:review_requested:<ms>:<n>``.
- ``issues`` ``assigned`` → ``request`` from ``sender`` to ``assignee``, at
  ``issue.updated_at``, id ``<thread>:assigned:<ms>:<n>``.
- ``pull_request_review`` ``submitted`` → ``review`` from ``review.user`` to the PR author
  (``pull_request.user``), at ``review.submitted_at``, id ``<thread>:review:<review.id>``.
- ``issue_comment`` ``created`` → ``comment`` from ``comment.user`` to the issue (or PR) author
  ``issue.user``, at ``comment.created_at``, id ``<thread>:comment:<comment.id>``.
- ``pull_request_review_comment`` ``created`` → ``comment`` from ``comment.user`` to the PR
  author, at ``comment.created_at``, id ``<thread>:review_comment:<comment.id>``.

A review comment answering another one has ``in_reply_to`` = that comment's event id, and
the author of that comment (when it is in the input) among its targets. Review
requests and assignments carry no id of their own: their id is ``<thread>:<action>:<delivery>``
when the delivery id is known (always for the webhook receiver, so two requests in the same
second stay two and a re-sent delivery keeps its ids); otherwise ``<ms>`` is the event time
and ``n`` numbers the deliveries with the same thread, action and time (1, 2, …). Logins
never appear in event ids. Links in review and comment bodies become artifacts. The actor is
never among the targets.

Skipped: other event types (``unsupported_event``), other actions (``ignored_action``),
review requests to a team (``team_review_request``), self-assignments (``self_assignment``),
payloads missing a needed field or with a malformed time (``malformed_payload``) and lines
that are not JSON objects (``bad_json``). Accounts of type ``Bot`` (e.g. ``dependabot[bot]``)
are emitted first as directory entries flagged ``bot`` (team ``unassigned``); then skipped
deliveries, then events in time order.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from streams.connectors.artifacts import artifact_ids, find_urls
from streams.connectors.base import Connector
from streams.connectors.records import RawInteraction, RawPerson, Skipped, SourceItem
from streams.model import UNASSIGNED
from streams.timeutil import parse_time

SOURCE = "github"
Mapper = Callable[["Delivery"], RawInteraction]


class _Unusable(Exception):
    """A well-formed delivery that maps to no event; the message is the skip reason."""


def _with_parent_author(event: RawInteraction, authors: dict[str, str]) -> RawInteraction:
    """``event`` with the author of the event it answers added to its targets."""
    parent = authors.get(event.in_reply_to or "")
    if parent is None or parent == event.actor or parent in event.targets:
        return event
    return replace(event, targets=(*event.targets, parent))


def read_deliveries(path: Path) -> Iterator[tuple[str, Any]]:
    """``(where, delivery)`` of every delivery in a JSON-array or NDJSON file."""
    text = path.read_text(encoding="utf-8-sig")
    if text.lstrip().startswith("["):
        for index, delivery in enumerate(json.loads(text)):
            yield f"{path.name}[{index}]", delivery
        return
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            try:
                delivery = json.loads(line)
            except ValueError:
                delivery = None
            yield f"{path.name}:{number}", delivery


class Delivery:
    """One webhook delivery: its event type and payload, with typed accessors."""

    def __init__(self, delivery: dict[str, Any]) -> None:
        payload = delivery.get("payload")
        self.payload: dict[str, Any] = payload if isinstance(payload, dict) else delivery
        self.event = str(delivery.get("event") or "")
        self.id = str(delivery.get("delivery") or "") or None
        """The ``X-GitHub-Delivery`` id, when known."""
        self.action = str(self.payload.get("action") or "")

    def login(self, *path: str) -> str:
        """The ``login`` of the user object at ``path``; ``KeyError`` when there is none."""
        login = self.get(*path, "login")
        if not isinstance(login, str) or not login:
            raise KeyError(".".join(path))
        return login

    def get(self, *path: str) -> Any:
        """The value at the key ``path``; ``KeyError`` when a step is missing."""
        value: Any = self.payload
        for key in path:
            if not isinstance(value, dict) or key not in value:
                raise KeyError(".".join(path))
            value = value[key]
        return value

    def time(self, *path: str) -> int:
        """The ISO 8601 time at ``path`` in epoch milliseconds; ``KeyError``/``ValueError``."""
        return parse_time(str(self.get(*path)))

    @property
    def repo(self) -> str:
        """The repository ``owner/name``."""
        return str(self.get("repository", "full_name"))

    def thread(self, item: str) -> str:
        """``<repo>#<number>`` of the issue or pull request at key ``item``."""
        return f"{self.repo}#{int(self.get(item, 'number'))}"

    def text(self, *path: str) -> str:
        """The body at ``path`` ('' when absent or null)."""
        try:
            return str(self.get(*path) or "")
        except KeyError:
            return ""

    def bots(self) -> Iterator[str]:
        """Logins of every ``Bot`` user object anywhere in the payload."""
        stack: list[Any] = [self.payload]
        while stack:
            value = stack.pop()
            if isinstance(value, dict):
                if value.get("type") == "Bot" and isinstance(value.get("login"), str):
                    yield value["login"]
                stack.extend(value.values())
            elif isinstance(value, list):
                stack.extend(value)


class GitHubConnector(Connector):
    """Reads files of GitHub webhook deliveries; see the module docstring for the mapping."""

    name = "github"

    def __init__(self, paths: Sequence[Path], tenant: str) -> None:
        self.paths = list(paths)
        self.tenant = tenant
        self._ordinals: Counter[str] = Counter()

    def records(self) -> Iterator[SourceItem]:
        """Bot directory entries, skipped deliveries, then events in time order."""
        self._ordinals.clear()
        bots: dict[str, None] = {}
        events: list[RawInteraction] = []
        skipped: list[Skipped] = []
        for path in self.paths:
            for where, raw in read_deliveries(path):
                if not isinstance(raw, dict):
                    skipped.append(Skipped("bad_json", where))
                    continue
                delivery = Delivery(raw)
                item = self.map_delivery(delivery, where)
                if isinstance(item, Skipped):
                    skipped.append(item)
                    continue
                bots.update(dict.fromkeys(delivery.bots()))
                events.append(item)
        for login in bots:
            yield RawPerson(self.tenant, login, UNASSIGNED, bot=True)
        yield from skipped
        authors = {event.event_id: event.actor for event in events}
        answers = (_with_parent_author(event, authors) for event in events)
        yield from sorted(answers, key=lambda event: event.occurred_at)

    def map_delivery(self, delivery: Delivery, where: str) -> RawInteraction | Skipped:
        """The interaction of one delivery, or why it is skipped (also used by the webhook)."""
        handled: dict[str, tuple[str, Mapper]] = {
            "pull_request": ("review_requested", self._review_request),
            "issues": ("assigned", self._assignment),
            "pull_request_review": ("submitted", self._review),
            "issue_comment": ("created", self._issue_comment),
            "pull_request_review_comment": ("created", self._review_comment),
        }
        if delivery.event not in handled:
            return Skipped("unsupported_event", f"{where} {delivery.event}")
        action, mapper = handled[delivery.event]
        if delivery.action != action:
            return Skipped("ignored_action", f"{where} {delivery.event}.{delivery.action}")
        try:
            return mapper(delivery)
        except (KeyError, ValueError, TypeError):
            return Skipped("malformed_payload", where)
        except _Unusable as error:
            return Skipped(str(error), where)

    def _event(
        self,
        delivery: Delivery,
        event_id: str,
        kind: str,
        occurred_at: int,
        actor: str,
        target: str,
        thread_id: str,
        body: str = "",
        in_reply_to: str | None = None,
    ) -> RawInteraction:
        return RawInteraction(
            event_id=event_id,
            tenant=self.tenant,
            source=SOURCE,
            kind=kind,
            occurred_at=occurred_at,
            actor=actor,
            targets=() if target == actor else (target,),
            thread_id=thread_id,
            in_reply_to=in_reply_to,
            channel=delivery.repo,
            artifacts=artifact_ids(find_urls(body)),
        )

    def _ordinal_id(self, d: Delivery, thread: str, action: str, occurred_at: int) -> str:
        if d.id is not None:
            return f"{thread}:{action}:{d.id}"
        prefix = f"{thread}:{action}:{occurred_at}"
        self._ordinals[prefix] += 1
        return f"{prefix}:{self._ordinals[prefix]}"

    def _review_request(self, d: Delivery) -> RawInteraction:
        if "requested_reviewer" not in d.payload and "requested_team" in d.payload:
            raise _Unusable("team_review_request")
        thread, when = d.thread("pull_request"), d.time("pull_request", "updated_at")
        reviewer, actor = d.login("requested_reviewer"), d.login("sender")
        event_id = self._ordinal_id(d, thread, "review_requested", when)
        return self._event(d, event_id, "request", when, actor, reviewer, thread)

    def _assignment(self, d: Delivery) -> RawInteraction:
        thread, when = d.thread("issue"), d.time("issue", "updated_at")
        assignee, actor = d.login("assignee"), d.login("sender")
        if assignee == actor:
            raise _Unusable("self_assignment")
        event_id = self._ordinal_id(d, thread, "assigned", when)
        return self._event(d, event_id, "request", when, actor, assignee, thread)

    def _review(self, d: Delivery) -> RawInteraction:
        thread = d.thread("pull_request")
        event_id = f"{thread}:review:{int(d.get('review', 'id'))}"
        author, actor = d.login("pull_request", "user"), d.login("review", "user")
        when, body = d.time("review", "submitted_at"), d.text("review", "body")
        return self._event(d, event_id, "review", when, actor, author, thread, body)

    def _issue_comment(self, d: Delivery) -> RawInteraction:
        thread = d.thread("issue")
        event_id = f"{thread}:comment:{int(d.get('comment', 'id'))}"
        author, actor = d.login("issue", "user"), d.login("comment", "user")
        when, body = d.time("comment", "created_at"), d.text("comment", "body")
        return self._event(d, event_id, "comment", when, actor, author, thread, body)

    def _review_comment(self, d: Delivery) -> RawInteraction:
        thread = d.thread("pull_request")
        event_id = f"{thread}:review_comment:{int(d.get('comment', 'id'))}"
        parent = d.payload["comment"].get("in_reply_to_id")
        in_reply_to = f"{thread}:review_comment:{int(parent)}" if parent else None
        author, actor = d.login("pull_request", "user"), d.login("comment", "user")
        when, body = d.time("comment", "created_at"), d.text("comment", "body")
        return self._event(d, event_id, "comment", when, actor, author, thread, body, in_reply_to)
