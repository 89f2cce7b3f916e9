"""Shopify product CSV: grouping, product fields once, images one per row, both header generations."""

from __future__ import annotations

import csv
from decimal import Decimal
from itertools import groupby
from pathlib import Path

import pytest

from pim.feed import Feed, FeedInfo, Item
from pim.output import FeedOutput
from pim.writers import shopify_csv

SHARED = Path(__file__).resolve().parents[3] / "shared"  # ../shared beside the repo (tests/writers is 2 deep)
SAMPLES = SHARED / "data" / "shopify"

# Written out here rather than imported, so the test states Shopify's rule independently of the writer.
PRODUCT_LEVEL = {"Title", "Body (HTML)", "Vendor", "Type", "Tags", "Published", "Option1 Name", "Option2 Name",
                 "Option3 Name", "Gift Card", "SEO Title", "SEO Description", "Status"}  # fmt: skip
IMAGE = ("Image Src", "Image Position", "Image Alt Text")


def read(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def read_sample(name: str) -> list[dict[str, str]]:
    """A sample export, with the image position stated where the export left it blank (home-and-garden.csv
    has single images without one): Shopify then takes the row order, and our writer always writes it."""
    rows = read(SAMPLES / name)
    for _, group in groupby(rows, key=lambda row: row["Handle"]):
        for order, row in enumerate((row for row in group if row["Image Src"]), 1):
            row["Image Position"] = row["Image Position"] or str(order)
    return rows


def product_level(column: str) -> bool:
    return column in PRODUCT_LEVEL or column.startswith("Google Shopping / ")


def items_from_export(rows: list[dict[str, str]]) -> list[Item]:
    """What a mapping would hand the writer: one item per variant, every item carrying its product's fields."""
    items = []
    for handle, group in groupby(rows, key=lambda row: row["Handle"]):
        group = list(group)
        product = group[0]
        ordered = sorted((row for row in group if row["Image Src"]), key=lambda row: int(row["Image Position"]))
        images = [{"src": row["Image Src"], "alt": row["Image Alt Text"]} for row in ordered]
        variants = [row for row in group if row["Option1 Value"]]  # image-only rows have no option value
        for number, variant in enumerate(variants, 1):
            fields = {name: value for name, value in variant.items() if name not in IMAGE}
            fields.update({name: value for name, value in product.items() if product_level(name)})
            items.append(Item(f"{handle}#{number}", {**fields, "images": images}, handle, group_id=handle))
    return items


def write(tmp: Path, items, **options) -> list[dict[str, str]]:
    out = FeedOutput(tmp)
    info = FeedInfo("shopify", "shopify", "shopify-csv", market="US", options=options)
    shopify_csv.write_feeds([Feed(info, tuple(items))], out)
    out.commit()
    return read(tmp / "shopify/US.csv")


def summary(rows: list[dict[str, str]]) -> dict[str, dict]:
    """Per handle: variants (sku, options, prices) and images (position, src, alt)."""
    result: dict[str, dict] = {}
    for row in rows:
        product = result.setdefault(row["Handle"], {"variants": [], "images": []})
        if row["Option1 Value"]:
            options = tuple(row[f"Option{n} {part}"] for n in (1, 2, 3) for part in ("Name", "Value"))
            prices = (row["Variant Price"], row["Variant Compare At Price"])
            product["variants"].append((row["Variant SKU"], options, prices))
        if row["Image Src"]:
            product["images"].append((row["Image Position"], row["Image Src"], row["Image Alt Text"]))
    return result


@pytest.mark.parametrize("sample", ["apparel.csv", "jewelery.csv", "home-and-garden.csv"])
def test_real_exports_round_trip_as_data(tmp_path, sample):
    source = read_sample(sample)
    written = write(tmp_path, items_from_export(source))
    assert summary(written) == summary(source)
    # Row for row, column for column: the writer rebuilds Shopify's own layout from variant items.
    columns = [name for name in source[0] if name in written[0]]
    assert len(columns) == 46
    assert [{name: row[name] for name in columns} for row in written] == [
        {name: row[name] for name in columns} for row in source
    ]


def test_legacy_header_is_the_46_sample_columns_plus_status(tmp_path):
    write(tmp_path, [])
    with open(tmp_path / "shopify/US.csv", encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle))
    with open(SAMPLES / "apparel.csv", encoding="utf-8", newline="") as handle:
        assert header == [*next(csv.reader(handle)), "Status"]


def variant(sku: str, size: str, **fields) -> Item:
    product = {"Handle": "trail-shell", "Title": "Trail Shell", "Body (HTML)": "<p>Light,\n\"packable\"</p>",
               "Vendor": "Ösel", "Tags": ["rain", "hiking"], "Published": True, "Status": "active",
               "Option1 Name": "Size", "Not A Shopify Column": "x",
               "images": [{"src": f"https://i.example/{n}.jpg", "alt": f"View {n}"} for n in (1, 2, 3, 4)]}  # fmt: skip
    own = {"Option1 Value": size, "Variant SKU": sku, "Variant Price": Decimal("99.00"), "Variant Grams": 450}
    return Item(sku, {**product, **own, **fields}, "P1", group_id="P1")


def test_grouping_product_fields_once_and_extra_image_rows(tmp_path):
    items = [variant("TS-S", "S"), variant("TS-M", "M"), Item("MUG", {"Handle": "mug", "Title": "Mug"}, "P2")]
    rows = write(tmp_path, items)
    assert [row["Handle"] for row in rows] == ["trail-shell"] * 4 + ["mug"]
    first, second, third, fourth, mug = rows
    product_fields = (first["Title"], first["Vendor"], first["Tags"], first["Published"])
    assert product_fields == ("Trail Shell", "Ösel", "rain,hiking", "true")
    assert first["Body (HTML)"] == '<p>Light,\n"packable"</p>'
    assert (first["Variant SKU"], first["Variant Price"], first["Variant Grams"]) == ("TS-S", "99.00", "450")
    assert second["Title"] == second["Vendor"] == second["Option1 Name"] == second["Status"] == ""
    assert (second["Option1 Value"], second["Variant SKU"]) == ("M", "TS-M")
    assert [(row["Image Position"], row["Image Src"], row["Image Alt Text"]) for row in rows[:4]] == [
        (str(n), f"https://i.example/{n}.jpg", f"View {n}") for n in (1, 2, 3, 4)
    ]
    for extra in (third, fourth):  # only Handle and the image columns
        assert {name for name, value in extra.items() if value} == {"Handle", *IMAGE}
    assert (mug["Title"], mug["Image Src"]) == ("Mug", "")
    assert "Not A Shopify Column" not in first


def test_current_header_generation(tmp_path):
    rows = write(tmp_path, [variant("TS-S", "S")], header="current")
    first = rows[0]
    assert (first["URL handle"], first["SKU"], first["Option1 name"], first["Option1 value"]) == (
        "trail-shell", "TS-S", "Size", "S")  # fmt: skip
    assert (first["Price"], first["Description"], first["Published on online store"]) == (
        "99.00", '<p>Light,\n"packable"</p>', "true")  # fmt: skip
    assert (first["Product image URL"], first["Image position"]) == ("https://i.example/1.jpg", "1")
    assert "Handle" not in first and "Variant SKU" not in first
    assert "Variant Inventory Policy" not in first  # no confirmed current name: left out, not mixed in


def test_a_product_split_across_the_feed_is_refused(tmp_path):
    items = [variant("TS-S", "S"), Item("MUG", {"Handle": "mug"}, "P2"), variant("TS-M", "M")]
    with pytest.raises(ValueError, match="P1"):
        write(tmp_path, items)


def test_deterministic_bytes(tmp_path):
    items = [variant("TS-S", "S"), variant("TS-M", "M")]
    write(tmp_path / "a", items)
    write(tmp_path / "b", items)
    assert (tmp_path / "a/shopify/US.csv").read_bytes() == (tmp_path / "b/shopify/US.csv").read_bytes()
