"""The examples in the package's docstrings run as tests (every module with a ``>>>``)."""

from __future__ import annotations

import doctest
import importlib
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "streams"
SKIPPED = {"streams.app", "streams.__main__"}
"""Entry points that build or run the worker when imported."""


def modules_with_examples() -> list[str]:
    """Dotted names of the package's modules whose source holds a doctest example."""
    names = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        if name not in SKIPPED and ">>> " in path.read_text():
            names.append(name)
    return names


def test_the_pure_helpers_have_examples() -> None:
    assert {
        "streams.analytics.graph.indices",
        "streams.analytics.ranks",
        "streams.analytics.pairs",
        "streams.settings",
        "streams.timeutil",
    } <= set(modules_with_examples())


@pytest.mark.parametrize("name", modules_with_examples())
def test_docstring_examples(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0, result
