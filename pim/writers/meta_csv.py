"""Meta (Facebook/Instagram) catalog CSV: the base feed per market, or one base feed plus override feeds.

Files:

- Without `options["overrides"]`: every Feed is a full feed, `<channel>/<market>.csv` (e.g. `meta/US.csv`).
- With `options["overrides"]` (read from the first Feed's options): the first Feed is the base feed,
  `<channel>/<market>.csv` with all columns. Every further Feed (another market) becomes override feeds:
  - a country feed `<channel>/override-country-<COUNTRY>.csv` with columns `id,override` + those of
    `price, sale_price, sale_price_effective_date, unit_price, base_price, availability, link, status` that
    the feed's columns contain (in the feed's column order); `override` holds the country code (`FR`),
    taken from `info.country`, else the market. None is written for the base feed's own country.
  - a language feed `<channel>/override-language-<lang>_XX.csv` with columns `id,override` + `title`,
    `description` and any field in `options["language_fields"]` that the feed's columns contain;
    `override` holds the language key (`fr_XX` from locale `fr-FR`). Meta keys overrides by language,
    not locale, so it is written only when the language differs from the base feed's (en-GB beside an
    en-US base gets no language feed), and only once per language: the first market in order provides it.
    Country-only fields (price, availability, status, ...) are never put in a language feed, because
    Meta rejects them there.
  - An override feed whose field list comes out empty is not written.
  - Only ids present in the base feed are written to override feeds: Meta applies overrides to existing
    items only. An item sold in a non-base market alone is therefore not published by this writer at all
    (it would need a full feed of its own); put it in the base market or turn overrides off.

Item-field contract (for mapping authors):

- Columns are `options["columns"]` in that order (else the first item's field order); the header row is the
  field names (Meta's names: `id`, `title`, `description`, `availability`, `condition`, `price`, `link`,
  `image_link`, `brand`, `additional_image_link`, `item_group_id`, ...). Fields not in `columns` are not written.
- The override key is the item's `id` field, else `Item.id`.
- Values render as in `pim.writers.table`: None/empty -> empty cell, bool -> `true`/`false`, Decimal -> plain
  decimal text, lists joined with `,` (so `additional_image_link` is one field of comma-joined URLs).
- Minimal RFC 4180 quoting. Meta's reference says fields containing whitespace "should" be double-quoted;
  in RFC 4180 an unquoted space is unambiguous, so we quote only what needs it (not yet checked against
  Meta's importer). A line break inside a value stays inside the quoted field (as LF). UTF-8, no BOM, LF.
"""

from __future__ import annotations

from typing import Sequence

from pim.feed import Feed, FeedInfo, Item
from pim.output import FeedOutput
from pim.writers import assembly
from pim.writers.assembly import FilePlan, by_product
from pim.writers.table import columns_of, feed_stem, item_cells, render, table_lines

COUNTRY_FIELDS = frozenset(
    {"price", "sale_price", "sale_price_effective_date", "unit_price", "base_price", "availability", "link", "status"}
)
# Meta refuses these in language feeds (Overrides API docs).
COUNTRY_ONLY = frozenset({"price", "sale_price", "unit_price", "base_price", "status", "availability"})
DEFAULT_LANGUAGE_FIELDS = ("title", "description")


class _Streamed:
    """Each market's rows; with overrides, the first market's rows make the base file and the others'
    rows their country and language override files."""

    join_fields = ("id",)  # the override key

    def streams(self, infos: Sequence[FeedInfo], index: int) -> tuple[str, ...]:
        return _streams(infos)[index]

    def pieces(self, infos: Sequence[FeedInfo], index: int, stream: str, items: Sequence[Item]) -> list[bytes]:
        info = infos[index]
        columns = columns_of(info, items[0] if items else None)
        if stream == "rows":
            return table_lines(item_cells(item, columns) for item in items)
        key = (info.country or info.market) if stream == "country" else language_key(info.locale)
        fields = _override_fields(stream, columns, info)
        return table_lines([_key(item), key, *item_cells(item, fields)] for item in items)

    def files(self, infos: Sequence[FeedInfo], feeds: Sequence[Sequence[Item]]) -> list[FilePlan]:
        plans = []
        base_ids = {_key(item) for item in feeds[0]} if feeds else set()
        for index, (info, items, streams) in enumerate(zip(infos, feeds, _streams(infos))):
            columns = columns_of(info, items[0] if items else None)
            if "rows" in streams:
                header = table_lines([columns])[0] if columns else b""
                plans.append(FilePlan(f"{info.channel}/{feed_stem(info)}.csv", header, b"", list(by_product(index, "rows", items)) if columns else []))
            for stream in ("country", "language"):
                fields = _override_fields(stream, columns, info)
                if stream in streams and fields:  # an override feed with nothing to override would only add noise
                    key = (info.country or info.market) if stream == "country" else language_key(info.locale)
                    path = f"{info.channel}/override-{stream}-{key}.csv"
                    parts = list(by_product(index, stream, items, keep=lambda item: _key(item) in base_ids))
                    plans.append(FilePlan(path, table_lines([["id", "override", *fields]])[0], b"", parts))
        return plans


STREAMED = _Streamed()


def write_feeds(feeds: Sequence[Feed], out: FeedOutput) -> None:
    if feeds:
        assembly.write_feeds(STREAMED, feeds, out)


def _streams(infos: Sequence[FeedInfo]) -> list[tuple[str, ...]]:
    """What each market's items write: all rows, or (with overrides, after the first) override rows."""
    if not infos or not infos[0].options.get("overrides"):
        return [("rows",)] * len(infos)
    base = infos[0]
    streams: list[tuple[str, ...]] = [("rows",)]
    languages_done = {language_key(base.locale)}
    for info in infos[1:]:
        mine = []
        country = info.country or info.market
        if country and country != (base.country or base.market):
            mine.append("country")
        language = language_key(info.locale)
        if language and language not in languages_done:
            languages_done.add(language)
            mine.append("language")
        streams.append(tuple(mine))
    return streams


def _override_fields(stream: str, columns: Sequence[str], info: FeedInfo) -> list[str]:
    if stream == "country":
        return [name for name in columns if name in COUNTRY_FIELDS]
    wanted = (*DEFAULT_LANGUAGE_FIELDS, *info.options.get("language_fields", ()))
    return [name for name in columns if name in wanted and name not in COUNTRY_ONLY]


def language_key(locale: str | None) -> str | None:
    """Meta's language override key: `fr-FR` -> `fr_XX`."""
    if not locale:
        return None
    return locale.replace("_", "-").split("-")[0].lower() + "_XX"


def _key(item: Item) -> str:
    return render(item.fields.get("id")) or item.id
