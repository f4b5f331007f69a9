"""``orgpulse demo`` end to end: its own broker, the worker and the simulator, then a clean stop;
a second run on the same data dir is live again."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

from support.hermetic import KEY_VARIABLE
from support.kafka import REPO, free_ports, shared_libs_dir


def run_demo(env: dict[str, str]) -> str:
    """One ``orgpulse demo`` of 8,000 simulated events; its standard output."""
    command = [
        sys.executable,
        "-m",
        "streams",
        "demo",
        "--duration",
        "35",
        "--events",
        "8000",
        "--rate",
        "1000",
        "--events-per-hour",
        "600",
    ]
    result = subprocess.run(
        command, cwd=REPO, env=env, capture_output=True, text=True, timeout=240, check=False
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert "rdkafka" not in result.stdout + result.stderr  # librdkafka logs to demo.log
    return result.stdout


def test_demo_runs_the_pipeline_and_shows_the_planted_silos(tmp_path: Path) -> None:
    broker_port, _, web_port = free_ports(3)
    env = {
        **{name: value for name, value in os.environ.items() if name != KEY_VARIABLE},
        "ORGPULSE_BOOTSTRAP": f"127.0.0.1:{broker_port}",
        "ORGPULSE_WEB_PORT": str(web_port),
        "ORGPULSE_DATA_DIR": str(tmp_path / "orgpulse"),
        "ORGPULSE_KAFKA_LIBS": str(shared_libs_dir()),
        "COLUMNS": "160",
    }
    output = run_demo(env)
    assert f"http://127.0.0.1:{web_port}/metrics" in output
    assert "processed 8,000 events" in output
    siloed = [line for line in output.splitlines() if "SILOED" in line]
    assert siloed, output[-3000:]
    assert "requests" in output and "top flows" in output
    ports = subprocess.run(["ss", "-ltn"], capture_output=True, text=True, check=True).stdout
    assert f":{broker_port} " not in ports and f":{web_port} " not in ports
    key_file = tmp_path / "orgpulse" / "pseudonym.key"
    key = key_file.read_text()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600 and len(key.strip()) >= 32

    # the second run on the same data dir is live: new events, none a duplicate of the first
    again = run_demo(env)
    assert "processed 8,000 events" in again, again[-3000:]
    assert [line for line in again.splitlines() if "SILOED" in line]
    assert key_file.read_text() == key  # same key: the same people keep their pseudonyms
