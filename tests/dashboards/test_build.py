"""The committed JSON is what the code renders, and ``orgpulse dashboards build`` writes it."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from streams.commands import dashboards as command
from streams.dashboards import DASHBOARDS, render, write_all

from .files import COMMITTED


def parser() -> argparse.ArgumentParser:
    """A parser with only the ``dashboards`` command (as streams.cli registers it)."""
    root = argparse.ArgumentParser(prog="orgpulse")
    command.register(root.add_subparsers(dest="command", required=True))
    return root


def test_committed_dashboards_are_what_the_code_renders(tmp_path: Path) -> None:
    written = write_all(tmp_path)
    assert sorted(path.name for path in written) == sorted(
        path.name for path in COMMITTED.glob("*.json")
    ), "grafana/dashboards has missing or stale files: run `orgpulse dashboards build`"
    for path in written:
        assert path.read_bytes() == (COMMITTED / path.name).read_bytes(), (
            f"{path.name} drifted from the code: run `orgpulse dashboards build`"
        )


def test_rendering_is_stable_sorted_and_ends_with_a_newline() -> None:
    for build in DASHBOARDS.values():
        text = render(build())
        assert text == render(build())
        assert text.endswith("}\n")
        assert not text.endswith("\n\n")
        top_keys = [line[3 : line.index('":')] for line in text.splitlines() if line[:3] == '  "']
        assert top_keys == sorted(top_keys)


def test_cli_builds_into_the_given_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = parser().parse_args(["dashboards", "build", "--out", str(tmp_path / "out")])
    assert args.func(args) == 0
    names = sorted(path.name for path in (tmp_path / "out").iterdir())
    assert names == sorted(f"{stem}.json" for stem in DASHBOARDS)
    assert capsys.readouterr().out.split() == [
        str(tmp_path / "out" / f"{stem}.json") for stem in DASHBOARDS
    ]
    for name in names:
        assert (tmp_path / "out" / name).read_bytes() == (COMMITTED / name).read_bytes()


def test_cli_writes_to_grafana_dashboards_by_default() -> None:
    args = parser().parse_args(["dashboards", "build"])
    assert args.out == Path("grafana/dashboards")


def test_cli_rejects_unknown_actions() -> None:
    with pytest.raises(SystemExit):
        parser().parse_args(["dashboards", "publish"])
