"""schema.org JSON-LD for product pages: one document per product, a `ProductGroup` of variant `Product`s.

Files: `<channel>/<market>/<id>.json` (`all` when the channel has no markets), `<id>` being `Item.id`
percent-encoded as in `pim.writers.headless_json`. Each is one JSON object, indented by 2, UTF-8, ending with a
newline, for the shop to embed in `<script type="application/ld+json">`.

Item-field contract (for mapping authors): one Item per product (`item: product` in the mapping).

- Product fields: `name` (required), `description`, `brand` (a name, written `{"@type": "Brand", "name": ...}`),
  `url`, `image` (a URL or a list of URLs), `varies_by` (axis names), `variants` (list of dicts).
- Variant dict keys: `sku`, `gtin`, `mpn`, `name`, `description`, `image`, `color`, `size`, `material`,
  `pattern`, `url`, `price`, `currency`, `availability`, `condition`. `name`, `description`, `image` and `url`
  fall back to the product's; `currency` to `FeedInfo.currency`.
- Document shape:
  - `ProductGroup` with `productGroupID` (`Item.group_id`, else `Item.product_id`), `name`, `description`,
    `url`, `brand`, `image`, `variesBy` and `hasVariant` (one `Product` per variant, in order, each with
    `inProductGroupWithID`).
  - A product with one variant and no `varies_by` is a plain `Product` (variant and product fields merged,
    no group ids). An item without `variants` is read as its own single variant, so `sku`, `gtin`, `price`
    ... may sit on the item itself.
- `varies_by` names become schema.org URLs: `color`, `size`, `material`, `pattern` as is, `gender` ->
  `https://schema.org/suggestedGender`, `age_group` -> `https://schema.org/suggestedAge`; any other name is
  taken as a schema.org property name (`https://schema.org/<name>`).
- `gtin` (spaces and dashes dropped) is written as `gtin8`, `gtin12`, `gtin13` or `gtin14` by its length,
  otherwise as `gtin`.
- `offers` (an `Offer`) is written when the variant has a `price`: `url`, `price` as a string with two
  decimals (rounded half up: `24.9` -> `"24.90"`), `priceCurrency`, `availability` from Google's values
  (`in_stock` -> `https://schema.org/InStock`, `out_of_stock` -> `OutOfStock`, `preorder` -> `PreOrder`,
  `backorder` -> `BackOrder`) and `itemCondition` (`new` -> `https://schema.org/NewCondition`, `used`,
  `refurbished`). Any other availability or condition raises `ValueError`; fix the mapping's value map.
- Empty values (None, "", [], {}) are left out. Other item fields are not read.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Mapping, Sequence
from urllib.parse import quote

from pim.feed import Feed, FeedInfo, Item, Value
from pim.output import FeedOutput
from pim.writers.table import feed_stem
from pim.writers.values import is_empty, json_bytes, prune

CONTEXT = "https://schema.org"
SCHEMA = CONTEXT + "/"  # vocabulary URLs: https://schema.org/InStock
AVAILABILITY = {"in_stock": "InStock", "out_of_stock": "OutOfStock", "preorder": "PreOrder", "backorder": "BackOrder"}
CONDITION = {"new": "NewCondition", "used": "UsedCondition", "refurbished": "RefurbishedCondition"}
AXES = {"gender": "suggestedGender", "age_group": "suggestedAge"}
VARIANT_PROPERTIES = ("color", "size", "material", "pattern")
CENT = Decimal("0.01")


def write_feeds(feeds: Sequence[Feed], out: FeedOutput) -> None:
    for feed in feeds:
        folder = f"{feed.info.channel}/{feed_stem(feed.info)}"
        for item in feed.items:
            with out.open(f"{folder}/{quote(item.id, safe='')}.json") as stream:
                stream.write(json_bytes(document(item, feed.info), indent=True) + b"\n")


def document(item: Item, info: FeedInfo) -> dict[str, Value]:
    """The JSON-LD object for one product item."""
    try:
        return _document(item, info)
    except ValueError as error:
        raise ValueError(f"item {item.id}: {error}") from None


def _document(item: Item, info: FeedInfo) -> dict[str, Value]:
    fields = prune(item.fields)
    if is_empty(fields.get("name")):
        raise ValueError("JSON-LD needs a name")
    variants = fields.get("variants") or [fields]
    axes = fields.get("varies_by") or []
    if len(variants) == 1 and not axes:
        return {"@context": CONTEXT, **_product(variants[0], fields, info, group_id=None)}
    group_id = item.group_id or item.product_id
    group = {
        "@context": CONTEXT,
        "@type": "ProductGroup",
        "productGroupID": group_id,
        "name": fields["name"],
        "description": fields.get("description"),
        "url": fields.get("url"),
        "brand": _brand(fields.get("brand")),
        "image": fields.get("image"),
        "variesBy": [SCHEMA + AXES.get(axis, axis) for axis in axes],
        "hasVariant": [_product(variant, fields, info, group_id) for variant in variants],
    }
    return prune(group)


def _product(variant: Mapping[str, Value], product: Mapping[str, Value], info: FeedInfo, group_id: str | None) -> dict:
    def inherited(name: str) -> Value:
        return variant.get(name) or product.get(name)

    offer = None
    if not is_empty(variant.get("price")):
        offer = {
            "@type": "Offer",
            "url": inherited("url"),
            "price": price_text(variant["price"]),
            "priceCurrency": variant.get("currency") or info.currency,
            "availability": _enum(AVAILABILITY, "availability", variant.get("availability")),
            "itemCondition": _enum(CONDITION, "condition", variant.get("condition")),
        }
    result: dict[str, Value] = {"@type": "Product", "sku": variant.get("sku"), **_gtin(variant.get("gtin"))}
    result |= {"mpn": variant.get("mpn"), "name": inherited("name"), "description": inherited("description")}
    if group_id is None:  # a plain Product carries the product-level facts itself
        result |= {"url": product.get("url"), "brand": _brand(product.get("brand"))}
    result["image"] = inherited("image")
    result |= {name: variant.get(name) for name in VARIANT_PROPERTIES}
    result |= {"inProductGroupWithID": group_id, "offers": offer}
    return prune(result)


def price_text(price: Value) -> str:
    """A price as schema.org wants it: a plain number with two decimals, `.` as separator."""
    try:
        amount = Decimal(str(price))
    except InvalidOperation:
        raise ValueError(f"price must be a number, not {price!r}") from None
    if not amount.is_finite():
        raise ValueError(f"price must be a number, not {price!r}")
    return format(amount.quantize(CENT, rounding=ROUND_HALF_UP), "f")


def _gtin(gtin: Value) -> dict[str, str]:
    if is_empty(gtin):
        return {}
    digits = str(gtin).replace(" ", "").replace("-", "")
    name = f"gtin{len(digits)}" if len(digits) in (8, 12, 13, 14) and digits.isdigit() else "gtin"
    return {name: digits}


def _brand(brand: Value) -> dict | None:
    return None if is_empty(brand) else {"@type": "Brand", "name": brand}


def _enum(urls: Mapping[str, str], name: str, value: Value) -> str | None:
    if is_empty(value):
        return None
    if value not in urls:
        raise ValueError(f"{name} must be one of {', '.join(urls)}, not {value!r}")
    return SCHEMA + urls[value]
