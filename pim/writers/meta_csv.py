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

from pim.feed import Feed, Item
from pim.output import FeedOutput
from pim.writers.table import feed_columns, feed_stem, item_cells, render, write_items, write_table

COUNTRY_FIELDS = frozenset(
    {"price", "sale_price", "sale_price_effective_date", "unit_price", "base_price", "availability", "link", "status"}
)
# Meta refuses these in language feeds (Overrides API docs).
COUNTRY_ONLY = frozenset({"price", "sale_price", "unit_price", "base_price", "status", "availability"})
DEFAULT_LANGUAGE_FIELDS = ("title", "description")


def write_feeds(feeds: Sequence[Feed], out: FeedOutput) -> None:
    if not feeds:
        return
    base, others = feeds[0], feeds[1:]
    if not base.info.options.get("overrides"):
        for feed in feeds:
            _write_full(feed, out)
        return
    _write_full(base, out)
    base_ids = {_key(item) for item in base.items}
    base_language = language_key(base.info.locale)
    languages_done = {base_language}
    wanted_text = (*DEFAULT_LANGUAGE_FIELDS, *base.info.options.get("language_fields", ()))
    for feed in others:
        columns = feed_columns(feed)
        items = [item for item in feed.items if _key(item) in base_ids]
        country = feed.info.country or feed.info.market
        if country and country != (base.info.country or base.info.market):
            fields = [name for name in columns if name in COUNTRY_FIELDS]
            path = f"{feed.info.channel}/override-country-{country}.csv"
            _write_override(out, path, country, fields, items)
        language = language_key(feed.info.locale)
        if language and language not in languages_done:
            languages_done.add(language)
            fields = [name for name in columns if name in wanted_text and name not in COUNTRY_ONLY]
            path = f"{feed.info.channel}/override-language-{language}.csv"
            _write_override(out, path, language, fields, items)


def language_key(locale: str | None) -> str | None:
    """Meta's language override key: `fr-FR` -> `fr_XX`."""
    if not locale:
        return None
    return locale.replace("_", "-").split("-")[0].lower() + "_XX"


def _write_full(feed: Feed, out: FeedOutput) -> None:
    with out.open(f"{feed.info.channel}/{feed_stem(feed.info)}.csv") as stream:
        write_items(stream, feed_columns(feed), feed.items)


def _write_override(out: FeedOutput, path: str, key: str, fields: list[str], items: list[Item]) -> None:
    if not fields:  # an override feed with nothing to override would only add noise to the catalog
        return
    rows = ([_key(item), key, *item_cells(item, fields)] for item in items)
    with out.open(path) as stream:
        write_table(stream, ["id", "override", *fields], rows)


def _key(item: Item) -> str:
    return render(item.fields.get("id")) or item.id
