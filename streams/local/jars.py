"""Fetching the Kafka broker jars from Maven Central into a reusable cache directory.

The cache is complete once its marker file holds the digest of ``pom.xml``; later starts
then need neither Maven nor the network. Maven runs offline (``-o``) first, so a local
``~/.m2`` that already holds every artifact is used without touching Maven Central.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from streams.local.errors import BrokerError
from streams.local.locking import exclusive
from streams.local.tools import find_maven

LOG = logging.getLogger(__name__)
POM = Path(__file__).with_name("pom.xml")
LIBS_ENV = "ORGPULSE_KAFKA_LIBS"
MARKER = ".complete"
MAVEN_TIMEOUT_SECONDS = 900


def default_libs_dir(data_dir: Path) -> Path:
    """The jar cache: ``$ORGPULSE_KAFKA_LIBS`` if set, else ``<data_dir>/kafka/libs``."""
    override = os.environ.get(LIBS_ENV)
    return Path(override) if override else data_dir / "kafka" / "libs"


def pom_digest() -> str:
    """SHA-256 of the shipped pom.xml; a changed pom invalidates the cache."""
    return hashlib.sha256(POM.read_bytes()).hexdigest()


def jars_ready(libs_dir: Path) -> bool:
    """Whether ``libs_dir`` holds the complete jar set of the current pom."""
    marker = libs_dir / MARKER
    return marker.is_file() and marker.read_text().strip() == pom_digest()


def ensure_jars(libs_dir: Path) -> bool:
    """Fill ``libs_dir`` with the broker jars unless already complete; True if it fetched."""
    if jars_ready(libs_dir):
        return False
    libs_dir.mkdir(parents=True, exist_ok=True)
    with exclusive(libs_dir / ".lock"):
        if jars_ready(libs_dir):
            return False
        mvn = find_maven()
        LOG.info("fetching Kafka broker jars into %s", libs_dir)
        with tempfile.TemporaryDirectory(prefix=".staging-", dir=libs_dir) as work:
            _copy_dependencies(mvn, Path(work))
            _install(Path(work) / "libs", libs_dir)
    return True


def _copy_dependencies(mvn: Path, work: Path) -> None:
    shutil.copyfile(POM, work / "pom.xml")
    goal = [
        "-q", "-B", "-f", str(work / "pom.xml"), "dependency:copy-dependencies",
        "-DincludeScope=runtime", f"-DoutputDirectory={work / 'libs'}",
    ]  # fmt: skip
    if _maven(mvn, ["-o", *goal]).returncode == 0:
        return
    LOG.info("offline Maven run incomplete, downloading from Maven Central")
    online = _maven(mvn, goal)
    if online.returncode != 0:
        tail = "\n".join((online.stdout + online.stderr).splitlines()[-20:])
        raise BrokerError(f"mvn could not fetch the Kafka jars (exit {online.returncode}):\n{tail}")


def _maven(mvn: Path, arguments: list[str]) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(
            [str(mvn), *arguments],
            capture_output=True, text=True, timeout=MAVEN_TIMEOUT_SECONDS, check=False,
        )  # fmt: skip
    except subprocess.TimeoutExpired as error:
        raise BrokerError(f"mvn did not finish within {MAVEN_TIMEOUT_SECONDS} s") from error


def _install(staging: Path, libs_dir: Path) -> None:
    """Replace the cached jars with the staged ones; the marker is written last."""
    jars = sorted(staging.glob("*.jar"))
    if not jars:
        raise BrokerError(f"mvn reported success but copied no jars into {staging}")
    (libs_dir / MARKER).unlink(missing_ok=True)
    for old in libs_dir.glob("*.jar"):
        old.unlink()
    for jar in jars:
        jar.replace(libs_dir / jar.name)
    (libs_dir / MARKER).write_text(pom_digest() + "\n")
    LOG.info("cached %d Kafka jars in %s", len(jars), libs_dir)
