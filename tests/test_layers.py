"""The layer rule of DESIGN §8, read from every module's imports (static, no import runs).

- ``streams.analytics`` imports nothing of Kafka, Faust, aiohttp or prometheus_client;
- ``streams.engine`` imports no Faust;
- only the Faust wiring (``streams.agents``, ``streams.web``, ``streams.app`` and the
  ``worker`` command that runs it) imports Faust, mode, aiokafka or aiohttp.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "streams"

FAUST = frozenset({"faust", "mode", "aiokafka", "aiohttp"})
KAFKA = frozenset({"confluent_kafka", "aiokafka", "fastavro"})
PROMETHEUS = frozenset({"prometheus_client"})
WIRING = ("agents", "web", "app.py", "commands/worker.py")

RULES: dict[str, frozenset[str]] = {
    "analytics": FAUST | KAFKA | PROMETHEUS,
    "engine": FAUST,
}


def imported_roots(path: Path) -> Iterator[tuple[int, str]]:
    """``(line, top-level package)`` of every import in ``path``, also inside functions."""
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name.partition(".")[0]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.lineno, node.module.partition(".")[0]


def violations(package: Path) -> list[str]:
    """Every import that breaks the layer rule, as ``path:line imports root``."""
    found = []
    for path in sorted(package.rglob("*.py")):
        relative = path.relative_to(package).as_posix()
        forbidden = RULES.get(relative.partition("/")[0], frozenset())
        if not relative.startswith(WIRING):
            forbidden |= FAUST
        found += [
            f"{relative}:{line} imports {root}"
            for line, root in imported_roots(path)
            if root in forbidden
        ]
    return found


def test_the_package_keeps_the_layer_rule() -> None:
    assert violations(PACKAGE) == []


@pytest.mark.parametrize(
    ("module", "source", "expected"),
    [
        ("analytics/graph/window.py", "import confluent_kafka\n", "1 imports confluent_kafka"),
        ("analytics/tenant.py", "import prometheus_client\n", "1 imports prometheus_client"),
        ("engine/runtime.py", "import faust.web\n", "1 imports faust"),
        ("connectors/emitter.py", "from aiohttp import web\n", "1 imports aiohttp"),
        ("metrics/counters.py", "def f() -> None:\n    import mode\n", "2 imports mode"),
    ],
)
def test_a_forbidden_import_is_found(
    tmp_path: Path, module: str, source: str, expected: str
) -> None:
    target = tmp_path / "streams" / module
    target.parent.mkdir(parents=True)
    target.write_text(source)
    assert violations(tmp_path / "streams") == [f"{module}:{expected}"]


def test_the_wiring_may_import_faust(tmp_path: Path) -> None:
    for module in ("agents/ingest.py", "web/views.py", "app.py", "commands/worker.py"):
        target = tmp_path / "streams" / module
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("import faust\nfrom aiohttp import web\n")
    assert violations(tmp_path / "streams") == []
