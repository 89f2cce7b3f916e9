"""Field values as the XML and JSON writers see them: what counts as empty, and how a value becomes JSON.

- Empty: `None`, `""`, `[]` / `()` and `{}`. Writers leave an empty field out rather than write a blank
  element or `null`: channels read a blank as "clear this attribute", an absent field as "no value".
- `prune` removes empty parts at any depth, so a dict whose entries are all empty is itself empty.
- JSON: `Decimal` is written as a JSON number with exactly its own digits (`Decimal("19.90")` -> `19.90`,
  never `19.9` or `1.99E+1`); tuples are arrays; any other mapping is an object in its own key order.
  Text is UTF-8, not `\\u`-escaped (orjson never escapes non-ASCII).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

import orjson

from pim.feed import Value


def is_empty(value: Value) -> bool:
    if value is None:
        return True
    if isinstance(value, (str, list, tuple, dict)):  # the common cases first: writers call this per field
        return not value
    return isinstance(value, Mapping) and not value


_SCALARS = frozenset({str, int, bool, Decimal, float, type(None)})


def prune(value: Value) -> Value:
    """The value without its empty parts, at any depth (dicts become plain dicts, tuples lists).

    Written as loops over exact types, without generators: Amazon's attributes are dicts of lists of
    dicts, so a large feed prunes millions of parts and each call counts."""
    kind = type(value)
    if kind in _SCALARS:
        return value
    if (kind is dict or kind is list) and _whole(value):  # most values: nothing to remove, nothing to copy
        return value
    if kind is dict or (kind is not list and kind is not tuple and isinstance(value, Mapping)):
        out = {}
        for key, part in value.items():
            if (part := _kept(part)) is not _DROPPED:
                out[key] = part
        return out
    if kind is list or kind is tuple:
        return [part for part in map(_kept, value) if part is not _DROPPED]
    return value


_DROPPED = object()


def _whole(value: dict | list) -> bool:
    """True when the dict or list has no empty part at any depth and only dicts, lists and scalars:
    pruning it gives an equal value, so it is returned as it is (values are never changed in place)."""
    for part in value.values() if type(value) is dict else value:
        kind = type(part)
        if kind is str:
            if not part:
                return False
        elif kind is dict or kind is list:
            if not part or not _whole(part):
                return False
        elif part is None or kind not in _SCALARS:
            return False
    return True


def _kept(part: Value) -> Value:
    if type(part) in _SCALARS:
        return _DROPPED if part is None or part == "" else part
    part = prune(part)
    return _DROPPED if is_empty(part) else part


def json_bytes(value: Value, *, indent: bool = False) -> bytes:
    """One value as compact JSON (or indented by 2, as `json.dumps(indent=2)` would lay it out)."""
    return orjson.dumps(value, default=_json_default, option=orjson.OPT_INDENT_2 if indent else 0)


def _json_default(value: object) -> object:
    if isinstance(value, Decimal):
        if not value.is_finite():  # NaN and Infinity have no JSON spelling
            raise TypeError(f"cannot write {value} as a JSON number")
        # A Fragment is pasted verbatim: the only way to keep trailing zeros without a float round trip.
        return orjson.Fragment(format(value, "f"))
    if isinstance(value, Mapping):
        return dict(value)
    raise TypeError(f"cannot write a {type(value).__name__} as JSON")
