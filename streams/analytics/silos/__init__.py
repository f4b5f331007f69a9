"""Silos: the state machine with hysteresis that raises ``team_siloed`` alerts, and the
Louvain pass that finds communities cutting across formal teams (hidden silos).
"""

from streams.analytics.silos.louvain import hidden_silos, prepare
from streams.analytics.silos.silo import SiloTracker, Transition, build_alert

__all__ = ["SiloTracker", "Transition", "build_alert", "hidden_silos", "prepare"]
