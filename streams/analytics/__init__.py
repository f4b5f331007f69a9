"""Pure analytics over interaction events (networkx style): no Kafka, Faust, aiohttp or
prometheus_client imports (the layer test checks it).

Families: :mod:`graph` (rolling windows, team aggregates, indices), :mod:`silos` (silo state
machine, Louvain hidden silos), :mod:`feedback` (request/response pairing and statistics),
:mod:`knowledge` (artifact diffusion, information latency). :class:`tenant.TenantState` ties
them together for one tenant, fed events in order; :mod:`journal` holds its per-batch deltas,
:mod:`snapshot` renders the DESIGN §5 JSON; :mod:`events`, :mod:`directory` and :mod:`pairs`
(micro-unit weights) are shared by every family. This package re-exports nothing, so that importing
one family never imports the others.
"""
