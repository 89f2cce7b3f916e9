"""Shopify product exports: both header generations read into neutral rows (channels.md section 5.2).

The legacy set (`Handle`, `Body (HTML)`, `Variant SKU` ...) is what Shopify's sample files and older
exports use; the current set (`URL handle`, `Description`, `SKU` ...) is today's template. A file is
one or the other, told apart by its handle column.
"""

from __future__ import annotations

from pathlib import Path

from pim.importers.rows import Rows, Table, neutral_rows, read_table, unused_columns
from pim.problems import Location, Problem

LEGACY = {
    "Handle": "handle", "Title": "title", "Body (HTML)": "description", "Vendor": "vendor", "Type": "type",
    "Tags": "tags", "Published": "published", "Status": "status",
    "Option1 Name": "option1_name", "Option1 Value": "option1_value",
    "Option2 Name": "option2_name", "Option2 Value": "option2_value",
    "Option3 Name": "option3_name", "Option3 Value": "option3_value",
    "Variant SKU": "sku", "Variant Grams": "grams", "Variant Inventory Qty": "inventory_qty",
    "Variant Inventory Policy": "inventory_policy", "Variant Price": "price",
    "Variant Compare At Price": "compare_at_price", "Variant Barcode": "barcode",
    "Image Src": "image_src", "Image Position": "image_position", "Image Alt Text": "image_alt",
    "Variant Image": "variant_image", "SEO Title": "seo_title", "SEO Description": "seo_description",
    "Google Shopping / MPN": "mpn", "Google Shopping / Condition": "condition",
}  # fmt: skip

CURRENT = {
    "URL handle": "handle", "Title": "title", "Description": "description", "Vendor": "vendor", "Type": "type",
    "Tags": "tags", "Published on online store": "published", "Status": "status",
    "Option1 name": "option1_name", "Option1 value": "option1_value",
    "Option2 name": "option2_name", "Option2 value": "option2_value",
    "Option3 name": "option3_name", "Option3 value": "option3_value",
    "SKU": "sku", "Weight value (grams)": "grams", "Inventory quantity": "inventory_qty",
    "Continue selling when out of stock": "inventory_policy", "Price": "price",
    "Compare-at price": "compare_at_price", "Barcode": "barcode",
    "Product image URL": "image_src", "Image position": "image_position", "Image alt text": "image_alt",
    "Variant image URL": "variant_image", "SEO title": "seo_title", "SEO description": "seo_description",
    "Google Shopping / MPN": "mpn", "Google Shopping / Condition": "condition",
}  # fmt: skip

# Columns Shopify fills with its own defaults; the catalog has nothing to say about them, so they are
# left out without a warning (the Shopify mapping writes the same defaults back).
QUIET = frozenset({
    "Variant Inventory Tracker", "Variant Fulfillment Service", "Variant Requires Shipping", "Variant Taxable",
    "Gift Card", "Variant Weight Unit", "Weight unit for display", "Variant Tax Code",
    "Option1 Linked To", "Option2 Linked To", "Option3 Linked To",
    "Option1 linked to", "Option2 linked to", "Option3 linked to",
})  # fmt: skip

GENERATIONS = {"Handle": LEGACY, "URL handle": CURRENT}


def read_shopify(path: Path, label: str) -> Rows:
    """Neutral rows of a Shopify product export, with a warning for every filled column not imported."""
    result = Rows()
    table = read_table(path, label, result.problems)
    if table is None:
        return result
    names = header_names(table, result.problems)
    if names is None:
        return result
    columns = {index: names[name] for index, name in enumerate(table.header) if name in names}
    result.shopify_header = "current" if names is CURRENT else None
    result.rows = neutral_rows(table, columns)
    result.problems += unused_columns(table, set(columns), QUIET)
    return result


def header_names(table: Table, problems: list[Problem]) -> dict[str, str] | None:
    """The header generation of this file, by its handle column."""
    found = [names for handle, names in GENERATIONS.items() if handle in table.header]
    if len(found) != 1:
        what = "both `Handle` and `URL handle`" if found else "neither `Handle` nor `URL handle`"
        problems.append(Problem("PIM802", f"the header has {what}: this is not a Shopify product export (for another spreadsheet, use `pim import csv --mapping`)", Location(table.path, 1, 1)))
        return None
    return found[0]
