"""Google Merchant Center tab-separated feed: the fields of the RSS feed, one line per item.

File: `<channel>/<market>.tsv` (e.g. `google/US.tsv`; `all` when the channel has no markets). UTF-8 without
BOM, LF line ends, header row of attribute names, then one row per Item in the order given.

Columns (chosen so the file streams: the header is known before the first row):

- `options["columns"]` in that order (the engine passes the mapping's field order), else the first item's
  field order, as for every table writer (`pim.writers.table.feed_columns`). A field not among the columns is
  not written, so a mapping whose items differ in fields must pass `columns`.
- `id` is always a column: first, unless `columns` places it. Its cell is the `id` field, else `Item.id`.

Item-field contract (for mapping authors): the same fields as the RSS feed (`pim.writers.google_rss`), spelled
for one line:

- Scalars as in `pim.writers.table.render`: str as is, bool -> `true` / `false`, Decimal -> plain decimal text.
- A list is one cell, its elements joined with `,`; a `,` inside an element is written `%2C` (Google's rule
  for URLs in `additional_image_link`, applied to every list so a comma never splits an element).
- A dict is Google's colon form, keeping every colon even for blank parts:
  `shipping` -> `country:region:service:price` (`{country: DE, service: Standard, price: 4.95 EUR}` ->
  `DE::Standard:4.95 EUR`; a `postal_code` fills the region slot when there is no `region`), `tax` ->
  `country:region:rate:tax_ship`. Other keys in those dicts (e.g. `min_handling_time`) have no place in this
  form and raise `ValueError`: use the RSS feed for them. A dict under any other name is its values in dict
  order joined with `:`. A list of dicts is several such values joined with `,`.
- Empty values (None, "", [], {}) give an empty cell; empty list elements are dropped.
- Tabs and line breaks inside a value become spaces (one space per run of line breaks). A cell holding `"` is
  quoted with the quote doubled (minimal quoting, as the other table writers do).
"""

from __future__ import annotations

from typing import Sequence

from pim.feed import Feed, Item, Value
from pim.output import FeedOutput
from pim.writers.table import feed_columns, feed_stem, render, write_table
from pim.writers.values import is_empty, prune

# Google's colon forms: the slots, in order, of a sub-attribute value in a text feed.
LAYOUTS: dict[str, tuple[str, ...]] = {
    "shipping": ("country", "region", "service", "price"),
    "tax": ("country", "region", "rate", "tax_ship"),
}


def write_feeds(feeds: Sequence[Feed], out: FeedOutput) -> None:
    for feed in feeds:
        columns = feed_columns(feed)
        if "id" not in columns:
            columns = ["id", *columns]
        rows = (_row(item, columns) for item in feed.items)
        with out.open(f"{feed.info.channel}/{feed_stem(feed.info)}.tsv") as stream:
            write_table(stream, [_one_line(name) for name in columns], rows, delimiter="\t", one_line=True)


def _row(item: Item, columns: Sequence[str]) -> list[str]:
    cells = []
    for name in columns:
        value = item.fields.get(name)
        if name == "id" and is_empty(value):
            value = item.id
        try:
            cells.append(_one_line(_cell(name, prune(value))))
        except (TypeError, ValueError) as error:
            raise type(error)(f"item {item.id}, field {name!r}: {error}") from None
    return cells


def _cell(name: str, value: Value) -> str:
    if isinstance(value, list):
        return ",".join(_part(name, part).replace(",", "%2C") for part in value)
    return _part(name, value)


def _part(name: str, value: Value) -> str:
    if isinstance(value, dict):
        return ":".join(render(part) for part in _slots(name, value))
    return render(value)


def _slots(name: str, value: dict) -> list[Value]:
    layout = LAYOUTS.get(name)
    if layout is None:
        return list(value.values())
    value = dict(value)
    if "region" in layout and "region" not in value and "postal_code" in value:
        value["region"] = value.pop("postal_code")
    extra = [key for key in value if key not in layout]
    if extra:
        raise ValueError(f"the text form of {name} is {':'.join(layout)}; {', '.join(extra)} needs the XML feed")
    return [value.get(slot) for slot in layout]


def _one_line(text: str) -> str:
    # write_table(one_line=True) turns line breaks into spaces; tabs are ours to replace.
    return text.replace("\t", " ")
