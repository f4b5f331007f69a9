"""Thin Faust wiring: the app and raw topics, the ingest agent, the refresh timers and their
pacing, the tenant-partitioned delta table, fail-stop. The only package (with :mod:`streams.web`
and :mod:`streams.app`) that imports Faust; the work itself is done by :mod:`streams.engine`.
"""
