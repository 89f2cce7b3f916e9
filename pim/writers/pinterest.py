"""Pinterest catalog data source: CSV, or TSV with `options["delimiter"] == "tab"`, one file per market.

Files: `<channel>/<market>.csv`, or `<channel>/<market>.tsv` in TSV mode (e.g. `pinterest/US.csv`).

Item-field contract (for mapping authors):

- Columns are `options["columns"]` in that order (else the first item's field order); the header row is the
  field names (`id`, `title`, `description`, `link`, `image_link`, `price`, `availability`, ...). Fields not
  listed in `columns` are not written.
- Values render as in `pim.writers.table`: None/empty -> empty cell, bool -> `true`/`false`, Decimal -> plain
  decimal text, lists joined with `,` (e.g. `additional_image_link`, up to 10 URLs for Pinterest).
- CSV: minimal RFC 4180 quoting; a line break inside a value stays inside the quoted field (as LF).
- TSV: one record per line, as tab-separated readers expect: every run of line breaks and every tab inside a
  value becomes a space. A value holding `"` is still quoted with the quote doubled. UTF-8, no BOM.
"""

from __future__ import annotations

from typing import Sequence

from pim.feed import Feed
from pim.output import FeedOutput
from pim.writers.table import feed_columns, feed_stem, item_cells, write_table


def write_feeds(feeds: Sequence[Feed], out: FeedOutput) -> None:
    for feed in feeds:
        tsv = feed.info.options.get("delimiter") == "tab"
        columns = feed_columns(feed)
        rows = (item_cells(item, columns) for item in feed.items)
        if tsv:
            rows = ([cell.replace("\t", " ") for cell in row] for row in rows)
        path = f"{feed.info.channel}/{feed_stem(feed.info)}.{'tsv' if tsv else 'csv'}"
        with out.open(path) as stream:
            write_table(stream, columns, rows, delimiter="\t" if tsv else ",", one_line=tsv)
