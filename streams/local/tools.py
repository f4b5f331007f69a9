"""Finding the external tools the local broker needs: Java 17+ and Maven."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

from streams.local.errors import INSTALL_HINT, MissingToolError

MIN_JAVA_MAJOR = 17
_JAVA_VERSION = re.compile(r'version "(\d+)(?:\.(\d+))?')


def java_major_version(version_output: str) -> int | None:
    """The major version in ``java -version`` output (``1.8.0`` counts as 8), or None."""
    match = _JAVA_VERSION.search(version_output)
    if match is None:
        return None
    major = int(match.group(1))
    if major == 1 and match.group(2) is not None:
        return int(match.group(2))
    return major


def _run_version(executable: str, flag: str) -> str:
    try:
        done = subprocess.run(
            [executable, flag], capture_output=True, text=True, timeout=60, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise MissingToolError(f"{executable} {flag} failed ({error}); {INSTALL_HINT}") from error
    return done.stdout + done.stderr


def find_java() -> Path:
    """The ``java`` on PATH, checked to be version 17 or newer."""
    java = shutil.which("java")
    if java is None:
        raise MissingToolError(
            f"Java {MIN_JAVA_MAJOR}+ is needed to run the local Kafka broker but `java` "
            f"is not on PATH; {INSTALL_HINT}"
        )
    major = java_major_version(_run_version(java, "-version"))
    if major is None or major < MIN_JAVA_MAJOR:
        found = "an unknown version" if major is None else f"Java {major}"
        raise MissingToolError(
            f"Java {MIN_JAVA_MAJOR}+ is needed to run the local Kafka broker but {java} is "
            f"{found}; {INSTALL_HINT}"
        )
    return Path(java)


def find_maven() -> Path:
    """The ``mvn`` on PATH, checked to run (``mvn -v``)."""
    mvn = shutil.which("mvn")
    if mvn is None:
        raise MissingToolError(
            "Maven is needed to download the Kafka broker jars but `mvn` is not on PATH; "
            f"{INSTALL_HINT}"
        )
    if "Apache Maven" not in _run_version(mvn, "-v"):
        raise MissingToolError(f"`{mvn} -v` does not report Apache Maven; {INSTALL_HINT}")
    return Path(mvn)
