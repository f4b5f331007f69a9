"""Hypothesis strategies of hostile JSON: lone surrogates, Unicode line breaks inside strings,
integers beyond 64 bits and beyond a float, non-finite floats, nesting."""

from __future__ import annotations

import json
import math
from typing import Any

from hypothesis import strategies as st

from streams.connectors.json_records import MAX_INTEGER
from streams.model import KINDS

LINE_BREAKS = "\u2028\u2029\x85\x0b\x0c\x1c\x1d\x1e\r"
"""Characters ``str.splitlines`` splits on besides ``\\n``."""

characters = st.characters() | st.characters(categories=["Cs"]) | st.sampled_from(LINE_BREAKS)
texts = st.text(characters, max_size=12)
numbers = (
    st.integers()
    | st.integers(min_value=10**300, max_value=10**400)
    | st.floats()
    | st.sampled_from([MAX_INTEGER, MAX_INTEGER + 1, -MAX_INTEGER - 1, 1e308, 5e-324])
)
json_values: st.SearchStrategy[Any] = st.recursive(
    st.none() | st.booleans() | numbers | texts,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(texts, children, max_size=4),
    max_leaves=20,
)
"""Any JSON value Python's ``json`` module reads (``NaN``, ``Infinity``, ``"\\ud800"``, …)."""


extremes: st.SearchStrategy[Any] = st.sampled_from(
    [
        math.inf,
        -math.inf,
        math.nan,
        10**400,
        -(2**63) - 1,
        1e308,
        5e-324,
        -1,
        0,
        True,
        None,
        "",
        "9" * 400,
        "\ud800",
        "a\u2028b",
        "x" * 70_000,
        [],
        {},
    ]
)
"""Single values that break naive code: non-finite and huge numbers, odd strings, empties."""


def nested(depth: int, inner: str) -> str:
    """``inner`` inside ``depth`` JSON arrays."""
    return "[" * depth + inner + "]" * depth


hostile_bodies = (
    st.binary(max_size=64)
    | json_values.map(lambda value: json.dumps(value).encode())
    | st.integers(0, 20_000).map(lambda depth: nested(depth, "{}").encode())
    | st.sampled_from([b"[1" + b"1" * 5000 + b"]", b"\xef\xbb\xbf[{}]", b'["\\ud800"]'])
)
"""Request bodies: arbitrary bytes, hostile JSON, deep nesting, 5,000-digit integers, a BOM."""

valid_values: dict[str, st.SearchStrategy[Any]] = {
    "event_id": st.text(min_size=1, max_size=8),
    "tenant": st.sampled_from(["acme", "globex"]),
    "source": st.sampled_from(["custom", "slack"]),
    "kind": st.sampled_from(KINDS),
    "occurred_at": st.sampled_from(["2026-03-01T10:00:00Z", 1772359200000, "1772359200"]),
    "actor": st.text(min_size=1, max_size=8),
    "targets": st.lists(st.text(min_size=1, max_size=8), max_size=3),
    "weight": st.floats(0.5, 3.0),
    "attributes": st.dictionaries(st.text(max_size=4), st.text(max_size=4), max_size=2),
}
interaction_like = st.fixed_dictionaries(
    {}, optional={field: value | json_values for field, value in valid_values.items()}
)
"""Objects whose every field is either a plausible value or any JSON value (or missing)."""


def mutations(template: Any) -> st.SearchStrategy[Any]:
    """``template`` with any of its values (at any depth) replaced by hostile JSON, mostly kept."""
    if isinstance(template, dict):
        kept: st.SearchStrategy[Any] = st.fixed_dictionaries(
            {key: mutations(value) for key, value in template.items()}
        )
    elif isinstance(template, list):
        kept = st.tuples(*(mutations(value) for value in template)).map(list)
    else:
        kept = st.just(template)
    return st.one_of(kept, kept, kept, extremes, json_values)
