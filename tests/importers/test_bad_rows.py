"""A bad row is reported at its row and column, then imported without the bad value or skipped with the
reason; whatever is imported still validates. Line 1 is the header, so the first product is on line 2."""

from __future__ import annotations

import pytest

from tests.importers.conftest import Shop, codes, errors

HEADER = "Handle,Title,Option1 Name,Option1 Value,Variant SKU,Variant Price,Variant Compare At Price,Variant Barcode,Variant Inventory Qty,Variant Grams,Image Src,Image Position,Status\n"
GOOD = "cap,Cap,Size,S,CAP-S,15,,,3,,https://cdn.example.com/cap.jpg,1,active\n"
# Columns:   1     2     3     4     5          6         7          8       9        10          11          12    13


def run(shop: Shop, *rows: str):
    result = shop.import_shopify(HEADER + GOOD + "".join(rows))
    assert errors(shop.validate()) == []  # what was imported is a valid catalog
    return result


@pytest.mark.parametrize(
    "row, expected",
    [
        (",Cap,,M,CAP-M,15,,,3,,,,\n", ("PIM803", 3, 1)),  # no handle
        ("../cap,Cap,,M,CAP-M,15,,,3,,,,\n", ("PIM804", 3, 1)),  # a handle that would leave the folder
        ("cap,,,M,CAP-M,\"15,00\",,,3,,,,\n", ("PIM805", 3, 6)),  # unparseable price
        ("cap,,,M,CAP-M,,,,3,,,,\n", ("PIM805", 3, 6)),  # no price
        ("cap,,,M,CAP-S,15,,,3,,,,\n", ("PIM811", 3, 5)),  # SKU already used
        ("cap,,,S,CAP-S2,15,,,3,,,,\n", ("PIM812", 3, 4)),  # the same option value again
        ("cap,,,,CAP-M,15,,,3,,,,\n", ("PIM813", 3, 4)),  # no value for the product's option
    ],
)
def test_a_row_that_cannot_be_a_variant_is_skipped(shop: Shop, row: str, expected):
    result = run(shop, row)
    assert codes(result.problems) == [expected]
    assert "CAP-M" not in shop.product("cap")
    assert "sku: CAP-S\n" in shop.product("cap")


@pytest.mark.parametrize(
    "cells, expected, absent",
    [
        ("M,CAP-M,16,abc,,3,,,", ("PIM806", 3, 7), "sale:"),  # compare-at not an amount
        ("M,CAP-M,16,,4006381333932,3,,,", ("PIM807", 3, 8), "gtin"),  # wrong check digit
        ("M,CAP-M,16,,,-2,,,", ("PIM808", 3, 9), "stock: -2"),  # negative inventory
        ("M,CAP-M,16,,,3,heavy,,", ("PIM809", 3, 10), "weight"),  # weight not a number
        ("M,CAP-M,16,,,3,,https://cdn.example.com/b.jpg,first", ("PIM810", 3, 12), "position"),
    ],
)
def test_a_bad_value_is_left_out_and_the_variant_imported(shop: Shop, cells: str, expected, absent: str):
    result = run(shop, f"cap,,,{cells},\n")
    assert codes(result.problems) == [expected]
    product = shop.product("cap")
    assert "sku: CAP-M" in product and absent not in product


def test_a_compare_at_price_not_above_the_price_is_a_warning(shop: Shop):
    result = run(shop, "cap,,,M,CAP-M,16,16,,3,,,,\n")
    assert [(p.code, p.severity.value) for p in result.problems] == [("PIM806", "warning")]
    assert "sale:" not in shop.product("cap")


def test_an_unknown_status_falls_back_to_published(shop: Shop):
    result = run(shop, "hat,Hat,Title,Default Title,HAT-1,15,,,3,,,,live\n")
    assert codes(result.problems) == [("PIM815", 3, 13)]
    assert "status: active" in shop.product("hat")


def test_a_value_for_an_option_the_product_does_not_name_is_left_out(shop: Shop):
    result = shop.import_shopify("Handle,Title,Option1 Name,Option1 Value,Option2 Value,Variant SKU,Variant Price\ncap,Cap,Size,S,Red,CAP-S,15\n")
    assert codes(result.problems) == [("PIM814", 2, 5)]
    assert "Red" not in shop.product("cap")


def test_a_product_with_only_image_rows_is_skipped(shop: Shop):
    result = run(shop, "bag,,,,,,,,,,https://cdn.example.com/bag.jpg,1,\n")
    assert codes(result.problems) == [("PIM819", 3, 1)]
    assert not (shop.project / "catalog/products/bag.yaml").exists()


def test_a_row_after_a_multi_line_cell_is_found_on_its_own_line(shop: Shop):
    result = shop.import_shopify('Handle,Title,Body (HTML),Variant SKU,Variant Price\ncap,Cap,"<p>one</p>\n<p>two</p>",CAP-1,15\nhat,Hat,,HAT-1,cheap\n')
    assert codes(result.problems) == [("PIM805", 4, 5)]


def test_a_file_that_is_not_utf8_is_reported_and_nothing_written(shop: Shop):
    path = shop.root / "latin1.csv"
    path.write_bytes("Handle,Title,Variant Price\ncap,Café,15\n".encode("latin-1"))
    from pim.importers.write import import_shopify

    assert codes(import_shopify(shop.project, path).problems) == [("PIM801", 2, 1)]
    assert shop.files() == {}


def test_an_export_without_one_importable_row_writes_nothing(shop: Shop):
    result = shop.import_shopify(HEADER + ",Cap,,M,CAP-M,15,,,3,,,,\n")
    assert codes(result.problems) == [("PIM803", 2, 1)]
    assert shop.files() == {}
