"""TikTok Ads catalog CSV: one file per market, `<channel>/<market>.csv` (e.g. `tiktok/US.csv`).

Item-field contract (for mapping authors):

- Columns are `options["columns"]` in that order (else the first item's field order); the header row is the
  field names, so fields must be named as TikTok names them. The key column is `sku_id`, which the mapping
  must name: a feed without it is refused here, because TikTok rejects the whole file ("Required Field is
  Missing"). Fields not listed in `columns` are not written.
- Values render as in `pim.writers.table`: None/empty -> empty cell, bool -> `true`/`false`, Decimal -> plain
  decimal text, lists joined with `,`. Prices and availability are written as the mapping gives them
  (TikTok wants `9.99 USD` and `in stock`-style values with spaces).
- Quoting is minimal RFC 4180; a line break inside a value stays inside the quoted field (as LF). UTF-8, no BOM.
"""

from __future__ import annotations

from typing import Sequence

from pim.feed import Feed
from pim.output import FeedOutput
from pim.writers.table import feed_columns, feed_stem, write_items

KEY = "sku_id"


def write_feeds(feeds: Sequence[Feed], out: FeedOutput) -> None:
    for feed in feeds:
        columns = feed_columns(feed)
        if feed.items and KEY not in columns:
            raise ValueError(f"{feed.name}: TikTok needs a {KEY!r} column; the mapping has {columns}")
        with out.open(f"{feed.info.channel}/{feed_stem(feed.info)}.csv") as stream:
            write_items(stream, columns, feed.items)
