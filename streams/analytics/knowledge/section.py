"""Knowledge flow of a tenant: artifact diffusion and information latency between teams.

Both are observers of a tenant's accepted events (:mod:`streams.analytics.knowledge.artifacts`,
:mod:`streams.analytics.knowledge.infolatency`); this module attaches them to a tenant state and
assembles their privacy-filtered outputs for the metrics and the knowledge API: a team is
named only while it qualifies in the tenant's largest window (README "Privacy"); artifacts
and information age are tracked over that window too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from streams.analytics.knowledge.artifacts import ArtifactDiffusion
from streams.analytics.knowledge.infolatency import InformationLatency, team_out_of_date, top_pairs
from streams.analytics.snapshot import reported_teams
from streams.analytics.tenant import TenantState


@dataclass
class KnowledgeObservers:
    """The knowledge-flow observers of one tenant."""

    artifacts: ArtifactDiffusion = field(default_factory=ArtifactDiffusion)
    latency: InformationLatency = field(default_factory=InformationLatency)

    def attach(self, state: TenantState) -> None:
        """Register both observers with ``state`` (before it sees any event)."""
        state.add_observer(self.artifacts)
        state.add_observer(self.latency)


def knowledge_section(
    state: TenantState, observers: KnowledgeObservers, top_k: int
) -> dict[str, Any]:
    """Artifact diffusion summary, the ``top_k`` stalest team pairs and per-team staleness."""
    size, directory = state.config.min_group_size, state.directory
    reported = set(reported_teams(state.windows.graphs[state.largest_window], directory, size))
    as_of = state.windows.watermark
    staleness = {} if as_of is None else observers.latency.staleness(as_of, directory, size)
    pairs = {p: s for p, s in staleness.items() if p[0] in reported and p[1] in reported}
    artifacts = observers.artifacts.summary(size, directory)
    artifacts["by_origin"] = {
        team: summary for team, summary in artifacts["by_origin"].items() if team in reported
    }
    return {
        "tenant": state.tenant,
        "artifacts": artifacts,
        "top_stale_pairs": [
            {
                "dst": b,
                "src": a,
                "median_seconds": stale["median_seconds"],
                "reached": stale["reached"],
            }
            for (b, a), stale in top_pairs(pairs, top_k)
        ],
        "out_of_date": team_out_of_date(pairs),
    }
