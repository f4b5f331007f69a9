"""Rolling event-time windows of the person graph (one edge map shared by every window) and
what is read from them in O(teams):
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
from streams.analytics.graph.person_graph import GraphStore, WindowGraph
from streams.analytics.graph.teams import TeamAggregates, TeamView
from streams.analytics.graph.window import Bucket, RollingWindows

__all__ = [
    "Bucket",
    "GraphStore",
    "RollingWindows",
    "TeamAggregates",
    "TeamView",
    "WindowGraph",
    "bridge_concentration",
    "ei_index",
    "modularity",
    "reciprocity",
    "team_flow",
]
