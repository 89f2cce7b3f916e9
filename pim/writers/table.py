"""Delimited-text tables for the CSV/TSV writers: how a field value becomes a cell, and how rows reach the stream.

Cell rendering (the contract every CSV-family writer shares):

- `None`, `""`, `[]` and `{}` -> empty cell.
- `bool` -> `true` / `false` (lower case, as Shopify's own exports and the ad channels write them).
- `int` -> decimal digits; `Decimal` -> fixed-point text, never exponent notation (`Decimal("1E+1")` -> `10`,
  `Decimal("9.90")` keeps its `9.90`); `float` -> Python's shortest round-trip text. NaN and infinities
  raise `TypeError`.
- `str` -> as is, except line breaks (below).
- list / tuple -> its elements rendered as above, empty ones dropped, joined with `,` (no space).
- a non-empty dict and anything else -> `TypeError` naming the item and field: a nested value must be flattened by the
  mapping, because each channel wants it spelled differently.

Line breaks inside a value: by default CRLF and lone CR become LF and the field is quoted (RFC 4180), so a
record may span lines. We normalise because Python 3.11's csv writer, with an LF terminator, does not quote a
field holding a bare CR, and a reader would split the record there. With `one_line=True` (channels that need
one record per line) every run of line-break characters becomes a single space instead.

Quoting is minimal: a field is quoted only when it holds the delimiter, `"` or a line break; `"` is doubled.
"""

from __future__ import annotations

import csv
import io
import math
import re
from decimal import Decimal
from typing import BinaryIO, Iterable, Mapping, Sequence

from pim.feed import Feed, FeedInfo, Item, Value

# Everything str.splitlines() breaks on, so "one line per record" holds for any line-based reader.
_LINE_BREAK_RUN = re.compile("[\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]+")
_CR = re.compile("\r\n?")


def render(value: Value) -> str:
    """One field value as cell text (see the module docstring)."""
    if value is None:
        return ""
    if isinstance(value, bool):  # before int: bool is an int
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, (Decimal, float)):
        finite = value.is_finite() if isinstance(value, Decimal) else math.isfinite(value)
        if not finite:  # NaN / Infinity are never a valid price or measure
            raise TypeError(f"cannot write {value} into a table cell")
        return format(value, "f") if isinstance(value, Decimal) else repr(value)
    if isinstance(value, (list, tuple)):
        parts = (render(part) for part in value)
        return ",".join(part for part in parts if part)
    if isinstance(value, Mapping) and not value:  # empty like None, as in pim.writers.values.is_empty
        return ""
    raise TypeError(f"cannot write a {type(value).__name__} into a table cell")


FIELD_NAMES = "field_names"  # FeedInfo option: the names every item of the feed has, in order (pim.render)


def feed_columns(feed: Feed) -> list[str]:
    """The mapping's field order (`options["columns"]`), else the first item's field order."""
    return columns_of(feed.info, feed.items[0] if feed.items else None)


def columns_of(info: FeedInfo, first: Item | None) -> list[str]:
    """`options["columns"]`; else, for a feed with items, the names every item has (`FIELD_NAMES`, set
    when the mapping makes all items alike) or the first item's field order."""
    columns = info.options.get("columns")
    if columns:
        return list(dict.fromkeys(columns))  # a repeated name would make two columns of one field
    if first is None:
        return []
    return list(info.options.get(FIELD_NAMES) or first.fields)


def feed_stem(info: FeedInfo) -> str:
    """The file name stem for one market's feed: the market code, or `all` for a channel without markets."""
    return info.market or "all"


def item_cells(item: Item, columns: Sequence[str]) -> list[str]:
    """The item's rendered values in column order; a field the item lacks is an empty cell."""
    cells = []
    for name in columns:
        try:
            cells.append(render(item.fields.get(name)))
        except TypeError as error:
            raise TypeError(f"item {item.id}, field {name!r}: {error}") from None
    return cells


def write_table(
    stream: BinaryIO,
    header: Sequence[str],
    rows: Iterable[Sequence[str]],
    *,
    delimiter: str = ",",
    one_line: bool = False,
    bom: bool = False,
) -> None:
    """Stream a header and rows of cell text as UTF-8 (optionally with a BOM), LF-terminated.

    Writes nothing at all when there is no header (no columns known), rather than a lone blank line.
    """
    if not header:
        return
    text = io.TextIOWrapper(stream, encoding="utf-8-sig" if bom else "utf-8", newline="")
    try:
        writer = csv.writer(text, delimiter=delimiter, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
        clean = _flatten if one_line else _normalise
        writer.writerow([clean(name) for name in header])
        for row in rows:
            writer.writerow([clean(cell) for cell in row])
    finally:
        # Detach, not close: the FeedOutput owns the stream and still has to flush, hash and fsync it.
        text.detach()


def table_lines(rows: Iterable[Sequence[str]], *, delimiter: str = ",", one_line: bool = False) -> list[bytes]:
    """Each row as the UTF-8 line `write_table` writes for it."""
    text = io.StringIO()
    writer = csv.writer(text, delimiter=delimiter, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    clean = _flatten if one_line else _normalise
    lines = []
    for row in rows:
        writer.writerow([clean(cell) for cell in row])
        lines.append(text.getvalue().encode("utf-8"))
        text.seek(0)
        text.truncate()
    return lines


def write_items(stream: BinaryIO, columns: Sequence[str], items: Iterable[Item], **options) -> None:
    """A feed's items as a table whose header is the field names."""
    write_table(stream, columns, (item_cells(item, columns) for item in items), **options)


def _normalise(cell: str) -> str:
    return _CR.sub("\n", cell) if "\r" in cell else cell


def _flatten(cell: str) -> str:
    return _LINE_BREAK_RUN.sub(" ", cell)
