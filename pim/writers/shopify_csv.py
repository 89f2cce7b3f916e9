"""Shopify product CSV: variants grouped into products, product fields once, images one per row.

File: `<channel>/<market>.csv` (e.g. `shopify/US.csv`), UTF-8 without BOM, LF line ends, minimal RFC 4180
quoting (line breaks inside a value, e.g. in `Body (HTML)`, stay inside the quoted field as LF).

Columns are fixed, not taken from `options["columns"]`: the 46 legacy headers of Shopify's 2019 sample exports
plus `Status`, always all of them and in that order (`LEGACY_COLUMNS`). Item fields with other names are
ignored, because Shopify matches headers by exact name and an unknown column only breaks the import.
`options["header"] == "current"` writes the current header names instead (`CURRENT_NAMES`, from Shopify's help
page and third-party copies of the current template); legacy columns with no confirmed current name are left
out, which Shopify reads as "leave unchanged" for a non-required column.

Item-field contract (for mapping authors):

- One Item per variant. Items of one product share `group_id` (else `product_id`) and arrive consecutively.
- Fields are keyed by the legacy column names: `Handle`, `Title`, `Body (HTML)`, `Vendor`, `Type`, `Tags`,
  `Published`, `Option1 Name`, `Option1 Value` ... `Option3 Value`, `Variant SKU`, `Variant Grams`,
  `Variant Inventory Qty`, `Variant Inventory Policy`, `Variant Price`, `Variant Compare At Price`,
  `Variant Barcode`, `Variant Image`, `SEO Title`, `SEO Description`, `Google Shopping / ...`, `Status`, ...
- Product-level fields (`PRODUCT_COLUMNS`) are read from the product's first item and written on its first
  row only; option values and variant fields are read from each item and written on its own row.
- `Handle` comes from the first item's `Handle` field, else the group id; every row of the product repeats it.
- `images`: on the first item, a list of `{"src": url, "alt": text}` (a plain URL string also works). Image i
  (1-based) goes on row i as `Image Src`, `Image Position` = i, `Image Alt Text`; when there are more images
  than variants, extra rows carry only `Handle` and the image columns. Item fields named `Image Src`,
  `Image Position` or `Image Alt Text` are ignored: positions are decided here.
- Values render as in `pim.writers.table`: None/empty -> empty cell, bool -> `true`/`false` (as Shopify's own
  exports), Decimal -> plain decimal text (`19.99`, no currency), lists joined with `,` (e.g. `Tags`).
"""

from __future__ import annotations

from itertools import groupby
from typing import Iterator, Mapping, Sequence

from pim.feed import Feed, Item
from pim.output import FeedOutput
from pim.writers.table import feed_stem, render, write_table

LEGACY_COLUMNS = (
    "Handle", "Title", "Body (HTML)", "Vendor", "Type", "Tags", "Published",
    "Option1 Name", "Option1 Value", "Option2 Name", "Option2 Value", "Option3 Name", "Option3 Value",
    "Variant SKU", "Variant Grams", "Variant Inventory Tracker", "Variant Inventory Qty",
    "Variant Inventory Policy", "Variant Fulfillment Service", "Variant Price", "Variant Compare At Price",
    "Variant Requires Shipping", "Variant Taxable", "Variant Barcode", "Image Src", "Image Position",
    "Image Alt Text", "Gift Card", "SEO Title", "SEO Description",
    "Google Shopping / Google Product Category", "Google Shopping / Gender", "Google Shopping / Age Group",
    "Google Shopping / MPN", "Google Shopping / AdWords Grouping", "Google Shopping / AdWords Labels",
    "Google Shopping / Condition", "Google Shopping / Custom Product",
    "Google Shopping / Custom Label 0", "Google Shopping / Custom Label 1", "Google Shopping / Custom Label 2",
    "Google Shopping / Custom Label 3", "Google Shopping / Custom Label 4",
    "Variant Image", "Variant Weight Unit", "Variant Tax Code", "Status",
)  # fmt: skip

# Legacy name -> current name (channels.md 5.2). Check against a freshly downloaded product_template.csv.
CURRENT_NAMES = {
    "Handle": "URL handle", "Title": "Title", "Body (HTML)": "Description", "Vendor": "Vendor",
    "Type": "Type", "Tags": "Tags", "Published": "Published on online store",
    "Option1 Name": "Option1 name", "Option1 Value": "Option1 value",
    "Option2 Name": "Option2 name", "Option2 Value": "Option2 value",
    "Option3 Name": "Option3 name", "Option3 Value": "Option3 value",
    "Variant SKU": "SKU", "Variant Grams": "Weight value (grams)", "Variant Inventory Qty": "Inventory quantity",
    "Variant Price": "Price", "Variant Compare At Price": "Compare-at price", "Variant Barcode": "Barcode",
    "Image Src": "Product image URL", "Image Position": "Image position", "Image Alt Text": "Image alt text",
    "SEO Title": "SEO title", "SEO Description": "SEO description", "Variant Image": "Variant image URL",
    "Variant Weight Unit": "Weight unit for display", "Status": "Status",
}  # fmt: skip
# Deliberately unmapped: Variant Inventory Policy (its current column, "Continue selling when out of stock",
# takes different values), Gift Card, Google Shopping / ..., tracker, fulfilment, shipping, tax columns.

IMAGE_COLUMNS = ("Image Src", "Image Position", "Image Alt Text")
PRODUCT_COLUMNS = frozenset(
    {"Title", "Body (HTML)", "Vendor", "Product Category", "Type", "Tags", "Published", "Gift Card", "Status"}
    | {f"Option{n} Name" for n in (1, 2, 3)}
    | {name for name in LEGACY_COLUMNS if name.startswith(("SEO ", "Google Shopping / "))}
)
VARIANT_COLUMNS = tuple(
    name for name in LEGACY_COLUMNS if name not in PRODUCT_COLUMNS and name not in IMAGE_COLUMNS and name != "Handle"
)


def write_feeds(feeds: Sequence[Feed], out: FeedOutput) -> None:
    for feed in feeds:
        current = feed.info.options.get("header") == "current"
        columns = [name for name in LEGACY_COLUMNS if not current or name in CURRENT_NAMES]
        header = [CURRENT_NAMES[name] for name in columns] if current else columns
        rows = ([row.get(name, "") for name in columns] for row in product_rows(feed.items))
        with out.open(f"{feed.info.channel}/{feed_stem(feed.info)}.csv") as stream:
            write_table(stream, header, rows)


def product_rows(items: Sequence[Item]) -> Iterator[dict[str, str]]:
    """Rows keyed by legacy column name, product by product, in the given item order."""
    seen: set[str] = set()
    for group, variants in groupby(items, key=lambda item: item.group_id or item.product_id):
        if group in seen:  # a split product would be written twice, with product fields on both halves
            raise ValueError(f"items of product {group} are not consecutive")
        seen.add(group)
        yield from _rows_of_product(group, list(variants))


def _rows_of_product(group: str, variants: list[Item]) -> Iterator[dict[str, str]]:
    first = variants[0]
    handle = _cell(first, "Handle") or group
    images = [_image(first, image) for image in first.fields.get("images") or ()]
    for position in range(1, max(len(variants), len(images)) + 1):
        row = {"Handle": handle}
        if position <= len(variants):
            variant = variants[position - 1]
            row.update((name, _cell(variant, name)) for name in VARIANT_COLUMNS)
            if position == 1:
                row.update((name, _cell(first, name)) for name in PRODUCT_COLUMNS)
        if position <= len(images):
            src, alt = images[position - 1]
            row.update({"Image Src": src, "Image Position": str(position), "Image Alt Text": alt})
        yield row


def _image(item: Item, image) -> tuple[str, str]:
    if isinstance(image, str):
        return image, ""
    if isinstance(image, Mapping) and image.get("src"):
        return render(image["src"]), render(image.get("alt"))
    raise TypeError(f"item {item.id}, field 'images': expected {{'src', 'alt'}} entries, got {image!r}")


def _cell(item: Item, name: str) -> str:
    try:
        return render(item.fields.get(name))
    except TypeError as error:
        raise TypeError(f"item {item.id}, field {name!r}: {error}") from None
