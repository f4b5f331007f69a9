"""``make bench``: run every benchmark script and write their output to BENCHMARKS.md."""

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
    ("Team metrics refresh vs networkx recompute", ["benchmarks/bench_graph.py", "--louvain"]),
    ("Request/response pairing and open-request state", ["benchmarks/bench_feedback.py"]),
    ("Local broker start", ["benchmarks/bench_broker.py", "--skip-download"]),
    ("Worker throughput and memory", ["benchmarks/bench_worker.py"]),
)


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
        output = result.stdout.strip() or result.stderr.strip()[-2000:]
        print(output, flush=True)
        failed |= result.returncode != 0
        sections.append(
            f"## {title}\n\n`.venv/bin/python {' '.join(command)}`\n\n```\n{output}\n```\n"
        )
    (REPO / "BENCHMARKS.md").write_text("\n".join(sections))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
