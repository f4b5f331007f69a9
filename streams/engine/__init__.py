"""The Faust-free runtime: tenant states of one worker, their delta store, checkpoints and
the offline analyzer (``orgpulse analyze``), which runs the same code without Kafka.

May import analytics, metrics, records and kafka; never Faust (the layer test checks it).
"""

from streams.engine.checkpoint import from_checkpoint, to_checkpoint
from streams.engine.offline import OfflineResult, analyze
from streams.engine.runtime import DeltaStore, Runtime

__all__ = ["DeltaStore", "OfflineResult", "Runtime", "analyze", "from_checkpoint", "to_checkpoint"]
