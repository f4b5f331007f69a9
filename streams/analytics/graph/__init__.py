"""Rolling event-time windows of the person graph and what is read from them in O(teams):
team aggregates and the network indices (E-I, modularity, reciprocity, bridge concentration,
team flow).
"""

from streams.analytics.graph.indices import (
    bridge_concentration,
    ei_index,
    modularity,
    reciprocity,
    team_flow,
)
from streams.analytics.graph.person_graph import WindowGraph
from streams.analytics.graph.teams import TeamAggregates
from streams.analytics.graph.window import Bucket, RollingWindows

__all__ = [
    "Bucket",
    "RollingWindows",
    "TeamAggregates",
    "WindowGraph",
    "bridge_concentration",
    "ei_index",
    "modularity",
    "reciprocity",
    "team_flow",
]
