"""The Faust-free runtime: tenant states of one worker, their delta store, checkpoints
and the offline analyzer. May import analytics, metrics, records and kafka; never Faust."""
