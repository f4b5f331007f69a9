"""Slack workspace exports (the zip file, or the folder it unpacks to) as orgpulse records.

An export holds ``users.json``, ``channels.json`` (public channels), optionally
``groups.json`` (private channels), and one folder per channel, named after it, of day files
``YYYY-MM-DD.json``, each a list of messages. Direct and group messages (``dms.json``,
``mpims.json``) are not read. Mapping (source ``slack``, channel = the channel name, person id
= the Slack user id, event ids ``<channel id>:<ts>``):

- A top-level message (a thread root or a plain message) is a ``request`` when it asks
  something: its text, links and mentions removed, contains ``?`` (``question_requests``), or
  it mentions someone (``mention_requests``); else a ``message``. Targets: the users it
  mentions (``<@U…>``); thread_id: its own event id.
- A thread reply (``thread_ts`` ≠ ``ts``, also a ``thread_broadcast``) is a ``reply`` with
  thread_id = in_reply_to = the root's event id ``<channel id>:<thread_ts>``. Targets: the
  root's author (``parent_user_id``, else the author of the root in the export), then the
  users it mentions.
- Every user listed in a reaction gives a ``reaction`` from that user to the message author,
  event id ``<message event id>/reaction/<emoji>/<n>`` (n = position in the reaction's user
  list) and attributes ``{"message": <message event id>, "emoji": <name>}``. Slack exports
  no reaction time, so occurred_at is the message's time; for that reason a reaction has no
  thread_id or in_reply_to: it never counts as the response to a request.
- Artifacts: links in the text (``<https://…|label>``, ``<https://…>`` and bare URLs) and
  the permalinks of shared files, hashed by :mod:`streams.connectors.artifacts`.
- The author is never among the targets of their own event; a reaction to one's own message
  is skipped (``self_reaction``).

Skipped: messages of other subtypes than plain, ``thread_broadcast``, ``file_share``,
``me_message`` and ``bot_message`` (reason ``subtype_<subtype>``, e.g.
``subtype_channel_join``), messages without a user (``no_user``), with a malformed ``ts``
(``bad_timestamp``), unreadable day files (``bad_day_file``) and users without an id
(``bad_user``).

Directory, from ``users.json``: a user whose profile field ``team_field`` (default
``title``) is set belongs to that team; bots (``is_bot``, and Slackbot ``USLACKBOT``) are
flagged ``bot`` (team ``unassigned`` when the field is empty); other users are not emitted
and stay unassigned; deleted users are kept (their history is in the export). Records come
out directory first, then skipped messages, then events in time order (a message's
reactions, or their ``self_reaction`` skips, right after it).
"""

from __future__ import annotations

import html
import json
import re
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from streams.connectors.artifacts import artifact_ids, find_urls
from streams.connectors.base import Connector
from streams.connectors.records import RawInteraction, RawPerson, Skipped, SourceItem
from streams.model import UNASSIGNED

SOURCE = "slack"
KEPT_SUBTYPES = frozenset({"", "thread_broadcast", "file_share", "me_message", "bot_message"})
SLACKBOT = "USLACKBOT"
CHANNEL_FILES = ("channels.json", "groups.json")
_DAY_FILE = re.compile(r"\d{4}-\d{2}-\d{2}\.json")
_TS = re.compile(r"\d{1,12}(\.\d{1,6})?")
_MENTION = re.compile(r"<@([A-Z0-9]+)(?:\|[^>]*)?>")
_LINK = re.compile(r"<(https?://[^|>]+)(?:\|[^>]*)?>", re.IGNORECASE)
_TOKEN = re.compile(r"<[^>]*>")


@dataclass(frozen=True, slots=True)
class Channel:
    """A channel of the export: its id (for event ids) and name (its folder, the channel)."""

    id: str
    name: str


@dataclass(frozen=True, slots=True)
class Post:
    """One readable message of a day file."""

    channel: Channel
    ts: str
    user: str
    text: str
    thread_ts: str
    parent_user: str
    reactions: tuple[tuple[str, tuple[str, ...]], ...]
    files: tuple[str, ...]

    @property
    def event_id(self) -> str:
        """``<channel id>:<ts>``."""
        return f"{self.channel.id}:{self.ts}"

    @property
    def occurred_at(self) -> int:
        """The ``ts`` in epoch milliseconds."""
        return int(Decimal(self.ts) * 1000)

    @property
    def is_reply(self) -> bool:
        """Whether this is a reply in a thread rather than a top-level message."""
        return bool(self.thread_ts) and self.thread_ts != self.ts


def mentions(text: str) -> list[str]:
    """The user ids mentioned (``<@U…>``) in a Slack message text, in order."""
    return _MENTION.findall(text)


def links(text: str) -> list[str]:
    """The http(s) links of a Slack message text: ``<url|label>``, ``<url>`` and bare ones."""
    wrapped = [html.unescape(url) for url in _LINK.findall(text)]
    bare = find_urls(html.unescape(_TOKEN.sub(" ", text)))
    return wrapped + bare


def asks(text: str) -> bool:
    """Whether the text, without its links, mentions and other ``<…>`` tokens, has a ``?``."""
    text = _TOKEN.sub(" ", text)
    for url in find_urls(text):
        text = text.replace(url, " ")
    return "?" in text


def _strings(value: Any) -> tuple[str, ...]:
    return tuple(v for v in value if isinstance(v, str) and v) if isinstance(value, list) else ()


def parse_post(channel: Channel, message: Any) -> Post:
    """A day-file message as a :class:`Post`; ``ValueError`` carries a short reason code."""
    if not isinstance(message, dict):
        raise ValueError("bad_message")
    subtype = str(message.get("subtype") or "")
    if subtype not in KEPT_SUBTYPES:
        raise ValueError(f"subtype_{subtype}")
    ts, user = message.get("ts"), message.get("user")
    if not isinstance(ts, str) or not _TS.fullmatch(ts):
        raise ValueError("bad_timestamp")
    if not isinstance(user, str) or not user:
        raise ValueError("no_user")
    reactions = tuple(
        (str(r.get("name") or "?"), _strings(r.get("users")))
        for r in message.get("reactions") or ()
        if isinstance(r, dict)
    )
    files = tuple(
        str(f.get("permalink") or f.get("url_private"))
        for f in message.get("files") or ()
        if isinstance(f, dict) and (f.get("permalink") or f.get("url_private"))
    )
    return Post(
        channel=channel,
        ts=ts,
        user=user,
        text=str(message.get("text") or ""),
        thread_ts=str(message.get("thread_ts") or ""),
        parent_user=str(message.get("parent_user_id") or ""),
        reactions=reactions,
        files=files,
    )


def _others(actor: str, people: Sequence[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(p for p in people if p and p != actor))


def _load(path: Traversable) -> Any:
    if not path.is_file():
        raise FileNotFoundError(f"Slack export without {path.name}")
    return json.loads(path.read_text(encoding="utf-8"))


class SlackConnector(Connector):
    """Reads Slack exports (zip files or folders); see the module docstring for the mapping.

    ``team_field`` names the user-profile field holding the team; ``question_requests`` and
    ``mention_requests`` switch the two request heuristics for top-level messages.
    """

    name = "slack"

    def __init__(
        self,
        paths: Sequence[Path],
        tenant: str,
        *,
        team_field: str = "title",
        question_requests: bool = True,
        mention_requests: bool = True,
    ) -> None:
        self.paths = list(paths)
        self.tenant = tenant
        self.team_field = team_field
        self.question_requests = question_requests
        self.mention_requests = mention_requests

    def records(self) -> Iterator[SourceItem]:
        """The directory, skipped items, then events in time order (see the module docstring)."""
        people: list[RawPerson | Skipped] = []
        posts: list[Post] = []
        skipped: list[Skipped] = []
        for path in self.paths:
            if path.is_dir():
                self._read(path, people, posts, skipped)
            else:
                with zipfile.ZipFile(path) as archive:
                    self._read(zipfile.Path(archive), people, posts, skipped)
        yield from people
        yield from skipped
        roots = {post.event_id: post.user for post in posts if not post.is_reply}
        posts.sort(key=lambda post: post.occurred_at)
        for post in posts:
            yield from self.post_events(post, roots)

    def _read(
        self,
        root: Traversable,
        people: list[RawPerson | Skipped],
        posts: list[Post],
        skipped: list[Skipped],
    ) -> None:
        people.extend(self._people(_load(root / "users.json")))
        for file_name in CHANNEL_FILES:
            if file_name == "channels.json" or (root / file_name).is_file():
                for entry in _load(root / file_name):
                    if not isinstance(entry, dict):
                        continue
                    name = str(entry.get("name") or entry.get("id") or "")
                    channel = Channel(str(entry.get("id") or name), name)
                    if name and (root / name).is_dir():
                        self._read_channel(root / name, channel, posts, skipped)

    def _people(self, users: Any) -> Iterator[RawPerson | Skipped]:
        for index, user in enumerate(users):
            person = user.get("id") if isinstance(user, dict) else None
            if not isinstance(person, str) or not person:
                yield Skipped("bad_user", f"users.json[{index}]")
                continue
            profile = user.get("profile")
            field = profile.get(self.team_field) if isinstance(profile, dict) else None
            team = field.strip() if isinstance(field, str) else ""
            bot = bool(user.get("is_bot")) or person == SLACKBOT
            if team or bot:
                yield RawPerson(self.tenant, person, team or UNASSIGNED, bot=bot)

    def _read_channel(
        self, folder: Traversable, channel: Channel, posts: list[Post], skipped: list[Skipped]
    ) -> None:
        days = sorted(
            (day for day in folder.iterdir() if _DAY_FILE.fullmatch(day.name)),
            key=lambda day: day.name,
        )
        for day in days:
            where = f"{channel.name}/{day.name}"
            try:
                messages = json.loads(day.read_text(encoding="utf-8"))
            except (ValueError, UnicodeDecodeError):
                messages = None
            if not isinstance(messages, list):
                skipped.append(Skipped("bad_day_file", where))
                continue
            for index, message in enumerate(messages):
                try:
                    posts.append(parse_post(channel, message))
                except ValueError as error:
                    skipped.append(Skipped(str(error), f"{where}[{index}]"))

    def _is_request(self, text: str, mentioned: Sequence[str]) -> bool:
        return (self.question_requests and asks(text)) or (
            self.mention_requests and bool(mentioned)
        )

    def post_events(self, post: Post, roots: dict[str, str]) -> Iterator[RawInteraction | Skipped]:
        """The message and reaction events of one post (``roots``: thread root authors)."""
        mentioned = _others(post.user, mentions(post.text))
        artifacts = artifact_ids([*links(post.text), *post.files])
        if post.is_reply:
            root = f"{post.channel.id}:{post.thread_ts}"
            parent = post.parent_user or roots.get(root, "")
            kind, targets = "reply", _others(post.user, [parent, *mentioned])
            thread_id, in_reply_to = root, root
        else:
            kind = "request" if self._is_request(post.text, mentioned) else "message"
            targets, thread_id, in_reply_to = mentioned, post.event_id, None
        yield RawInteraction(
            event_id=post.event_id,
            tenant=self.tenant,
            source=SOURCE,
            kind=kind,
            occurred_at=post.occurred_at,
            actor=post.user,
            targets=targets,
            thread_id=thread_id,
            in_reply_to=in_reply_to,
            channel=post.channel.name,
            artifacts=artifacts,
        )
        yield from self._reactions(post)

    def _reactions(self, post: Post) -> Iterator[RawInteraction | Skipped]:
        for emoji, users in post.reactions:
            for position, user in enumerate(users):
                event_id = f"{post.event_id}/reaction/{emoji}/{position}"
                if user == post.user:
                    yield Skipped("self_reaction", event_id)
                    continue
                yield RawInteraction(
                    event_id=event_id,
                    tenant=self.tenant,
                    source=SOURCE,
                    kind="reaction",
                    occurred_at=post.occurred_at,
                    actor=user,
                    targets=(post.user,),
                    channel=post.channel.name,
                    attributes={"message": post.event_id, "emoji": emoji},
                )
