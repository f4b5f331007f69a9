"""A seeded synthetic organization: teams of different sizes, managers, silos, bridges, bots."""

from __future__ import annotations

import random
from dataclasses import dataclass, field


@dataclass(frozen=True)
class OrgSpec:
    """Parameters of a simulated organization and of its interaction patterns."""

    seed: int = 7
    run: int = 0
    """Varies the event stream (draws and event ids) of the same organization: run 0 is the
    reproducible stream of the seed; ``orgpulse demo`` uses a new run each time it starts."""
    tenant: str = "acme"
    people: int = 200
    teams: int = 12
    siloed_teams: int = 2
    small_teams: int = 1
    small_team_size: int = 3
    unassigned_people: int = 4
    bots: int = 2
    inward_share: float = 0.5
    siloed_inward_share: float = 0.96
    siloed_attraction: float = 0.1
    """How likely others are to pick a member of a siloed team, relative to anyone else."""
    bridges_per_team: int = 1
    bridge_inward_share: float = 0.1
    events_per_hour: float = 600.0
    request_share: float = 0.15
    share_share: float = 0.05
    answer_rate: float = 0.9
    bot_reply_rate: float = 0.2
    self_followup_rate: float = 0.1
    within_latency_median_s: float = 20 * 60.0
    cross_latency_median_s: float = 4 * 3600.0
    latency_sigma: float = 0.8


@dataclass
class Member:
    """One simulated person: raw id, team (None = not in the directory) and habits."""

    person: str
    team: str | None
    inward_share: float
    manager: str | None = None
    bot: bool = False
    attraction: float = 1.0
    """Relative chance of being picked as an outside target."""


@dataclass
class Org:
    """The people and teams of a simulated organization."""

    members: list[Member]
    teams: dict[str, list[Member]] = field(default_factory=dict)
    siloed: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        for member in self.members:
            if member.team is not None:
                self.teams.setdefault(member.team, []).append(member)


def _team_sizes(spec: OrgSpec, rng: random.Random) -> list[int]:
    regular = spec.teams - spec.small_teams
    available = spec.people - spec.small_teams * spec.small_team_size - spec.unassigned_people
    if regular < 1 or available < regular * 5:
        raise ValueError("not enough people for the requested teams (regular teams need >= 5)")
    shares = [rng.lognormvariate(0.0, 0.6) for _ in range(regular)]
    sizes = [5 + int((available - 5 * regular) * s / sum(shares)) for s in shares]
    sizes[0] += available - sum(sizes)
    return sizes + [spec.small_team_size] * spec.small_teams


def build_org(spec: OrgSpec) -> Org:
    """Build the organization of ``spec`` deterministically from its seed."""
    rng = random.Random(spec.seed)
    sizes = _team_sizes(spec, rng)
    regular = spec.teams - spec.small_teams
    siloed = frozenset(f"team-{i:02d}" for i in rng.sample(range(regular), spec.siloed_teams))
    members: list[Member] = []
    for index, size in enumerate(sizes):
        team = f"team-{index:02d}"
        base = spec.siloed_inward_share if team in siloed else spec.inward_share
        attraction = spec.siloed_attraction if team in siloed else 1.0
        for position in range(size):
            bridge = team not in siloed and position < spec.bridges_per_team and size >= 5
            share = spec.bridge_inward_share if bridge else base
            manager = None if position == 0 else members[len(members) - position].person
            members.append(
                Member(f"person-{len(members):05d}", team, share, manager, attraction=attraction)
            )
    for _ in range(spec.unassigned_people):
        members.append(Member(f"person-{len(members):05d}", None, 0.0))
    for index in range(spec.bots):
        members.append(Member(f"bot-{index:02d}", "automation", 1.0, bot=True))
    return Org(members, siloed=siloed)


def expected_ei(org: Org) -> dict[str, float]:
    """Expected E-I index of each team from the generation probabilities (pairs of base events)."""
    humans = [m for m in org.members if not m.bot]
    pull = {team: sum(m.attraction for m in people) for team, people in org.teams.items()}
    total = sum(m.attraction for m in humans)
    internal: dict[str, float] = {}
    external: dict[str, float] = {}
    for member in humans:
        outward = 1.0 - member.inward_share if member.team else 1.0
        if member.team:
            internal[member.team] = internal.get(member.team, 0.0) + member.inward_share
            external[member.team] = external.get(member.team, 0.0) + outward
        outside = total - (pull[member.team] if member.team else member.attraction)
        for team, team_pull in pull.items():
            if team != member.team:
                external[team] = external.get(team, 0.0) + outward * team_pull / outside
    return {t: (external[t] - internal[t]) / (external[t] + internal[t]) for t in internal}
