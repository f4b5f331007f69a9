"""Building valid, pseudonymized records from the plain values connectors yield."""

from __future__ import annotations

from collections.abc import Mapping

from streams.connectors.attributes import EVENT_ID, allowed
from streams.connectors.pseudonym import (
    ARTIFACT_NAMESPACE,
    EVENT_NAMESPACE,
    THREAD_NAMESPACE,
    Pseudonymizer,
    checked_key,
)
from streams.connectors.records import RawInteraction, RawPerson
from streams.model import Interaction, Person
from streams.records.validation import validate_interaction, validate_person
from streams.settings import Settings
from streams.timeutil import datetime_to_ms, now_ms


class RecordBuilder:
    """Validates a record, then pseudonymizes every identifier in it (README "Privacy").

    People (actor, targets, directory person and manager) in the person namespace;
    ``event_id`` and ``in_reply_to`` in one event namespace, so replies still pair;
    ``thread_id``, artifacts and (unless ``pseudonymize_channels`` is off) ``channel`` each
    in their own. ``attributes`` keep only the keys the source's allow-list names
    (:mod:`streams.connectors.attributes`).

    Invalid input raises :class:`~streams.records.validation.InvalidRecord` naming the field.
    Without a usable pseudonym key (see :func:`~streams.connectors.pseudonym.checked_key`) the
    builder is not created: :class:`~streams.connectors.pseudonym.PseudonymKeyError`.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._pseudonym = Pseudonymizer(checked_key(settings.pseudonym_key))

    def interaction(self, raw: RawInteraction) -> Interaction:
        """The validated, pseudonymized Interaction record for ``raw``.

        The raw ids are validated; the pseudonyms replace them afterwards.
        """
        pseudo, tenant = self._pseudonym, raw.tenant
        occurred_at = raw.occurred_at
        record: Interaction = {
            "event_id": raw.event_id,
            "tenant": raw.tenant,
            "source": raw.source,
            "kind": raw.kind,  # type: ignore[typeddict-item]  # checked by validation below
            "occurred_at": occurred_at
            if isinstance(occurred_at, int)
            else datetime_to_ms(occurred_at),
            "actor": raw.actor,
            "targets": list(raw.targets),
            "thread_id": raw.thread_id,
            "in_reply_to": raw.in_reply_to,
            "channel": raw.channel,
            "artifacts": list(raw.artifacts),
            "weight": float(raw.weight),
            "attributes": dict(raw.attributes),
        }
        validate_interaction(record, now_ms(), self.settings.max_future_seconds * 1000)
        record["event_id"] = self._event(tenant, raw.event_id)
        record["actor"] = pseudo(tenant, raw.actor)
        record["targets"] = [pseudo(tenant, t) for t in raw.targets]
        record["thread_id"] = self._optional(THREAD_NAMESPACE, tenant, raw.thread_id)
        record["in_reply_to"] = self._optional(EVENT_NAMESPACE, tenant, raw.in_reply_to)
        record["artifacts"] = [
            pseudo.namespaced(ARTIFACT_NAMESPACE, tenant, a) for a in raw.artifacts
        ]
        if raw.channel is not None and self.settings.pseudonymize_channels:
            record["channel"] = pseudo.channel(tenant, raw.channel)
        record["attributes"] = self._attributes(raw.source, tenant, raw.attributes)
        return record

    def _event(self, tenant: str, raw_event_id: str) -> str:
        return self._pseudonym.namespaced(EVENT_NAMESPACE, tenant, raw_event_id)

    def _optional(self, namespace: str, tenant: str, raw_id: str | None) -> str | None:
        return None if raw_id is None else self._pseudonym.namespaced(namespace, tenant, raw_id)

    def _attributes(
        self, source: str, tenant: str, attributes: Mapping[str, str]
    ) -> dict[str, str]:
        """The allowed attributes of ``source``; event ids among them pseudonymized."""
        rules = allowed(source)
        return {
            key: self._event(tenant, value) if rules[key] == EVENT_ID else value
            for key, value in attributes.items()
            if key in rules
        }

    def person(self, raw: RawPerson) -> Person:
        """The validated, pseudonymized Person record for ``raw``."""
        pseudo = self._pseudonym
        record: Person = {
            "person": raw.person,
            "team": raw.team,
            "manager": raw.manager,
            "tenant": raw.tenant,
            "bot": raw.bot,
        }
        validate_person(record, removal=raw.removed)
        record["person"] = pseudo(raw.tenant, raw.person)
        if raw.manager is not None:
            record["manager"] = pseudo(raw.tenant, raw.manager)
        return record


def ingest_builder(settings: Settings) -> RecordBuilder | None:
    """The worker's builder for HTTP ingest and webhooks; ``None`` when no key is configured.

    A worker without ``ORGPULSE_PSEUDONYM_KEY`` runs (it only reads pseudonymized records) and
    answers its ingest endpoints with 503; a key that is set but refused stops it at start.
    """
    if settings.pseudonym_key is None:
        return None
    return RecordBuilder(settings)
