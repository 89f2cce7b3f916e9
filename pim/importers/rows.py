"""Neutral rows: a table file read into rows keyed by pim's import field names, each cell with its column.

The header names differ per source (Shopify's two header generations, any spreadsheet with a mapping);
everything after this module speaks only of the fields in `FIELDS`.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from pim.problems import Location, Problem, Severity
from pim.sources import ToolError

# The import vocabulary: one name per thing a product export can say (docs/import.md lists them).
FIELDS = (
    "handle", "title", "description", "vendor", "type", "tags", "published", "status",
    "option1_name", "option1_value", "option2_name", "option2_value", "option3_name", "option3_value",
    "sku", "barcode", "mpn", "price", "compare_at_price", "grams", "inventory_qty", "inventory_policy",
    "image_src", "image_position", "image_alt", "variant_image", "seo_title", "seo_description", "condition",
)  # fmt: skip
MAX_OPTIONS = 3


@dataclass(frozen=True)
class SourceRow:
    """One data row: the non-empty cells of the columns that name an import field."""

    path: str
    line: int  # the line the record starts on (a quoted cell may span lines)
    cells: dict[str, str]  # field -> the cell's text, stripped; empty cells left out
    columns: dict[str, int] = field(default_factory=dict)  # field -> 1-based column, to point at an empty cell

    def get(self, name: str) -> str:
        return self.cells.get(name, "")

    def at(self, name: str | None = None) -> Location:
        return Location(self.path, self.line, self.columns.get(name, 1) if name else 1)


@dataclass
class Table:
    """A decoded table file: its header and records with their starting lines."""

    path: str
    header: list[str]
    records: list[tuple[int, list[str]]]


@dataclass
class Rows:
    rows: list[SourceRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    shopify_header: str | None = None  # "current" when a Shopify export used today's header names


def read_table(path: Path, label: str, problems: list[Problem], delimiter: str = ",") -> Table | None:
    """The table in `path`, or None after a located problem (not UTF-8, no header)."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ToolError(f"cannot read {label}: {error.strerror or error}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        problems.append(Problem("PIM801", f"the file is not UTF-8 text (byte {error.start}): export it again as CSV in UTF-8", Location(label, line, 1)))
        return None
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    records: list[tuple[int, list[str]]] = []
    header: list[str] | None = None
    try:
        start = 1
        for record in reader:
            if header is None:
                header = [name.strip() for name in record]
            elif any(cell.strip() for cell in record):
                records.append((start, record))
            start = reader.line_num + 1
    except csv.Error as error:
        problems.append(Problem("PIM801", f"the file is not readable as CSV ({error}): export it again", Location(label, reader.line_num, 1)))
        return None
    if not header or not any(header):
        problems.append(Problem("PIM801", "the file is empty: export the products with their header row", Location(label, 1, 1)))
        return None
    return Table(label, header, records)


def neutral_rows(table: Table, columns: dict[int, str]) -> list[SourceRow]:
    """Rows keyed by field name; `columns` maps a 0-based column index to the field it holds."""
    rows = []
    positions = {name: index + 1 for index, name in columns.items()}
    for line, record in table.records:
        cells = {}
        for index, name in columns.items():
            value = record[index].strip() if index < len(record) else ""
            if value:
                cells[name] = value
        rows.append(SourceRow(table.path, line, cells, positions))
    return rows


def unused_columns(table: Table, used: set[int], quiet: frozenset[str] = frozenset()) -> list[Problem]:
    """One warning per column that holds values but is not imported, so nothing is dropped unsaid."""
    problems = []
    for index, name in enumerate(table.header):
        if index in used or name in quiet or not name:
            continue
        if any(index < len(record) and record[index].strip() for _, record in table.records):
            problems.append(Problem("PIM816", f"column {name!r} holds values that pim does not import: keep them elsewhere or map them to an attribute by hand", Location(table.path, 1, index + 1), Severity.WARNING))
    return problems
