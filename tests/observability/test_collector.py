"""The scrape-time collector against plain Python over the same snapshots."""

from __future__ import annotations

import random

from streams.metrics.collector import SnapshotCollector

from .test_rules import EmptySource


def test_team_flow_exports_the_top_k_flows_of_each_window_by_weight_then_teams() -> None:
    rnd = random.Random(3)
    source = EmptySource()
    teams = [f"t{i}" for i in range(12)]
    for window in ("7d", "28d"):
        flow = [
            {"src": s, "dst": d, "weight": float(rnd.randint(1, 9))}
            for s in teams
            for d in teams
            if s != d and rnd.random() < 0.5
        ]
        source.snapshots.setdefault("acme", {})[window] = {"org": {}, "teams": {}, "flow": flow}
    collector = SnapshotCollector(source, "28d", top_k=7)
    family = next(f for f in collector.collect() if f.name == "orgpulse_team_flow")
    exported = [
        (s.labels["window"], s.labels["src_team"], s.labels["dst_team"]) for s in family.samples
    ]
    expected = [
        (window, f["src"], f["dst"])
        for window, snapshot in source.snapshots["acme"].items()
        for f in sorted(snapshot["flow"], key=lambda f: (-f["weight"], f["src"], f["dst"]))[:7]
    ]
    assert exported == expected
