"""Running the ``orgpulse`` command line as a child process, the way a user does."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping

from support.kafka import REPO


def orgpulse(
    *args: str, env: Mapping[str, str] | None = None, stdin: str = "", timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """``orgpulse ARGS`` with this environment plus ``env``; never raises for its exit code."""
    return subprocess.run(
        [sys.executable, "-m", "streams", *args],
        cwd=REPO,
        env={**os.environ, **(env or {})},
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
