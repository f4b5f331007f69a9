"""Building valid, pseudonymized records from the plain values connectors yield."""

from __future__ import annotations

from streams.connectors.pseudonym import Pseudonymizer
from streams.connectors.records import RawInteraction, RawPerson
from streams.model import Interaction, Person
from streams.settings import Settings
from streams.timeutil import datetime_to_ms, now_ms
from streams.validation import validate_interaction, validate_person


class RecordBuilder:
    """Pseudonymizes every person id (and optionally channels) and validates the result.

    Invalid input raises :class:`~streams.validation.InvalidRecord` naming the field.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._pseudonym = Pseudonymizer(settings.pseudonym_key.get_secret_value().encode())

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
        record["actor"] = pseudo(tenant, raw.actor)
        record["targets"] = [pseudo(tenant, t) for t in raw.targets]
        if raw.channel is not None and self.settings.pseudonymize_channels:
            record["channel"] = pseudo.channel(tenant, raw.channel)
        return record

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
