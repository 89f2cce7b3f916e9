"""What the one-voice check compares, read from each channel kind's items (`pim.consistency` compares them).

Each channel kind writes the facts its own way (Google `129.00 USD` and `in_stock`, Meta `in stock`,
Amazon nested attributes, Shopify's sale price in `Variant Price`), so `READERS` maps a channel kind
to a function that reads one `Item` into normalized facts, undoing the documented format differences.
Channel kinds without a reader are skipped: a new kind joins the check when it registers one here.
The readers of `headless`, `jsonld`, `indesign` and `print-pdf` read the demo mappings' field names
(`variants`, `name`, `price`...), since those formats have no field names of their own; a mapping that
names them otherwise is compared on fewer facts, never wrongly.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any, Callable, Iterator, NamedTuple

from pim.feed import FeedInfo, Item

FACTS = ("price", "sale_price", "availability", "stock", "gtin", "brand", "title")


class Fact(NamedTuple):  # a tuple: made for every fact of every item, at a third of a frozen dataclass's cost
    value: Any  # normalized: (Decimal, currency), frozenset of availabilities, int or str
    shown: str  # as the channel writes it, for the message
    field: str  # the mapping field it comes from, for the location


Facts = dict[str, Fact]
Reader = Callable[[Item, FeedInfo], Iterator[tuple[str, Facts]]]  # (sku, facts) for each SKU the item shows


# --- normalizing values --------------------------------------------------------------------------

def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


# Text read again: a SKU's price and GTIN show in every feed (eight at least in the demo's channels and
# markets), and a product's variants share a price. A Fact is immutable, so one serves them all. Bounded:
# emptied when full, so that memory does not grow with the catalog.
_REMEMBERED: dict[tuple, Fact | None] = {}
_REMEMBER = 1 << 16


def _remembered(normalize: Callable[..., Fact | None]) -> Callable[..., Fact | None]:
    """`normalize`, remembering its answer for text (other values may be equal and spelled otherwise: 1 and 1.00)."""

    def read(value: Any, *args: Any) -> Fact | None:
        if type(value) is not str:
            return normalize(value, *args)
        key = (normalize, value, *args)
        try:
            return _REMEMBERED[key]
        except KeyError:
            pass
        if len(_REMEMBERED) >= _REMEMBER:
            _REMEMBERED.clear()
        found = _REMEMBERED[key] = normalize(value, *args)
        return found

    return read


@_remembered
def _money(value: Any, field: str, currency: str | None) -> Fact | None:
    """`129.00 USD` (Google, Meta, print) or a bare amount in the feed's currency (Shopify, BMEcat, JSON)."""
    if _empty(value):
        return None
    text = str(value).strip()
    amount, _, code = text.partition(" ")
    try:
        normalized: Any = (Decimal(amount), code.strip() or currency)
    except InvalidOperation:
        return Fact(text, text, field)
    return Fact(normalized, f"{amount} {normalized[1]}" if normalized[1] else amount, field)


# Canonical availability: the catalog's own values. A spelling that stands for two of them (Pinterest's
# preorder also covers backorder) agrees with either.
_UNDERSCORED = {v: frozenset({v}) for v in ("in_stock", "out_of_stock", "preorder", "backorder")}
_SPACED = {"in stock": frozenset({"in_stock"}), "out of stock": frozenset({"out_of_stock"}), "preorder": frozenset({"preorder"}),
           "available for order": frozenset({"backorder"}), "discontinued": frozenset({"discontinued"})}
_PINTEREST = {**_SPACED, "preorder": frozenset({"preorder", "backorder"})}


def _availability(value: Any, field: str, spelling: dict[str, frozenset]) -> Fact | None:
    if _empty(value):
        return None
    text = str(value)
    return Fact(spelling.get(text.strip().lower(), frozenset({text})), text, field)


@_remembered
def _gtin(value: Any, field: str) -> Fact | None:
    """Leading zeros do not change a GTIN: 12-digit and 14-digit forms of one number agree."""
    if _empty(value):
        return None
    text = str(value)
    digits = re.sub(r"[\s-]", "", text)
    return Fact(digits.zfill(14) if digits.isdigit() else text, text, field)


def _plain(value: Any, field: str) -> Fact | None:
    if _empty(value):
        return None
    return Fact(str(value).strip(), str(value), field)


def _stock(value: Any, field: str) -> Fact | None:
    if _empty(value):
        return None
    try:
        return Fact(int(value), str(value), field)
    except (TypeError, ValueError):
        return Fact(str(value), str(value), field)


def _facts(**facts: Fact | None) -> Facts:
    return {name: fact for name, fact in facts.items() if fact is not None}


# --- one reader per channel kind ---------------------------------------------------------------

def _merchant_reader(spelling: dict[str, frozenset]) -> Reader:
    """Google, Meta, TikTok and Pinterest: Google's attribute names; TikTok keys items by sku_id."""

    def read(item: Item, info: FeedInfo) -> Iterator[tuple[str, Facts]]:
        f = item.fields
        yield item.id, _facts(
            price=_money(f.get("price"), "price", info.currency),
            sale_price=_money(f.get("sale_price"), "sale_price", info.currency),
            availability=_availability(f.get("availability"), "availability", spelling),
            stock=_stock(f.get("quantity_to_sell_on_facebook"), "quantity_to_sell_on_facebook"),
            gtin=_gtin(f.get("gtin"), "gtin"),
            brand=_plain(f.get("brand"), "brand"),
            title=_plain(f.get("title"), "title"),
        )

    return read


def _first(attributes: dict, name: str) -> dict:
    values = attributes.get(name)
    return values[0] if isinstance(values, list) and values and isinstance(values[0], dict) else {}


def read_amazon(item: Item, info: FeedInfo) -> Iterator[tuple[str, Facts]]:
    """JSON_LISTINGS_FEED attributes: purchasable_offer, fulfillment_availability and friends; parents carry no offer."""
    attributes = item.fields.get("attributes")
    if item.level == "parent" or not isinstance(attributes, dict):
        return
    offer = _first(attributes, "purchasable_offer")
    currency = offer.get("currency") or info.currency

    def schedule(name: str) -> Any:
        entry = (offer.get(name) or [{}])[0]
        return ((entry.get("schedule") or [{}])[0] if isinstance(entry, dict) else {}).get("value_with_tax")

    yield item.id, _facts(
        price=_money(schedule("our_price"), "attributes", currency),
        sale_price=_money(schedule("discounted_price"), "attributes", currency),
        stock=_stock(_first(attributes, "fulfillment_availability").get("quantity"), "attributes"),
        gtin=_gtin(_first(attributes, "externally_assigned_product_identifier").get("value"), "attributes"),
        brand=_plain(_first(attributes, "brand").get("value"), "attributes"),
        title=_plain(_first(attributes, "item_name").get("value"), "attributes"),
    )


def read_shopify(item: Item, info: FeedInfo) -> Iterator[tuple[str, Facts]]:
    """Shopify cannot schedule a sale: during one, `Variant Price` is the sale price and the compare-at price the regular one."""
    f = item.fields
    compare_at = f.get("Variant Compare At Price")
    on_sale = not _empty(compare_at)
    yield str(f.get("Variant SKU") or item.id), _facts(
        price=_money(compare_at, "Variant Compare At Price", info.currency) if on_sale else _money(f.get("Variant Price"), "Variant Price", info.currency),
        sale_price=_money(f.get("Variant Price"), "Variant Price", info.currency) if on_sale else None,
        stock=_stock(f.get("Variant Inventory Qty"), "Variant Inventory Qty"),
        gtin=_gtin(f.get("Variant Barcode"), "Variant Barcode"),
        brand=_plain(f.get("Vendor"), "Vendor"),
        title=_plain(f.get("Title"), "Title"),
    )


def read_web(item: Item, info: FeedInfo) -> Iterator[tuple[str, Facts]]:
    """Headless JSON and JSON-LD: one item per product, its SKUs in `variants`. The product-level sale
    price is not per SKU (a variant with its own price has its own sale), so it is not compared."""
    f = item.fields
    variants = f.get("variants")
    if not isinstance(variants, list):
        return
    for variant in variants:
        if not isinstance(variant, dict) or _empty(variant.get("sku")):
            continue
        yield str(variant["sku"]), _facts(
            price=_money(variant.get("price"), "variants", variant.get("currency") or info.currency),
            availability=_availability(variant.get("availability"), "variants", _UNDERSCORED),
            stock=_stock(variant.get("stock"), "variants"),
            gtin=_gtin(variant.get("gtin"), "variants"),
            brand=_plain(f.get("brand"), "brand"),
            title=_plain(f.get("name"), "name"),
        )


def read_bmecat(item: Item, info: FeedInfo) -> Iterator[tuple[str, Facts]]:
    f = item.fields
    yield str(f.get("supplier_pid") or item.id), _facts(
        price=_money(f.get("price_amount"), "price_amount", info.currency),
        gtin=_gtin(f.get("gtin"), "gtin"),
        brand=_plain(f.get("manufacturer_name"), "manufacturer_name"),
        title=_plain(f.get("description_short"), "description_short"),
    )


def read_indesign(item: Item, info: FeedInfo) -> Iterator[tuple[str, Facts]]:
    """The print data merge: the demo mapping's field names (a layout's own names are not known)."""
    f = item.fields
    yield str(f.get("sku") or item.id), _facts(
        price=_money(f.get("price"), "price", info.currency),
        sale_price=_money(f.get("sale_price"), "sale_price", info.currency),
        title=_plain(f.get("name"), "name"),
    )


READERS: dict[str, Reader] = {
    "google-merchant": _merchant_reader(_UNDERSCORED),
    "meta": _merchant_reader(_SPACED),
    "tiktok": _merchant_reader(_SPACED),
    "pinterest": _merchant_reader(_PINTEREST),
    "amazon": read_amazon,
    "shopify": read_shopify,
    "headless": read_web,
    "jsonld": read_web,
    "bmecat": read_bmecat,
    "indesign": read_indesign,
    "print-pdf": read_web,  # product items with `variants` (sku, price as "129.00 USD"), like the web channels
}
