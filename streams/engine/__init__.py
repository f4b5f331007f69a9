"""The Faust-free runtime: tenant states of one worker, their delta store, checkpoints and
the offline analyzer (``orgpulse analyze``), which runs the same code without Kafka.

May import analytics, metrics, records and kafka; never Faust (the layer test checks it).
"""

from streams.engine.checkpoints import Checkpoints
from streams.engine.offline import OfflineResult, analyze
from streams.engine.runtime import DeltaStore, Runtime, TenantSlot
from streams.engine.sealed import CheckpointError, seal, unseal

__all__ = [
    "CheckpointError",
    "Checkpoints",
    "DeltaStore",
    "OfflineResult",
    "Runtime",
    "TenantSlot",
    "analyze",
    "seal",
    "unseal",
]
