"""Any spreadsheet export: a column-mapping file says which column holds which import field.

```yaml
# columns.yaml
delimiter: ";"          # optional, "," by default
columns:                # import field -> column header in the file
  handle: Article
  title: Name
  price: Price EUR
  sku: Article number
options: [Colour, Size] # optional: up to three columns that tell variants apart; the header names the option
```
The fields are those of `pim.importers.rows.FIELDS`; `handle` is required.
"""

from __future__ import annotations

from pathlib import Path

from pim.importers.rows import FIELDS, MAX_OPTIONS, Rows, neutral_rows, read_table, unused_columns
from pim.problems import Location, Problem
from pim.sources import ToolError
from pim.yamlfile import ParseFailure, SourceMap, decode, parse


def read_mapped_csv(path: Path, label: str, mapping_path: Path, mapping_label: str) -> Rows:
    """Neutral rows of `path`, read through the column mapping in `mapping_path`."""
    result = Rows()
    mapping = read_column_mapping(mapping_path, mapping_label, result.problems)
    if mapping is None:
        return result
    columns_by_field, options, delimiter, locate = mapping
    table = read_table(path, label, result.problems, delimiter)
    if table is None:
        return result
    index_of = {name: index for index, name in enumerate(table.header)}
    columns: dict[int, str] = {}
    wanted = [(name, header, ("columns", name)) for name, header in columns_by_field.items()]
    wanted += [(f"option{n}_value", header, ("options", n - 1)) for n, header in enumerate(options, 1)]
    for name, header, at in wanted:
        if header not in index_of:
            result.problems.append(Problem("PIM821", f"column {header!r} (for {name}) is not in {label}: its columns are {', '.join(repr(h) for h in table.header if h)}", locate(at)))
        else:
            columns[index_of[header]] = name
    if len(columns) != len(wanted):
        return result
    rows = neutral_rows(table, columns)
    # An option column's header is the option's name, on every row (Shopify states it on the first row).
    for n, header in enumerate(options, 1):
        for row in rows:
            row.cells[f"option{n}_name"] = header
            row.columns[f"option{n}_name"] = index_of[header] + 1
    result.rows = rows
    result.problems += unused_columns(table, set(columns))
    return result


def read_column_mapping(path: Path, label: str, problems: list[Problem]):
    """(field -> column, option columns, delimiter, locate) or None after a located problem."""
    try:
        text = decode(path.read_bytes())
    except OSError as error:
        raise ToolError(f"cannot read {label}: {error.strerror or error}") from None
    document = parse(text) if isinstance(text, str) else text
    if isinstance(document, ParseFailure):
        problems.append(Problem(document.code, document.message, Location(label, document.line, document.column)))
        return None
    source_map = SourceMap(text if isinstance(text, str) else "")

    def locate(at: tuple, key: bool = False) -> Location:
        return Location(label, *source_map.locate(at, key=key))

    if not isinstance(document, dict) or not isinstance(document.get("columns"), dict):
        problems.append(Problem("PIM821", "a column mapping needs `columns:`, import field -> column header (see docs/import.md)", Location(label, 1, 1)))
        return None
    before = len(problems)
    for key in sorted(set(document) - {"columns", "options", "delimiter"}):
        problems.append(Problem("PIM821", f"unknown key `{key}`: a column mapping has `columns`, `options` and `delimiter`", locate((key,), key=True)))
    options = document.get("options") or []
    if not isinstance(options, list) or len(options) > MAX_OPTIONS or not all(isinstance(o, str) and o.strip() for o in options):
        problems.append(Problem("PIM821", f"options: list up to {MAX_OPTIONS} column headers, e.g. [Colour, Size]", locate(("options",))))
        options = []
    elif options and any(name.startswith("option") for name in document["columns"]):
        problems.append(Problem("PIM821", "options and option fields under columns cannot both be given: use one of them", locate(("options",))))
    delimiter = document.get("delimiter", ",")
    if not isinstance(delimiter, str) or len(delimiter) != 1:
        problems.append(Problem("PIM821", "delimiter must be one character, e.g. \";\"", locate(("delimiter",))))
    columns: dict[str, str] = {}
    for name, header in document["columns"].items():
        if name not in FIELDS:
            problems.append(Problem("PIM821", f"unknown import field `{name}`: the fields are {', '.join(FIELDS)}", locate(("columns", name), key=True)))
        elif not isinstance(header, str) or not header.strip():
            problems.append(Problem("PIM821", f"{name}: write the column header as text", locate(("columns", name))))
        else:
            columns[name] = header.strip()
    if "handle" not in document["columns"]:
        problems.append(Problem("PIM821", "map `handle` to the column that identifies each product (its id)", locate(("columns",))))
    return None if len(problems) > before else (columns, [o.strip() for o in options], delimiter, locate)
