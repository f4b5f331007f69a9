"""Locating, loading and fingerprinting the Avro schemas, and the compiled record validator."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastavro.schema import fingerprint as fastavro_fingerprint
from fastavro.schema import to_parsing_canonical_form

from streams.kafka import schemas

REPO_SCHEMAS = Path(__file__).resolve().parent.parent / "schemas"

# CRC-64-AVRO as the Avro specification defines it, independent of fastavro.
_EMPTY = 0xC15D213AA4D7A795
_TABLE = []
for _i in range(256):
    _fp = _i
    for _ in range(8):
        _fp = (_fp >> 1) ^ (_EMPTY & -(_fp & 1))
    _TABLE.append(_fp)


def crc64_avro(data: bytes) -> int:
    """The spec's reference CRC-64-AVRO of ``data``."""
    fp = _EMPTY
    for byte in data:
        fp = (fp >> 8) ^ _TABLE[(fp ^ byte) & 0xFF]
    return fp


@pytest.fixture
def fresh_cache() -> Iterator[None]:
    schemas._load.cache_clear()
    yield
    schemas._load.cache_clear()


def test_schema_dir_in_a_checkout_is_the_repo_schemas() -> None:
    assert schemas.schema_dir() == REPO_SCHEMAS


def test_schema_dir_prefers_the_wheel_layout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_cache: None
) -> None:
    package = tmp_path / "site-packages" / "streams"
    shutil.copytree(REPO_SCHEMAS, package / "schemas")
    (tmp_path / "site-packages" / "schemas").mkdir()  # a stray dir next to the package
    monkeypatch.setattr(schemas, "__file__", str(package / "kafka" / "schemas.py"))
    assert schemas.schema_dir() == package / "schemas"
    assert schemas.load(schemas.PERSON)["name"] == "orgpulse.Person"


def test_schema_dir_missing_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_cache: None
) -> None:
    monkeypatch.setattr(schemas, "__file__", str(tmp_path / "streams" / "kafka" / "schemas.py"))
    with pytest.raises(FileNotFoundError, match="no Avro schemas"):
        schemas.schema_dir()


def test_load_is_self_contained_and_keeps_docs_defaults_and_logical_types() -> None:
    interaction = schemas.load(schemas.INTERACTION)
    assert not [key for key in interaction if key.startswith("__")]
    fields = {field["name"]: field for field in interaction["fields"]}
    assert fields["kind"]["type"]["type"] == "enum"  # orgpulse.Kind inlined from its own file
    assert fields["kind"]["type"]["symbols"][2] == "request"
    assert fields["occurred_at"]["type"]["logicalType"] == "timestamp-millis"
    assert fields["weight"]["default"] == 1.0
    assert "doc" in fields["event_id"]
    json.dumps(interaction)  # registry-ready JSON
    alert_fields = {f["name"]: f for f in schemas.load(schemas.ALERT)["fields"]}
    assert alert_fields["status"]["type"]["symbols"] == ["firing", "resolved"]


def test_load_returns_a_copy() -> None:
    schemas.load(schemas.PERSON)["fields"].clear()
    assert len(schemas.load(schemas.PERSON)["fields"]) == 5


def test_load_unknown_name() -> None:
    with pytest.raises(KeyError, match=r"orgpulse\.Nope"):
        schemas.load("orgpulse.Nope")


@pytest.mark.parametrize("name", schemas.RECORD_SCHEMAS)
def test_fingerprint_is_crc64_avro_of_the_canonical_form(name: str) -> None:
    declaration = schemas.load(name)
    form = schemas.canonical_form(declaration)
    assert form == to_parsing_canonical_form(declaration)
    assert "logicalType" not in form and "doc" not in form and "default" not in form
    expected = crc64_avro(form.encode()).to_bytes(8, "little")
    assert schemas.fingerprint(declaration) == expected
    assert expected.hex() == fastavro_fingerprint(form, "CRC-64-AVRO")


def test_crc64_reference_matches_the_avro_spec_vector() -> None:
    assert crc64_avro(b'"int"') == 0x7275D51A3F395C8F


def test_logical_types_do_not_change_the_fingerprint() -> None:
    declaration = schemas.load(schemas.INTERACTION)
    stripped = schemas.without_logical_types(declaration)
    assert "logicalType" not in json.dumps(stripped)
    assert schemas.fingerprint(stripped) == schemas.fingerprint(declaration)
    assert schemas.fingerprint(schemas.parse(declaration)) == schemas.fingerprint(declaration)


def test_parse_rejects_non_objects() -> None:
    with pytest.raises(ValueError, match="schema object"):
        schemas.parse('"string"')


EVERYTHING: dict[str, Any] = {
    "type": "record",
    "name": "t.All",
    "fields": [
        {"name": "n", "type": "null"},
        {"name": "b", "type": "boolean"},
        {"name": "i", "type": "int"},
        {"name": "l", "type": {"type": "long", "logicalType": "timestamp-millis"}},
        {"name": "f", "type": "float"},
        {"name": "d", "type": "double"},
        {"name": "by", "type": "bytes"},
        {"name": "s", "type": "string"},
        {"name": "e", "type": {"type": "enum", "name": "t.E", "symbols": ["A", "B"]}},
        {"name": "fx", "type": {"type": "fixed", "name": "t.F", "size": 2}},
        {"name": "a", "type": {"type": "array", "items": "t.E"}},
        {"name": "m", "type": {"type": "map", "values": "long"}},
        {"name": "u", "type": ["null", "string"], "default": None},
        {
            "name": "next",
            "type": ["null", "t.All"],
            "default": None,
        },
    ],
}
VALID: dict[str, Any] = {
    "n": None,
    "b": True,
    "i": -(2**31),
    "l": 2**63 - 1,
    "f": 1,
    "d": 2.5,
    "by": b"x",
    "s": "é",
    "e": "A",
    "fx": b"ab",
    "a": ["A", "B"],
    "m": {"k": -1},
    "u": "x",
}


def test_validator_accepts_a_valid_record_and_recursion() -> None:
    check = schemas.compile_validator(EVERYTHING)
    assert check(VALID) is None
    assert check({**VALID, "u": None, "next": {**VALID, "a": (), "m": {}}}) is None
    assert check({k: v for k, v in VALID.items() if k != "u"}) is None  # has a default


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("n", 0, "n: expected null"),
        ("b", 1, "b: expected boolean"),
        ("i", 2**31, "i: expected int"),
        ("i", True, "i: expected int"),
        ("l", 2**63, "l: expected long"),
        ("l", 1.0, "l: expected long"),
        ("l", "1", "l: expected long"),
        ("f", False, "f: expected float"),
        ("d", "2.5", "d: expected double"),
        ("d", None, "d: expected double"),
        ("by", "x", "by: expected bytes"),
        ("s", b"x", "s: expected string"),
        ("s", None, "s: expected string"),
        ("e", "C", "e: 'C' is not one of A, B"),
        ("fx", b"abc", "fx: expected 2 bytes"),
        ("a", "AB", "a: expected array"),
        ("a", ["A", "Z"], "a: [1]: 'Z' is not one of A, B"),
        ("m", [("k", 1)], "m: expected map"),
        ("m", {1: 1}, "m: key 1: expected string"),
        ("m", {"k": "1"}, "m: ['k']: expected long"),
        ("u", 3, "u: 3 matches no branch of the union"),
        ("next", {"n": None}, "next: {'n': None} matches no branch"),
    ],
)
def test_validator_reports_the_first_problem(field: str, value: object, message: str) -> None:
    problem = schemas.compile_validator(EVERYTHING)({**VALID, field: value})
    assert problem is not None and problem.startswith(message)


def test_validator_missing_and_unknown_fields_and_non_records() -> None:
    check = schemas.compile_validator(EVERYTHING)
    assert check({k: v for k, v in VALID.items() if k not in ("s", "b")}) == (
        "missing field(s) b, s"
    )
    assert check({**VALID, "zz": 1}) == "unknown field(s) zz"
    assert (check([VALID]) or "").startswith("expected record t.All, got [{'n': None")
