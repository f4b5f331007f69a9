"""The Avro schemas of orgpulse: where they live, how they load, and what records they accept.

One ``.avsc`` file per named type. An installed wheel carries them at ``streams/schemas/``
(force-included by the build); an editable install or a checkout reads ``<repo>/schemas/``.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path
from typing import Any, cast

from fastavro import parse_schema
from fastavro.schema import fingerprint as _fastavro_fingerprint
from fastavro.schema import load_schema, to_parsing_canonical_form

INTERACTION = "orgpulse.Interaction"
INTERACTION_BATCH = "orgpulse.InteractionBatch"
PERSON = "orgpulse.Person"
ALERT = "orgpulse.Alert"
RECORD_SCHEMAS: tuple[str, ...] = (INTERACTION, INTERACTION_BATCH, PERSON, ALERT)
"""Full names of the record types carried on Kafka topics."""

Schema = dict[str, Any]
"""An Avro schema declaration as JSON (a record, after loading)."""

Check = Callable[[object], str | None]
"""A compiled validator: ``None`` when the value fits, otherwise what is wrong with it."""

_SUFFIX = ".avsc"


def schema_dir() -> Path:
    """The directory holding the ``.avsc`` files (wheel layout first, then the checkout)."""
    package = Path(__file__).resolve().parents[1]
    for candidate in (package / "schemas", package.parent / "schemas"):
        if (candidate / f"{INTERACTION}{_SUFFIX}").is_file():
            return candidate
    raise FileNotFoundError(
        f"no Avro schemas under {package / 'schemas'} or {package.parent / 'schemas'}"
    )


def load(name: str) -> Schema:
    """The self-contained declaration of schema ``name`` (e.g. ``orgpulse.Interaction``).

    Named types from sibling files are inlined at their first use, names are fully qualified,
    and docs, defaults and logical types are kept: this is the text to hand to a schema
    registry. Raises ``KeyError`` for a name without a file.
    """
    return copy.deepcopy(_load(name))


@cache
def _load(name: str) -> Schema:
    path = schema_dir() / f"{name}{_SUFFIX}"
    if not path.is_file():
        raise KeyError(f"unknown schema {name!r}: no {path}")
    loaded = cast(Schema, load_schema(str(path)))
    # load_schema marks its result as parsed (top-level keys only); keep the plain declaration.
    return {key: value for key, value in loaded.items() if not key.startswith("__")}


def canonical_form(schema: Schema) -> str:
    """The Avro Parsing Canonical Form of a self-contained schema."""
    form: str = to_parsing_canonical_form(schema)
    return form


def fingerprint(schema: Schema) -> bytes:
    """The 8-byte CRC-64-AVRO fingerprint of the canonical form, little-endian as on the wire."""
    return bytes.fromhex(_fastavro_fingerprint(canonical_form(schema), "CRC-64-AVRO"))


def without_logical_types(schema: Any) -> Any:
    """A copy of ``schema`` with every ``logicalType`` removed.

    Logical types are not part of the canonical form, so the fingerprint is unchanged; fastavro
    then reads and writes ``timestamp-millis`` as the plain int milliseconds orgpulse uses.
    """
    if isinstance(schema, dict):
        return {k: without_logical_types(v) for k, v in schema.items() if k != "logicalType"}
    if isinstance(schema, list):
        return [without_logical_types(item) for item in schema]
    return schema


def parse(schema: Schema | str) -> Schema:
    """Parse a declaration (dict or JSON text) for fastavro, with logical types removed.

    The result reads and writes timestamps as int milliseconds. Raises ``ValueError`` (or one of
    fastavro's schema errors) for a schema that is not valid Avro or not self-contained.
    """
    declaration = json.loads(schema) if isinstance(schema, str) else schema
    if not isinstance(declaration, dict):
        raise ValueError("expected an Avro schema object")
    return cast(Schema, parse_schema(without_logical_types(declaration)))


def compile_validator(schema: Schema) -> Check:
    """A fast validator for plain records of ``schema`` (a declaration, logical types ignored).

    Stricter than fastavro's writer, which silently accepts e.g. a string for an array or a
    float for a long: a record must hold every field without a default and no unknown field;
    ints are never bools and fit their 32/64 bits; strings are ``str``; arrays are lists or
    tuples; map keys are strings; enum values are symbols.
    """
    parsed = parse(schema)
    named: dict[str, Check] = {}
    return _compile(parsed, named)


_INT_BOUNDS = {"int": 2**31, "long": 2**63}


def _primitive(kind: str) -> Check | None:
    if kind == "null":
        return lambda v: None if v is None else _expected("null", v)
    if kind == "boolean":
        return lambda v: None if isinstance(v, bool) else _expected("boolean", v)
    if kind in _INT_BOUNDS:
        bound = _INT_BOUNDS[kind]

        def check_int(v: object) -> str | None:
            if isinstance(v, int) and not isinstance(v, bool) and -bound <= v < bound:
                return None
            return _expected(kind, v)

        return check_int
    if kind in ("float", "double"):

        def check_real(v: object) -> str | None:
            ok = isinstance(v, int | float) and not isinstance(v, bool)
            return None if ok else _expected(kind, v)

        return check_real
    if kind == "bytes":
        return lambda v: None if isinstance(v, bytes | bytearray) else _expected("bytes", v)
    if kind == "string":
        return lambda v: None if isinstance(v, str) else _expected("string", v)
    return None


def _compile(schema: Any, named: dict[str, Check]) -> Check:
    if isinstance(schema, list):
        return _union([_compile(branch, named) for branch in schema])
    if isinstance(schema, str):
        primitive = _primitive(schema)
        if primitive is not None:
            return primitive
        return lambda v: named[schema](v)  # named reference, bound late (recursive types)
    kind = schema["type"]
    check = _primitive(kind) if isinstance(kind, str) else None
    if check is None:
        check = _complex(schema, kind, named)
    if "name" in schema:
        named[schema["name"]] = check
    return check


def _complex(schema: Schema, kind: Any, named: dict[str, Check]) -> Check:
    if kind == "enum":
        return _enum(schema["symbols"])
    if kind == "fixed":
        return _fixed(schema["size"])
    if kind == "array":
        return _array(_compile(schema["items"], named))
    if kind == "map":
        return _map(_compile(schema["values"], named))
    if kind == "record":
        return _record(schema, named)
    return _compile(kind, named)  # {"type": <schema>} wrapping


def _union(branches: list[Check]) -> Check:
    def check(v: object) -> str | None:
        for branch in branches:
            if branch(v) is None:
                return None
        return f"{_describe(v)} matches no branch of the union"

    return check


def _enum(symbols: list[str]) -> Check:
    allowed = frozenset(symbols)

    def check(v: object) -> str | None:
        if isinstance(v, str) and v in allowed:
            return None
        return f"{_describe(v)} is not one of {', '.join(symbols)}"

    return check


def _fixed(size: int) -> Check:
    def check(v: object) -> str | None:
        if isinstance(v, bytes | bytearray) and len(v) == size:
            return None
        return _expected(f"{size} bytes", v)

    return check


def _array(item: Check) -> Check:
    def check(v: object) -> str | None:
        if not isinstance(v, list | tuple):
            return _expected("array", v)
        for index, element in enumerate(v):
            problem = item(element)
            if problem is not None:
                return f"[{index}]: {problem}"
        return None

    return check


def _map(value: Check) -> Check:
    def check(v: object) -> str | None:
        if not isinstance(v, Mapping):
            return _expected("map", v)
        for key, element in v.items():
            if not isinstance(key, str):
                return f"key {key!r}: {_expected('string', key)}"
            problem = value(element)
            if problem is not None:
                return f"[{key!r}]: {problem}"
        return None

    return check


def _record(schema: Schema, named: dict[str, Check]) -> Check:
    fields: list[tuple[str, Check]] = []
    required: set[str] = set()
    allowed: set[str] = set()

    def check(v: object) -> str | None:
        if not isinstance(v, Mapping):
            return _expected(f"record {schema['name']}", v)
        keys = v.keys()
        if not keys >= required:
            return f"missing field(s) {', '.join(sorted(required - keys))}"
        if not keys <= allowed:
            return f"unknown field(s) {', '.join(sorted(map(str, keys - allowed)))}"
        for name, field_check in fields:
            if name in v:
                problem = field_check(v[name])
                if problem is not None:
                    return f"{name}: {problem}"
        return None

    named[schema["name"]] = check  # before the fields compile, for recursive references
    for field in schema["fields"]:
        fields.append((field["name"], _compile(field["type"], named)))
        allowed.add(field["name"])
        if "default" not in field:
            required.add(field["name"])
    return check


def _describe(value: object) -> str:
    text = repr(value)
    return f"{text[:40]}... ({type(value).__name__})" if len(text) > 40 else text


def _expected(kind: str, value: object) -> str:
    return f"expected {kind}, got {_describe(value)}"
