"""InDesign Data Merge source: one comma-separated record per item, for print layouts, one file per market.

File: `<channel>/<market>-datamerge.csv` (e.g. `print/US-datamerge.csv`).

Item-field contract (for mapping authors):

- Columns are `options["columns"]` in that order (else the first item's field order); the header row is the
  field names, which become InDesign's `<<field>>` placeholders. Fields not in `columns` are not written.
- Image columns are the fields whose name starts with `@` (e.g. `@image`): InDesign places the file at that
  path. Give one absolute OS path per cell, spelled with the case the files have on disk (InDesign matches
  paths case-sensitively); the writer does not touch paths.
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

from typing import Sequence

from pim.feed import Feed
from pim.output import FeedOutput
from pim.writers.table import feed_columns, feed_stem, write_items


def write_feeds(feeds: Sequence[Feed], out: FeedOutput) -> None:
    for feed in feeds:
        with out.open(f"{feed.info.channel}/{feed_stem(feed.info)}-datamerge.csv") as stream:
            write_items(stream, feed_columns(feed), feed.items, one_line=True, bom=True)
