"""The org simulator: a seeded organization whose ground truth tests can check."""

from __future__ import annotations

import statistics
from collections.abc import Iterator
from typing import Any

from streams.connectors.base import Connector
from streams.connectors.pacing import paced
from streams.connectors.records import RawPerson, RawRecord
from streams.connectors.simulator.events import EventSimulator
from streams.connectors.simulator.org import Org, OrgSpec, build_org, expected_ei

__all__ = ["OrgSimulator", "OrgSpec"]


class OrgSimulator(Connector):
    """Emits the directory of a simulated organization, then ``events`` interactions."""

    name = "simulator"

    def __init__(self, spec: OrgSpec, events: int, start_ms: int, rate: float = 0.0) -> None:
        self.spec = spec
        self.count = events
        self.rate = rate
        self.org: Org = build_org(spec)
        self.simulation = EventSimulator(spec, self.org, start_ms)

    def directory(self) -> Iterator[RawPerson]:
        """One directory entry per person in a team (unassigned people are left out)."""
        for member in self.org.members:
            if member.team is not None:
                yield RawPerson(
                    self.spec.tenant, member.person, member.team, member.manager, member.bot
                )

    def records(self) -> Iterator[RawRecord]:
        """The directory, then the interactions (at ``rate`` events/s if it is positive)."""
        yield from self.directory()
        yield from paced(self.simulation.events(self.count), self.rate)

    def ground_truth(self) -> dict[str, Any]:
        """What the pipeline should recover: planted silos, expected E-I, answer latencies."""
        eis = expected_ei(self.org)
        truth = self.simulation.truth
        return {
            "seed": self.spec.seed,
            "tenant": self.spec.tenant,
            "teams": {
                team: {
                    "members": len(people),
                    "planted_silo": team in self.org.siloed,
                    "expected_ei": round(eis[team], 4) if team in eis else None,
                }
                for team, people in sorted(self.org.teams.items())
            },
            "latency": {
                scope: {
                    "planted_median_seconds": median,
                    "answers": len(values),
                    "sample_median_seconds": statistics.median(values) if values else None,
                }
                for scope, median, values in (
                    ("within_team", self.spec.within_latency_median_s, truth.within_team),
                    ("cross_team", self.spec.cross_latency_median_s, truth.cross_team),
                )
            },
        }
