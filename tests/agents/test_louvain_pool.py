"""The Louvain process ends with its worker, even one SIGKILLed (no shutdown of any kind)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

WORKER = """
import os
from streams.agents.refresh import louvain_pool

pool = louvain_pool()
print(pool.submit(os.getpid).result(), flush=True)
input()  # until killed
"""


def alive(pid: int) -> bool:
    """Whether a process of that id exists (zombies included: the test does not reap them)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_the_louvain_process_exits_after_its_worker_is_sigkilled() -> None:
    worker = subprocess.Popen(
        [sys.executable, "-c", WORKER], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert worker.stdout is not None
    pool_pid = int(worker.stdout.readline())
    assert pool_pid != worker.pid and alive(pool_pid)
    worker.send_signal(signal.SIGKILL)
    worker.wait()
    deadline = time.monotonic() + 30
    while alive(pool_pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not alive(pool_pid)
