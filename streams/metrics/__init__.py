"""Prometheus: the counters and histograms a worker updates, and the scrape-time
gauges built from snapshots."""
