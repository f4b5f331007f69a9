"""The environment every test runs in: no user ``ORGPULSE_*`` setting, a random pseudonym key."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from streams.settings import get_settings

SWITCHES = frozenset({"ORGPULSE_BOOTSTRAP", "ORGPULSE_KAFKA_LIBS"})
"""Documented switches of the test run itself: an external broker, the broker jar cache."""
KEY_VARIABLE = "ORGPULSE_PSEUDONYM_KEY"
TEST_KEY = secrets.token_urlsafe(32)
"""The pseudonym key of this test run (random, 43 characters)."""


@contextmanager
def hermetic_environment() -> Iterator[None]:
    """Remove every ``ORGPULSE_*`` variable except :data:`SWITCHES`; set :data:`TEST_KEY`."""
    with pytest.MonkeyPatch.context() as patch:
        for name in [n for n in os.environ if n.startswith("ORGPULSE_") and n not in SWITCHES]:
            patch.delenv(name)
        patch.setenv(KEY_VARIABLE, TEST_KEY)
        get_settings.cache_clear()
        try:
            yield
        finally:
            get_settings.cache_clear()
