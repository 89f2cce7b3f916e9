"""Importing into a project that has the products: they are updated in place, never duplicated; a dry run
shows the change; a planned catalog that would not validate, or a failed write, leaves every file as it was."""

from __future__ import annotations

import pytest

from pim.output import FeedOutput
from tests.importers.conftest import Shop, codes, errors

EXPORT = """
    Handle,Title,Option1 Name,Option1 Value,Variant SKU,Variant Price,Image Src,Image Position
    cap,Cap,Size,S,CAP-S,15,https://cdn.example.com/cap.jpg,1
    cap,,,M,CAP-M,15,,
"""


def edit(shop: Shop, old: str, new: str) -> None:
    path = shop.project / "catalog/products/cap.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_an_existing_product_is_updated_and_what_the_export_does_not_say_is_kept(shop: Shop):
    shop.import_shopify(EXPORT)
    settings = shop.project / "catalog/settings.yaml"
    settings.write_text(settings.read_text(encoding="utf-8").replace("  en-US: {}\n", "  en-US: {}\n  fr-FR: {fallback: en-US}\n"), encoding="utf-8")
    edit(shop, "name:\n  en-US: Cap\n", "# named by the brand team\nname:\n  en-US: Cap\n  fr-FR: Casquette\n")
    result = shop.import_shopify(EXPORT.replace("CAP-M,15", "CAP-M,17").replace("Cap,Size", "Cap 2,Size"))
    assert result.changes == [("catalog/products/cap.yaml", "update")]
    product = shop.product("cap")
    assert "# named by the brand team\nname:\n  en-US: Cap 2\n  fr-FR: Casquette\n" in product
    assert "USD: '17.00'" in product
    assert sorted(p.name for p in (shop.project / "catalog/products").iterdir()) == ["cap.yaml"]
    assert errors(shop.validate()) == []


def test_a_variant_the_export_no_longer_has_is_removed_and_one_it_has_keeps_its_own_fields(shop: Shop):
    shop.import_shopify(EXPORT)
    edit(shop, "  - sku: CAP-S\n", "  - sku: CAP-S\n    mpn: KC-100\n")
    shop.import_shopify(EXPORT.replace("    cap,,,M,CAP-M,15,,\n", ""))
    product = shop.product("cap")
    assert "CAP-M" not in product and "mpn: KC-100" in product


def test_a_dry_run_shows_the_change_and_writes_nothing(shop: Shop):
    shop.import_shopify(EXPORT)
    before = shop.files()
    result = shop.import_shopify(EXPORT.replace("CAP-M,15", "CAP-M,17"), dry_run=True)
    assert result.changes == [("catalog/products/cap.yaml", "update")] and not result.written
    assert "-      USD: '15.00'" not in result.diffs["catalog/products/cap.yaml"]
    assert "+    price:\n+      USD: '17.00'\n" in result.diffs["catalog/products/cap.yaml"]
    assert shop.files() == before


def test_a_dry_run_into_an_empty_folder_creates_nothing(shop: Shop):
    result = shop.import_shopify(EXPORT, dry_run=True)
    assert ("catalog/products/cap.yaml", "create") in result.changes
    assert ("mappings/shopify.yaml", "create") in result.changes
    assert shop.files() == {}


def test_an_import_that_would_break_the_catalog_writes_nothing(shop: Shop):
    shop.import_shopify(EXPORT)
    before = shop.files()
    result = shop.import_shopify("Handle,Title,Variant SKU,Variant Price\nhat,Hat,CAP-S,15\n")  # CAP-S belongs to the cap
    assert [p.code for p in result.problems] == ["PIM221", "PIM823"]
    assert result.blocked and not result.written
    assert shop.files() == before


def test_a_write_that_fails_halfway_leaves_every_file_as_it_was(shop: Shop, monkeypatch):
    shop.import_shopify(EXPORT)
    before = shop.files()
    opened = []
    original = FeedOutput.open

    def failing_open(self, relpath):
        opened.append(relpath)
        if len(opened) == 2:
            raise OSError("disk full")
        return original(self, relpath)

    monkeypatch.setattr(FeedOutput, "open", failing_open)
    with pytest.raises(OSError):
        shop.import_shopify(EXPORT.replace("Cap,Size", "Cap 2,Size").replace("CAP-M,15", "CAP-M,17") + "    hat,Hat,,,HAT-1,9,,\n")
    assert len(opened) == 2
    assert shop.files() == before  # no staging folder left behind either


def test_a_product_file_that_cannot_be_read_is_not_overwritten(shop: Shop):
    shop.import_shopify(EXPORT)
    (shop.project / "catalog/products/cap.yaml").write_text("id: [cap\n", encoding="utf-8")
    result = shop.import_shopify(EXPORT)
    assert codes(result.problems)[:1] == [("PIM823", 2, 1)]
    assert (shop.project / "catalog/products/cap.yaml").read_text(encoding="utf-8") == "id: [cap\n"


def test_a_product_without_a_title_is_named_by_its_handle(shop: Shop):
    result = shop.import_shopify("Handle,Title,Variant SKU,Variant Price\ncap,,CAP-1,15\n")
    assert codes(result.problems) == [("PIM820", 2, 2)]
    assert "name:\n  en-US: cap\n" in shop.product("cap")


def test_a_skipped_row_does_not_remove_the_variant_it_would_have_updated(shop: Shop):
    shop.import_shopify(EXPORT)
    result = shop.import_shopify(EXPORT.replace("CAP-M,15", "CAP-M,fifteen"))
    assert codes(result.problems) == [("PIM805", 3, 6)]
    assert "sku: CAP-M" in shop.product("cap")


def test_an_export_without_any_sku_says_so_once(shop: Shop):
    result = shop.import_shopify("Handle,Title,Option1 Name,Option1 Value,Variant SKU,Variant Price\ncap,Cap,Size,S,,15\ncap,,,M,,15\nhat,Hat,,,,9\n")
    assert codes(result.problems) == [("PIM817", 1, 5)]
    assert ["cap-s", "cap-m"] == [line.split(": ")[1] for line in shop.product("cap").splitlines() if "sku:" in line]
    assert "sku: hat\n" in shop.product("hat")


def test_a_compare_at_price_replaces_a_scheduled_sale_whole(shop: Shop):
    on_sale = "Handle,Title,Variant SKU,Variant Price,Variant Compare At Price\ncap,Cap,CAP-1,{price},15\n"
    shop.import_shopify(on_sale.format(price=12))
    edit(shop, "sale:\n  price:\n    USD: '12.00'\n", "sale:\n  price:\n    USD: '12.00'\n  end: '2020-01-31'\n")
    shop.import_shopify(on_sale.format(price=11))
    product = shop.product("cap")
    assert "sale:\n  price:\n    USD: '11.00'\n" in product and "2020-01-31" not in product
