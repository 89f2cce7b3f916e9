"""Google Merchant Center rules (kind `google-merchant`): the product data specification, channels.md §1.

Apparel needs the taxonomy to know whether a numeric `google_product_category` lies under
Apparel & Accessories. pim ships no copy of it: the engine loads the user's file with
`pim.taxonomy.load_taxonomy` and passes the result as `FeedInfo.options[TAXONOMY_OPTION]`.
Without it, a category written as a full path still works, and so do the ids 166, 1604 and 187.
"""

from __future__ import annotations

from typing import Iterable

from pim.feed import FeedInfo, Item, Value
from pim.gtin import is_valid_gtin, to_gtin14
from pim.rules import ChannelRules, Violation, entries, key_of, present, text, unique_ids
from pim.taxonomy import Taxonomy, parse_category_path

TAXONOMY_OPTION = "google_taxonomy"
ID_LIMIT = 50  # [S3]

APPAREL = ("Apparel & Accessories",)  # id 166 [S8e]
CLOTHING = ("Apparel & Accessories", "Clothing")  # id 1604
SHOES = ("Apparel & Accessories", "Shoes")  # id 187
_KNOWN_PATHS = {166: APPAREL, 1604: CLOTHING, 187: SHOES}

_DATED_AVAILABILITY = ("preorder", "backorder")  # both need availability_date [S7]
_NO_IDENTIFIER = ("no", "false")  # identifier_exists values that mean "this product has none" [S8d]
_PLACEHOLDER_BRANDS = ("n/a", "generic")  # Google rejects these as brands [S8b]

# GS1 prefixes Google rejects, read on the 13-digit form of the GTIN (the GS1 prefix sits at its
# start; a GTIN-12 gets one leading zero). [S51] (3P), §1.2 and §9: `02`, `04` and `2` are restricted
# (in-store and internal numbers), `05`, `98` and `99` are coupons. Read on the 14-digit padded form
# instead, `04`/`05` would wrongly catch every EAN starting with 4 or 5 (Germany, the UK, ...).
_RESTRICTED_PREFIXES = (("02", "restricted"), ("04", "restricted"), ("2", "restricted"),
                        ("05", "coupon"), ("98", "coupon"), ("99", "coupon"))


def restricted_gtin_prefix(gtin: str) -> tuple[str, str] | None:
    """(prefix, "restricted" | "coupon") when a valid GTIN lies in a range Google rejects."""
    thirteen = to_gtin14(gtin)[1:]  # the digits after the GTIN-14 packaging indicator
    for prefix, kind in _RESTRICTED_PREFIXES:
        if thirteen.startswith(prefix):
            return prefix, kind
    return None


def category_path(value: Value, taxonomy: Taxonomy | None) -> tuple[str, ...] | None:
    """The category's path from an id (needs the taxonomy) or from a full path; None when unknown."""
    given = text(value).strip()
    if not given.isdigit():
        return parse_category_path(given)
    category_id = int(given)
    if taxonomy is not None and category_id in taxonomy:
        return tuple(taxonomy[category_id])
    return _KNOWN_PATHS.get(category_id)


def _gtin_ranges(item: Item, info: FeedInfo) -> Iterable[Violation]:
    for value in entries(RULES, "gtin", item.fields.get("gtin")):
        gtin = text(value)
        found = restricted_gtin_prefix(gtin) if is_valid_gtin(gtin) else None
        if found:
            prefix, kind = found
            use = "coupons" if kind == "coupon" else "in-store and internal numbers"
            yield Violation(
                "gtin",
                "PIM305",
                f'gtin "{gtin}" is in the GS1 range {prefix}, kept for {use}, which Google rejects: '
                "use the GTIN from the manufacturer's packaging, or leave gtin out and give mpn and brand",
            )


def _id(item: Item, info: FeedInfo) -> Iterable[Violation]:
    # Max 50 characters [S3]. Checked here rather than as a required field: the Google writers use
    # Item.id when the mapping gives no id field, and an id is never truncated.
    item_id = key_of(item, "id")
    if not item_id.strip():
        yield Violation("id", "PIM301", "id is missing and Google requires it: give the variant a SKU")
    elif len(item_id) > ID_LIMIT:
        yield Violation("id", "PIM302", f'id "{item_id}" is {len(item_id)} characters; Google allows {ID_LIMIT}: use a shorter SKU')


def _identifiers(item: Item, info: FeedInfo) -> Iterable[Violation]:
    # [S8d]: a GTIN when the product has one; otherwise MPN plus brand; or identifier_exists=no.
    if present(item, "gtin") or (present(item, "mpn") and present(item, "brand")):
        return
    if text(item.fields.get("identifier_exists", "")).strip().lower() in _NO_IDENTIFIER:
        return
    yield Violation(
        "gtin",
        "PIM306",
        "the item has no gtin and no mpn with a brand: add the GTIN from the barcode, or the brand and "
        'manufacturer part number, or set identifier_exists to "no" for products that have none',
    )


def _availability_date(item: Item, info: FeedInfo) -> Iterable[Violation]:
    availability = text(item.fields.get("availability", "")).strip()
    if availability in _DATED_AVAILABILITY and not present(item, "availability_date"):
        yield Violation(
            "availability_date",
            "PIM308",
            f'availability is "{availability}" but availability_date is missing: '
            "give the date the product can ship, or change the availability",
        )


def _apparel(item: Item, info: FeedInfo) -> Iterable[Violation]:
    if not present(item, "google_product_category"):
        return
    path = category_path(item.fields["google_product_category"], info.options.get(TAXONOMY_OPTION))
    if path is None or path[:1] != APPAREL:
        return
    needed = ["color", "gender", "age_group"]  # all of Apparel & Accessories [S8e][S8f][S8g]
    if path[:2] in (CLOTHING, SHOES):
        needed.insert(1, "size")  # clothing and shoes only (M)
    for name in needed:
        if not present(item, name):
            yield Violation(
                name,
                "PIM307",
                f"{name} is missing and Google requires it for apparel: add the {name.replace('_', ' ')} "
                "to the product or map it in the mapping",
            )


def _variant_group(item: Item, info: FeedInfo) -> Iterable[Violation]:
    # Variants share item_group_id [S5]; the mapping must send it for every grouped item.
    if item.group_id and not present(item, "item_group_id"):
        yield Violation(
            "item_group_id",
            "PIM310",
            f'the item is a variant of "{item.group_id}" but has no item_group_id: map item_group_id '
            "to the product id so Google shows the variants together",
        )


def _colors(item: Item, info: FeedInfo) -> Iterable[Violation]:
    # Up to 3 colours separated by "/", each at most 40 characters [S8e].
    if not present(item, "color"):
        return
    colors = [c.strip() for c in text(item.fields["color"]).split("/")]
    if len(colors) > 3:
        yield Violation("color", "PIM312", f"color names {len(colors)} colours; Google allows 3: keep the main three")
    for color in colors:
        if len(color) > 40:
            yield Violation(
                "color",
                "PIM302",
                f'color "{color}" is {len(color)} characters; Google allows 40 per colour: use a shorter colour name',
            )


def _brand(item: Item, info: FeedInfo) -> Iterable[Violation]:
    brand = text(item.fields.get("brand", "")).strip()
    if brand.lower() in _PLACEHOLDER_BRANDS:
        yield Violation(
            "brand",
            "PIM303",
            f'brand "{brand}" is a placeholder Google rejects: give the maker\'s brand, '
            "or your shop's name for products you make yourself",
        )


RULES = ChannelRules(
    channel="Google",
    required=("title", "description", "link", "image_link", "availability", "price", "brand"),
    id_length={"item_group_id": 50},  # [S5]
    max_length={
        "title": 150,  # [S4]
        "short_title": 150,  # [S4b]
        "description": 5000,  # [S6]
        "brand": 70,  # [S8b]
        "mpn": 70,  # [S8c]
        "color": 100,  # [S8e]
        "size": 100,  # (M)
        "product_type": 750,  # per value [S9g]
        **{f"custom_label_{n}": 100 for n in range(5)},  # (M)
    },
    enums={
        "availability": frozenset({"in_stock", "out_of_stock", "preorder", "backorder"}),  # [S7]
        "condition": frozenset({"new", "refurbished", "used"}),  # [S8]
        "gender": frozenset({"male", "female", "unisex"}),  # [S8f]
        "age_group": frozenset({"newborn", "infant", "toddler", "kids", "adult"}),  # [S8g]
        "identifier_exists": frozenset({"yes", "no", "true", "false"}),  # [S8d]
    },
    prices=("price", "sale_price"),  # "15.00 USD" [S9]
    sale_price=("sale_price", "price"),
    dates=("availability_date",),  # [S7]
    date_ranges=("sale_price_effective_date",),  # (M)
    links={"link": 2000},  # [S60]
    image_links={"image_link": 2000, "additional_image_link": 2000},  # [S9f][S9b]
    max_values={"additional_image_link": 10, "gtin": 10, "product_type": 5},  # [S9b][S9c][S9g]
    separators={"additional_image_link": ",", "gtin": ","},  # TSV lists [S9b]
    gtins=("gtin",),  # 8, 12, 13 or 14 digits [S9c]
    extra=(_id, _identifiers, _gtin_ranges, _availability_date, _apparel, _variant_group, _colors, _brand),
    feed_checks=(unique_ids("id"),),  # unique per item [S3]
)
