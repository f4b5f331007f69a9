"""HTTP on the worker's web port (Faust views): metrics, health, snapshot and knowledge reads,
the ingest API and its body parsing, webhook receivers, bearer-token enforcement
(:mod:`streams.access` decides, :mod:`auth` applies it to requests).
"""
