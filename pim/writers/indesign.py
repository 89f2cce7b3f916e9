"""InDesign Data Merge source: one comma-separated record per item, for print layouts, one file per market.

File: `<channel>/<market>-datamerge.csv` (e.g. `print/US-datamerge.csv`).

Item-field contract (for mapping authors):

- Columns are `options["columns"]` in that order (else the first item's field order); the header row is the
  field names, which become InDesign's `<<field>>` placeholders. Fields not in `columns` are not written.
- Image columns are the fields whose name starts with `@` (e.g. `@image`): InDesign places the file at that
  path, which must be a full OS path on the designer's machine, spelled with the case the files have on
  disk (InDesign matches paths case-sensitively). The mapping gives a path relative to the project
  (`catalog/images/TJ-100-front.svg`), so the feed names no build machine's folder and the same commit gives
  the same bytes; the writer joins it to `options["image_root"]`, the folder where the designer's machine
  has the project (`/Users/Shared/altitude` -> `/Users/Shared/altitude/catalog/images/...`; a Windows root
  such as `D:\\Catalog` gives `D:\\Catalog\\catalog\\images\\...`). Without `image_root`, or for a path that is
  already absolute or a web address, the cell is written as the mapping gives it.
- Values render as in `pim.writers.table`: None/empty -> empty cell, bool -> `true`/`false`, Decimal -> plain
  decimal text, lists joined with `,`.
- One record per line, as Data Merge requires: every run of line-break characters (CR, LF, and the Unicode
  line/paragraph separators) inside a value or header becomes one space. A value holding `,` or `"` is
  quoted with `"` doubled, which Data Merge reads.

Encoding: UTF-8 with a byte-order mark, LF line ends. Adobe's data-source page does not name an encoding;
tools around Data Merge (DesignMerge, MyDataMerge) detect UTF-8 by its BOM and otherwise assume a legacy code
page (ASCII / Mac Roman), which garbles accents. The BOM is the one signal every reader understands. Unverified
against InDesign itself: check a merge with accented text before relying on it.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Iterator, Sequence

from pim.feed import Feed, Item
from pim.output import FeedOutput
from pim.writers.table import feed_columns, feed_stem, write_items


_WINDOWS_ROOT = re.compile(r"^([A-Za-z]:|\\)")
_ABSOLUTE = re.compile(r"^(/|\\|[A-Za-z]:[\\/]|[a-z][a-z0-9+.-]*://)", re.IGNORECASE)


def write_feeds(feeds: Sequence[Feed], out: FeedOutput) -> None:
    for feed in feeds:
        with out.open(f"{feed.info.channel}/{feed_stem(feed.info)}-datamerge.csv") as stream:
            items = _with_image_root(feed.items, feed.info.options.get("image_root"))
            write_items(stream, feed_columns(feed), items, one_line=True, bom=True)


def image_path(root: str | None, path: str) -> str:
    """A project-relative image path as the OS path InDesign opens on the machine whose project is at `root`."""
    if not root or not path or _ABSOLUTE.match(path):
        return path
    if _WINDOWS_ROOT.match(root):
        return root.rstrip("\\") + "\\" + path.replace("/", "\\")
    return root.rstrip("/") + "/" + path


def _with_image_root(items: Sequence[Item], root: str | None) -> Iterator[Item]:
    for item in items:
        images = {name: image_path(root, value) for name, value in item.fields.items() if name.startswith("@") and isinstance(value, str)}
        yield replace(item, fields={**item.fields, **images}) if root and images else item
