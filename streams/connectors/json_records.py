"""Interaction records as JSON objects (raw person ids): the HTTP ingest and JSONL formats.

``occurred_at`` is ISO 8601 text or epoch milliseconds; lists and optional fields follow the
``orgpulse.Interaction`` schema.

Every record is first checked as a JSON value (:func:`json_problem`), whatever its field: at most
:data:`MAX_DEPTH` levels of nesting, strings of at most :data:`MAX_STRING_CHARS` characters that
are valid Unicode (no lone surrogate: ``"\\ud800"`` is valid JSON but cannot be encoded), integers
within 64 bits and finite floats. A record that passes cannot make a later step (conversion,
pseudonymization, Avro encoding) raise; the semantic limits are :mod:`streams.records.validation`'s.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from streams.connectors.base import Connector
from streams.connectors.csv_files import directory_rows
from streams.connectors.records import RawInteraction, Skipped, SourceItem
from streams.records.validation import InvalidRecord
from streams.timeutil import parse_time

LIST_FIELDS = ("targets", "artifacts")
TEXT_FIELDS = ("event_id", "tenant", "source", "kind", "actor")
OPTIONAL_TEXT = ("thread_id", "in_reply_to", "channel")
FIELDS = frozenset(
    (*LIST_FIELDS, *TEXT_FIELDS, *OPTIONAL_TEXT, "occurred_at", "weight", "attributes")
)

MAX_DEPTH = 16
"""Levels of arrays and objects in one value (a field of a record)."""
MAX_STRING_CHARS = 65_536
MAX_INTEGER = 2**63 - 1
"""Integers beyond a signed 64-bit long (the Avro ``long``) are rejected."""
_MAX_INTEGER_DIGITS = len(str(MAX_INTEGER)) + 1
_SURROGATE = re.compile("[\ud800-\udfff]")


class BadJson(ValueError):
    """Text that is not one JSON document (syntax, or nested beyond the parser's recursion)."""


def _integer(text: str) -> int | float:
    # Longer literals are out of range anyway; infinity keeps Python's 4,300-digit limit on
    # int() from raising and is rejected by json_problem like any non-finite number.
    return int(text) if len(text) <= _MAX_INTEGER_DIGITS else math.inf


def loads(text: str | bytes) -> Any:
    """One JSON document; :class:`BadJson` when it cannot be parsed.

    Integer literals longer than any 64-bit integer become infinity (see :func:`json_problem`).
    """
    try:
        return json.loads(text, parse_int=_integer)
    except RecursionError as error:
        raise BadJson("nested too deeply") from error
    except ValueError as error:  # JSONDecodeError, and UnicodeDecodeError of bytes
        raise BadJson(str(error)) from error


def _scalar_problem(value: Any) -> tuple[str, str] | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return None if abs(value) <= MAX_INTEGER else ("number_out_of_range", "beyond 64 bits")
    if isinstance(value, float):
        return None if math.isfinite(value) else ("number_out_of_range", "not a finite number")
    if isinstance(value, str):
        if len(value) > MAX_STRING_CHARS:
            return "too_long", f"a string longer than {MAX_STRING_CHARS} characters"
        if _SURROGATE.search(value):
            return "bad_string", "not valid Unicode (lone surrogate)"
        return None
    return "wrong_type", f"{type(value).__name__} is not a JSON value"


def json_problem(value: Any) -> tuple[str, str] | None:
    """``(reason, detail)`` when ``value`` is not a safe JSON value, else ``None``.

    Iterative, so any depth of nesting is answered without recursion.
    """
    pending: list[tuple[Any, int]] = [(value, 1)]
    while pending:
        current, depth = pending.pop()
        if isinstance(current, dict | list):
            if depth > MAX_DEPTH:
                return "too_deep", f"nested deeper than {MAX_DEPTH} levels"
            children = current.values() if isinstance(current, dict) else current
            pending.extend((child, depth + 1) for child in children)
            keys = current.keys() if isinstance(current, dict) else ()
            if any(not isinstance(key, str) for key in keys):
                return "wrong_type", "object keys must be strings"
            pending.extend((key, depth) for key in keys)
        elif (problem := _scalar_problem(current)) is not None:
            return problem
    return None


def check_record(item: Any) -> dict[str, Any]:
    """``item`` as a JSON object whose every value is safe; :class:`InvalidRecord` otherwise.

    The field named is the record field holding the problem, or ``record`` (the record itself,
    or a key that is not a field of the schema: unknown keys are never echoed).
    """
    if not isinstance(item, dict):
        raise InvalidRecord("record", "wrong_type", "each record must be a JSON object")
    for key, value in item.items():
        problem = json_problem(key) or json_problem(value)
        if problem is not None:
            reason, detail = problem
            raise InvalidRecord(key if key in FIELDS else "record", reason, detail)
    return item


def _text(item: Mapping[str, Any], field: str, optional: bool) -> str | None:
    value = item.get(field)
    if value is None and optional:
        return None
    if not isinstance(value, str):
        raise InvalidRecord(
            field, "wrong_type" if value is not None else "missing_field", "must be a string"
        )
    return value


def _occurred_at(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        try:
            return parse_time(value)
        except (ValueError, OverflowError):  # OverflowError: unix seconds beyond a float
            pass
    raise InvalidRecord("occurred_at", "bad_timestamp", "ISO 8601 text or epoch milliseconds")


def to_raw(item: Any) -> RawInteraction:
    """One JSON object as a raw interaction; :class:`InvalidRecord` names a bad field.

    ``item`` may be any Python value: nothing but :class:`InvalidRecord` is raised.
    """
    item = check_record(item)
    lists = {}
    for field in LIST_FIELDS:
        value = item.get(field, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise InvalidRecord(field, "wrong_type", "must be a list of strings")
        lists[field] = tuple(value)
    weight = item.get("weight", 1.0)
    if not isinstance(weight, int | float) or isinstance(weight, bool):
        raise InvalidRecord("weight", "bad_weight", "must be a number")
    attributes = item.get("attributes", {})
    if not isinstance(attributes, dict) or not all(isinstance(v, str) for v in attributes.values()):
        raise InvalidRecord("attributes", "wrong_type", "must map strings to strings")
    text = {f: _text(item, f, optional=False) or "" for f in TEXT_FIELDS}
    optional = {f: _text(item, f, optional=True) for f in OPTIONAL_TEXT}
    return RawInteraction(
        event_id=text["event_id"],
        tenant=text["tenant"],
        source=text["source"],
        kind=text["kind"],
        occurred_at=_occurred_at(item.get("occurred_at")),
        actor=text["actor"],
        targets=lists["targets"],
        artifacts=lists["artifacts"],
        thread_id=optional["thread_id"],
        in_reply_to=optional["in_reply_to"],
        channel=optional["channel"],
        weight=float(weight),
        attributes=attributes,
    )


class JsonlConnector(Connector):
    """Reads JSON Lines files of interactions (``tenant`` defaults to the given one), and
    optionally a directory CSV first."""

    name = "jsonl"

    def __init__(self, paths: Sequence[Path], tenant: str, directory: Path | None = None) -> None:
        self.paths = list(paths)
        self.tenant = tenant
        self.directory = directory

    def records(self) -> Iterator[SourceItem]:
        """Directory entries, then one interaction per line (Skipped for unreadable lines)."""
        if self.directory is not None:
            yield from directory_rows(self.directory, self.tenant)
        for path in self.paths:
            with path.open(encoding="utf-8-sig") as handle:
                for number, line in enumerate(handle, start=1):
                    if line.strip():
                        yield self._parse(line, f"{path.name}:{number}")

    def _parse(self, line: str, where: str) -> RawInteraction | Skipped:
        try:
            item = loads(line)
            if isinstance(item, dict):
                item.setdefault("tenant", self.tenant)
            return to_raw(item)
        except BadJson:
            return Skipped("bad_json", where)
        except InvalidRecord as error:
            return Skipped(error.reason, where)
