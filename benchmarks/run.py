"""``make bench``: run every benchmark script and write their output to BENCHMARKS.md.

Each script ends with machine-readable lines ``FIGURE <name> <value> <unit>``
(:func:`common.figure`); they are collected into the summary table at the top of the file,
one row per figure of issue 13 (today's value, the measured one, the target and whether it
is met), and left out of the sections. The memory soak (``bench_soak.py``, ``make soak``)
is left out for its length: its last recorded result (``benchmarks/soak-result.txt``) is
shown and fills the soak row.
"""

from __future__ import annotations

import math
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SCRIPTS = (
    ("Codec encode/decode", ["benchmarks/bench_codec.py"]),
    ("Simulator", ["benchmarks/bench_simulator.py"]),
    (
        "Team metrics refresh and Louvain vs org size, up to 100,000 people",
        ["benchmarks/bench_graph.py", "--louvain"],
    ),
    ("Request/response pairing and open-request state", ["benchmarks/bench_feedback.py"]),
    ("Local broker start", ["benchmarks/bench_broker.py", "--skip-download"]),
    (
        "Worker steady events/s on envelopes vs plain ceilings (singles, envelopes) and the "
        "naive per-event agent",
        ["benchmarks/bench_worker.py", "--naive-events", "50000"],
    ),
    (
        "Backfill of 1,000,000 events to a served 28d snapshot, RSS, then SIGKILL and restart",
        ["benchmarks/bench_backfill.py", "--events", "1000000"],
    ),
    (
        "Freshness at a steady 10,000 events/s for 60 s",
        ["benchmarks/bench_freshness.py", "--rate", "10000"],
    ),
    (
        "Freshness at a steady 5,000 events/s for 60 s (not held when issue 13 was filed)",
        ["benchmarks/bench_freshness.py", "--rate", "5000"],
    ),
    ("Profile of the in-process hot path", ["benchmarks/profile_worker.py"]),
    (
        "Where the backfill's memory goes: the parts of one tenant's state after 1,000,000 events",
        ["benchmarks/profile_memory.py"],
    ),
)
SOAK_RESULT = REPO / "benchmarks" / "soak-result.txt"
SOAK_NOTE = """## Memory soak

Not run by `make bench`: it takes ten minutes. `make soak` runs
`.venv/bin/python benchmarks/bench_soak.py` (worker RSS every 10 s at 1,000 events/s in
envelopes while event time moves through 5 x the 28-day window; first/middle/last RSS and
the slope over the second half) and writes `benchmarks/soak-result.txt`, shown here as last
recorded; `make soak SOAK_ARGS="--minutes 2"` for a shorter run.
"""
FIGURE_PREFIX = "FIGURE "
Figures = dict[str, float]


@dataclass(frozen=True)
class Row:
    """One row of the summary: a figure of the issue, how to read it from the figures and
    whether the target is met (``None``: no target, or not measured)."""

    label: str
    today: str
    target: str
    measured: Callable[[Figures], str | None]
    met: Callable[[Figures], bool | None]


def value(name: str, unit: str, digits: int = 0) -> Callable[[Figures], str | None]:
    """Shows the figure ``name`` with ``unit`` (None when it was not measured)."""

    def show(figures: Figures) -> str | None:
        if name not in figures:
            return None
        number = figures[name]
        return "not reached" if math.isinf(number) else f"{number:,.{digits}f} {unit}".strip()

    return show


def at_most(name: str, bound: float) -> Callable[[Figures], bool | None]:
    """Met when the figure ``name`` is at most ``bound``."""
    return lambda figures: None if name not in figures else figures[name] <= bound


def at_least(name: str, bound: float) -> Callable[[Figures], bool | None]:
    """Met when the figure ``name`` is at least ``bound``."""
    return lambda figures: None if name not in figures else figures[name] >= bound


def no_target(figures: Figures) -> bool | None:
    """A figure reported without a target."""
    return None


def soak_measured(figures: Figures) -> str | None:
    """The soak's last RSS and whether it was flat."""
    if "soak_rss_mib" not in figures or "soak_growth_share" not in figures:
        return None
    return f"{figures['soak_rss_mib']:,.0f} MiB, {figures['soak_growth_share']:+.1%} growth"


def soak_met(figures: Figures) -> bool | None:
    """Flat (second-half growth under 5 % of its mean) and lower than today's 423 MiB."""
    if "soak_rss_mib" not in figures or "soak_growth_share" not in figures:
        return None
    return abs(figures["soak_growth_share"]) < 0.05 and figures["soak_rss_mib"] < 423


ROWS = (
    Row(
        "worker steady events/s (2,000 people, 60 teams, 200k events, seed 7; envelopes)",
        "3,733",
        ">= 5 x today = 18,665",
        value("worker_events_per_second", "events/s"),
        at_least("worker_events_per_second", 5 * 3733),
    ),
    Row(
        "worker / plain ceiling on single events, same run",
        "0.04",
        ">= 0.20",
        value("worker_vs_ceiling_singles", "x", 2),
        at_least("worker_vs_ceiling_singles", 0.20),
    ),
    Row(
        "worker / plain ceiling on envelopes, same run",
        "not measured",
        "none (honest ratio)",
        value("worker_vs_ceiling_envelopes", "x", 2),
        no_target,
    ),
    Row(
        "worker / naive per-event agent, same run",
        "2.0",
        ">= 10",
        value("worker_vs_naive", "x", 1),
        at_least("worker_vs_naive", 10),
    ),
    Row(
        "backfill: 1M events, 10,000 people, 200 teams, 30 days -> served 28d snapshot",
        "455 s",
        "<= 90 s",
        value("backfill_seconds", "s"),
        at_most("backfill_seconds", 90),
    ),
    Row(
        "RSS at the end of that backfill",
        "1.76 GiB",
        "<= 700 MiB",
        value("backfill_rss_mib", "MiB"),
        at_most("backfill_rss_mib", 700),
    ),
    Row(
        "SIGKILL right after the backfill: start -> the same 28d snapshot served",
        "not measured",
        "<= 20 s",
        value("restart_seconds", "s", 1),
        at_most("restart_seconds", 20),
    ),
    Row(
        "SIGKILL of that worker at rest (all committed, idle checkpoint confirmed): start -> "
        "the same 28d snapshot served",
        "not measured",
        "<= 20 s",
        value("restart_at_rest_seconds", "s", 1),
        at_most("restart_at_rest_seconds", 20),
    ),
    Row(
        "freshness at 10,000 events/s for 60 s: produced -> counted, p99",
        "not held at 5,000",
        "<= 2 s",
        value("freshness_p99_10000", "s", 2),
        at_most("freshness_p99_10000", 2),
    ),
    Row(
        "100,000 people, 1,000 teams, 5M pairs (28d): refresh",
        "not measured",
        "<= 50 ms",
        value("refresh_100k_ms", "ms", 1),
        at_most("refresh_100k_ms", 50),
    ),
    Row(
        "100,000 people: Louvain pass",
        "not measured",
        "<= 60 s",
        value("louvain_100k_seconds", "s", 1),
        at_most("louvain_100k_seconds", 60),
    ),
    Row(
        "100,000 people: RSS",
        "not measured",
        "reported",
        value("rss_100k_mib", "MiB"),
        no_target,
    ),
    Row(
        "memory soak (`make soak`, 10 min; last recorded)",
        "flat at 423 MiB",
        "flat, lower",
        soak_measured,
        soak_met,
    ),
)


def parse_figures(output: str) -> tuple[str, Figures]:
    """The output without its ``FIGURE`` lines, and the figures they give by name."""
    kept: list[str] = []
    figures: Figures = {}
    for line in output.splitlines():
        if line.startswith(FIGURE_PREFIX):
            _, name, number, *_ = line.split()
            figures[name] = float(number)
        else:
            kept.append(line)
    return "\n".join(kept), figures


def summary(figures: Figures) -> str:
    """The summary table of every row of :data:`ROWS`."""
    lines = [
        "## Summary: the figures of issue 13\n",
        "| figure | issue's today | measured | target | met? |",
        "|---|---|---|---|---|",
    ]
    for row in ROWS:
        met = row.met(figures)
        verdict = "—" if met is None else ("yes" if met else "**no**")
        measured = row.measured(figures) or "not measured"
        lines.append(f"| {row.label} | {row.today} | {measured} | {row.target} | {verdict} |")
    return "\n".join(lines) + "\n"


def soak_section() -> tuple[str, Figures]:
    """The soak note with the last recorded ``make soak`` result, if any, and its figures."""
    if not SOAK_RESULT.exists():
        return SOAK_NOTE, {}
    output, figures = parse_figures(SOAK_RESULT.read_text().strip())
    return f"{SOAK_NOTE}\n```\n{output}\n```\n", figures


def run_script(command: list[str]) -> tuple[str, Figures, bool]:
    """Run one script; its output (stderr's tail if it failed), figures and success."""
    began = time.monotonic()
    result = subprocess.run(
        [sys.executable, *command], cwd=REPO, capture_output=True, text=True, check=False
    )
    output, figures = parse_figures(result.stdout.strip())
    if result.returncode != 0 or not output:
        output = f"{output}\n{result.stderr.strip()[-2000:]}".strip()
    output += f"\n({time.monotonic() - began:.0f} s)"
    return output, figures, result.returncode == 0


def main() -> None:
    """Run each script in turn; a failing script fails the run after the file is written."""
    began = time.monotonic()
    header = (
        "# Benchmarks\n\n"
        f"Written by `make bench` on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
        f"{platform.machine()}, Python {platform.python_version()}, "
        f"{len(os.sched_getaffinity(0))} cores. "
        "Each section gives the exact command; ratios are measured in the same run.\n"
    )
    sections: list[str] = []
    figures: Figures = {}
    failed = False
    for title, command in SCRIPTS:
        print(f"== {title}", flush=True)
        output, found, ok = run_script(command)
        print(output, flush=True)
        figures |= found
        failed |= not ok
        sections.append(
            f"## {title}\n\n`.venv/bin/python {' '.join(command)}`\n\n```\n{output}\n```\n"
        )
    soak, soak_figures = soak_section()
    sections.append(soak)
    total = f"`make bench` took {(time.monotonic() - began) / 60:.0f} min.\n"
    document = [header, summary(figures | soak_figures), total, *sections]
    (REPO / "BENCHMARKS.md").write_text("\n".join(document))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
