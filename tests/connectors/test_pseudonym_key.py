"""No guessable key: every producer refuses the public key, a short key and no key at all."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import SecretStr
from support.hermetic import KEY_VARIABLE
from support.kafka import REPO

from connectors.kafka_io import read_all
from streams.connectors.builder import RecordBuilder, ingest_builder
from streams.connectors.emitter import Emitter
from streams.connectors.pseudonym import PseudonymKeyError, stored_key
from streams.settings import Settings

PUBLIC = "orgpulse-development-key"
SHORT = "x" * 31
REFUSED = {"public": PUBLIC, "short": SHORT, "empty": ""}
EVENTS = (
    "event_id,occurred_at,source,kind,actor,targets\n"
    "e1,1709283600,slack,message,a@x.test,b@x.test\n"
)


def without_key(settings: Settings, key: str | None) -> Settings:
    """``settings`` with ``key`` as the pseudonym key (``None``: no key)."""
    return settings.model_copy(update={"pseudonym_key": None if key is None else SecretStr(key)})


@pytest.mark.parametrize("key", [*REFUSED.values(), None], ids=[*REFUSED, "none"])
def test_builder_and_emitter_refuse_the_key(sdk_settings: Settings, key: str | None) -> None:
    settings = without_key(sdk_settings, key)
    with pytest.raises(PseudonymKeyError, match="make one with: python3 -c"):
        RecordBuilder(settings)
    with pytest.raises(PseudonymKeyError, match="ORGPULSE_PSEUDONYM_KEY"):
        Emitter(settings)
    assert read_all(settings.bootstrap, settings.topic_interactions) == []


def test_a_32_byte_key_is_accepted_and_the_worker_builder_needs_none() -> None:
    assert RecordBuilder(without_key(Settings(), "k" * 32)).settings.pseudonym_key is not None
    assert ingest_builder(without_key(Settings(), None)) is None
    with pytest.raises(PseudonymKeyError, match="only 31 bytes"):
        ingest_builder(without_key(Settings(), SHORT))


def run_import(
    tmp_path: Path, bootstrap: str, topic: str, key: str | None
) -> subprocess.CompletedProcess[str]:
    """``orgpulse import csv`` as a user runs it, with ``key`` in its environment."""
    events = tmp_path / "events.csv"
    events.write_text(EVENTS)
    env = {
        **{n: v for n, v in os.environ.items() if n != KEY_VARIABLE},
        "ORGPULSE_BOOTSTRAP": bootstrap,
        "ORGPULSE_TOPIC_INTERACTIONS": topic,
    }
    if key is not None:
        env[KEY_VARIABLE] = key
    command = [sys.executable, "-m", "streams", "import", "csv", str(events), "--tenant", "acme"]
    return subprocess.run(
        command, cwd=REPO, env=env, capture_output=True, text=True, timeout=60, check=False
    )


@pytest.mark.parametrize("key", [*REFUSED.values(), None], ids=[*REFUSED, "none"])
def test_import_command_refuses_the_key(
    sdk_settings: Settings, tmp_path: Path, key: str | None
) -> None:
    result = run_import(tmp_path, sdk_settings.bootstrap, sdk_settings.topic_interactions, key)
    assert result.returncode == 2, result.stderr
    assert "ORGPULSE_PSEUDONYM_KEY" in result.stderr and "secrets.token_urlsafe" in result.stderr
    assert "Traceback" not in result.stderr
    assert read_all(sdk_settings.bootstrap, sdk_settings.topic_interactions) == []


def test_import_command_runs_with_a_good_key(sdk_settings: Settings, tmp_path: Path) -> None:
    key = "a-long-enough-secret-of-32-bytes"
    result = run_import(tmp_path, sdk_settings.bootstrap, sdk_settings.topic_interactions, key)
    assert result.returncode == 0, result.stderr
    assert len(read_all(sdk_settings.bootstrap, sdk_settings.topic_interactions)) == 1


def test_stored_key_is_created_once_private_and_reused(tmp_path: Path) -> None:
    path = tmp_path / "demo" / "pseudonym.key"
    first = stored_key(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(first.get_secret_value().encode()) >= 32
    assert stored_key(path) == first
    assert stored_key(tmp_path / "other.key") != first
