"""Knowledge flow: artifact diffusion across teams, information latency along
time-respecting chains of interactions, and the knowledge section of a tenant.
"""

from streams.analytics.knowledge.artifacts import ArtifactDiffusion
from streams.analytics.knowledge.infolatency import InformationLatency, team_out_of_date, top_pairs
from streams.analytics.knowledge.section import KnowledgeObservers, knowledge_section

__all__ = [
    "ArtifactDiffusion",
    "InformationLatency",
    "KnowledgeObservers",
    "knowledge_section",
    "team_out_of_date",
    "top_pairs",
]
