"""``make bench``: run every benchmark script and write their output to BENCHMARKS.md.

The memory soak (``bench_soak.py``, ``make soak``) is left out for its length; the file
says how to run it.
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SCRIPTS = (
    ("Codec encode/decode", ["benchmarks/bench_codec.py"]),
    ("Simulator", ["benchmarks/bench_simulator.py"]),
    (
        "Team metrics refresh vs networkx recompute, and refresh vs org size",
        ["benchmarks/bench_graph.py", "--louvain"],
    ),
    ("Request/response pairing and open-request state", ["benchmarks/bench_feedback.py"]),
    ("Local broker start", ["benchmarks/bench_broker.py", "--skip-download"]),
    (
        "Worker throughput vs a consume + decode ceiling and a naive per-event agent",
        ["benchmarks/bench_worker.py"],
    ),
    (
        "Backfill of 1,000,000 events to a snapshot",
        ["benchmarks/bench_backfill.py", "--events", "1000000"],
    ),
    ("Freshness at a steady 5,000 events/s", ["benchmarks/bench_freshness.py", "--rate", "5000"]),
    (
        "Freshness at a steady 2,500 events/s, a rate one worker sustains here",
        ["benchmarks/bench_freshness.py", "--rate", "2500"],
    ),
    ("Profile of the in-process hot path", ["benchmarks/profile_worker.py"]),
)
SOAK_RESULT = REPO / "benchmarks" / "soak-result.txt"
SOAK_NOTE = """## Memory soak

Not run by `make bench`: it takes ten minutes. `make soak` runs
`.venv/bin/python benchmarks/bench_soak.py` (worker RSS every 10 s at 1,000 events/s while
event time moves through 5 x the 28-day window; first/middle/last RSS and the slope over
the second half) and writes `benchmarks/soak-result.txt`, shown here as last recorded;
`make soak SOAK_ARGS="--minutes 2"` for a shorter run.
"""


def soak_section() -> str:
    """The soak note with the last recorded ``make soak`` result, if any."""
    if not SOAK_RESULT.exists():
        return SOAK_NOTE
    return f"{SOAK_NOTE}\n```\n{SOAK_RESULT.read_text().strip()}\n```\n"


def main() -> None:
    """Run each script in turn; a failing script fails the run after the file is written."""
    sections = [
        "# Benchmarks\n",
        f"Written by `make bench` on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
        f"{platform.machine()}, Python {platform.python_version()}, "
        f"{len(os.sched_getaffinity(0))} cores. "
        "Each section gives the exact command; ratios are measured in the same run.\n",
    ]
    failed = False
    for title, command in SCRIPTS:
        print(f"== {title}", flush=True)
        result = subprocess.run(
            [sys.executable, *command], cwd=REPO, capture_output=True, text=True, check=False
        )
        output = result.stdout.strip()
        if result.returncode != 0 or not output:
            output = f"{output}\n{result.stderr.strip()[-2000:]}".strip()
        print(output, flush=True)
        failed |= result.returncode != 0
        sections.append(
            f"## {title}\n\n`.venv/bin/python {' '.join(command)}`\n\n```\n{output}\n```\n"
        )
    sections.append(soak_section())
    (REPO / "BENCHMARKS.md").write_text("\n".join(sections))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
