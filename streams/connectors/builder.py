"""Building valid, pseudonymized records from the plain values connectors yield."""

from __future__ import annotations

from streams.connectors.pseudonym import Pseudonymizer, checked_key
from streams.connectors.records import RawInteraction, RawPerson
from streams.model import Interaction, Person
from streams.settings import Settings
from streams.timeutil import datetime_to_ms, now_ms
from streams.validation import validate_interaction, validate_person


class RecordBuilder:
    """Pseudonymizes every person id (and optionally channels) and validates the result.

    Invalid input raises :class:`~streams.validation.InvalidRecord` naming the field. Without
    a usable pseudonym key (see :func:`~streams.connectors.pseudonym.checked_key`) the builder
    is not created: :class:`~streams.connectors.pseudonym.PseudonymKeyError`.
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


def ingest_builder(settings: Settings) -> RecordBuilder | None:
    """The worker's builder for HTTP ingest and webhooks; ``None`` when no key is configured.

    A worker without ``ORGPULSE_PSEUDONYM_KEY`` runs (it only reads pseudonymized records) and
    answers its ingest endpoints with 503; a key that is set but refused stops it at start.
    """
    if settings.pseudonym_key is None:
        return None
    return RecordBuilder(settings)
