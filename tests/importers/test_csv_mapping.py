"""Any spreadsheet export, through a column mapping: the same import, the columns named by the user."""

from __future__ import annotations

from pim.importers.write import ImportOptions, import_csv
from tests.importers.conftest import Shop, codes, errors

TABLE = """\
Article;Name;Colour;Price EUR;Article number;EAN;Stock;Picture
FL-1;Field Flask;Olive;24,90;FL-1-OLV;4006381333931;7;https://cdn.example.com/fl-1.jpg
FL-1;;Sand;24.90;FL-1-SND;;0;
FL-1;;Slate;19.90;FL-1-SLT;4006381333932;2;
"""
MAPPING = """\
delimiter: ";"
columns:
  handle: Article
  title: Name
  price: Price EUR
  sku: Article number
  barcode: EAN
  inventory_qty: Stock
  image_src: Picture
options: [Colour]
"""


def run(shop: Shop, table: str = TABLE, mapping: str = MAPPING):
    (shop.root / "table.csv").write_text(table, encoding="utf-8")
    (shop.root / "columns.yaml").write_text(mapping, encoding="utf-8")
    options = ImportOptions(currency="EUR", locale="de-DE", market="DE")
    return import_csv(shop.project, shop.root / "table.csv", shop.root / "columns.yaml", options)


def test_a_mapped_export_is_imported_like_a_shopify_one(shop: Shop):
    result = run(shop)
    # "24,90" is not an amount: the row is skipped; a GTIN with a wrong check digit is left out.
    assert codes(result.problems) == [("PIM805", 2, 4), ("PIM807", 4, 6)]
    assert errors(shop.validate()) == []
    product = shop.product("FL-1")
    assert "name:\n  de-DE: Field Flask\n" in product
    assert "family: colour\n" in product
    assert "- sku: FL-1-SND\n    colour: sand\n    stock: 0\n" in product
    assert "- sku: FL-1-SLT\n    colour: slate\n    stock: 2\n    price:\n      EUR: '19.90'\n" in product
    settings = (shop.project / "catalog/settings.yaml").read_text(encoding="utf-8")
    assert "DE:\n    country: DE\n    locale: de-DE\n    currency: EUR\n" in settings


def test_a_field_or_column_the_mapping_gets_wrong_is_reported_in_the_mapping_file(shop: Shop):
    result = run(shop, mapping=MAPPING.replace("  title: Name\n", "  name: Name\n"))
    assert codes(result.problems) == [("PIM821", 4, 3)]  # `name` is not an import field: it is `title`
    result = run(shop, mapping=MAPPING.replace("image_src: Picture", "image_src: Photo"))
    assert codes(result.problems) == [("PIM821", 9, 14)]  # no column Photo in the table
    assert shop.files() == {}


def test_a_mapping_without_a_handle_is_refused(shop: Shop):
    result = run(shop, mapping=MAPPING.replace("  handle: Article\n", ""))
    assert [p.code for p in result.problems] == ["PIM821"]
    assert shop.files() == {}
