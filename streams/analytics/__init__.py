"""Pure analytics over interaction events and graphs: no Kafka, no Faust (networkx style).

Entry point: :class:`streams.analytics.tenant.TenantState`, fed events in order; it keeps
the rolling windows (:mod:`window`), team aggregates (:mod:`teams`), silo state
(:mod:`silo`) and per-batch deltas (:mod:`journal`); :mod:`snapshot` renders DESIGN §5 JSON,
:mod:`checkpoint` saves full state and :mod:`louvain` finds hidden silos off the event loop.
"""
