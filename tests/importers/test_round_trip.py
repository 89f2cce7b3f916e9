"""The issue's proof: each real Shopify export, imported into an empty project, validates and builds back
to the same handles, SKUs, options, prices and images, compared as data."""

from __future__ import annotations

import pytest

from pim.fmt import format_catalog
from pim.importers.write import import_shopify
from tests.importers.conftest import SAMPLES, Shop, errors
from tests.importers.shopify_rows import read_export, read_export_file

EXPORTS = ["apparel.csv", "home-and-garden.csv", "jewelery.csv"]
pytestmark = pytest.mark.skipif(not SAMPLES.is_dir(), reason="the Shopify sample exports are not beside the repository")


@pytest.mark.parametrize("name", EXPORTS)
def test_a_real_export_builds_back_to_the_same_products(shop: Shop, name: str):
    result = import_shopify(shop.project, SAMPLES / name)
    assert errors(result.problems) == []
    assert errors(shop.validate()) == []
    exported, built = read_export_file(SAMPLES / name), read_export(shop.build_shopify())

    assert sorted(built) == sorted(exported)
    for handle, product in exported.items():
        again = built[handle]
        assert again.option_names == product.option_names, handle
        assert [(v.options, v.price, v.compare_at, v.image) for v in again.variants] == [
            (v.options, v.price, v.compare_at, v.image) for v in product.variants
        ], handle
        assert again.images == product.images, handle
        # The samples carry no SKUs: each variant gets one (PIM817), and the feed carries it.
        assert all(v.sku == w.sku for v, w in zip(product.variants, again.variants) if v.sku), handle
    assert len({v.sku for p in built.values() for v in p.variants}) == sum(len(p.variants) for p in built.values())


@pytest.mark.parametrize("name", EXPORTS)
def test_imported_files_are_already_in_the_form_pim_fmt_writes(shop: Shop, name: str):
    import_shopify(shop.project, SAMPLES / name)
    result = format_catalog(shop.project, write=False)
    assert result.problems == []
    assert [f.relpath for f in result.changed] == []


@pytest.mark.parametrize("name", EXPORTS)
def test_importing_the_same_export_again_changes_nothing(shop: Shop, name: str):
    import_shopify(shop.project, SAMPLES / name)
    before = shop.files()
    again = import_shopify(shop.project, SAMPLES / name)
    assert again.changes == [] and not again.written
    assert shop.files() == before


def test_the_same_export_gives_the_same_bytes(tmp_path):
    first, second = Shop(tmp_path / "a"), Shop(tmp_path / "b")
    import_shopify(first.project, SAMPLES / "jewelery.csv")
    import_shopify(second.project, SAMPLES / "jewelery.csv")
    assert first.files() == second.files() != {}


def test_skus_given_in_the_export_are_kept_exactly(shop: Shop):
    shop.import_shopify("""
        Handle,Title,Option1 Name,Option1 Value,Option2 Name,Option2 Value,Option3 Name,Option3 Value,Variant SKU,Variant Price,Variant Compare At Price,Variant Barcode,Image Src,Image Position,Image Alt Text
        tee,Tee,Color,Red,Size,S,Fit,Slim,TEE-R-S,10,12.50,4006381333931,https://cdn.example.com/a.jpg,2,Back
        tee,,,Red,,M,,Slim,TEE-R-M,11,,,https://cdn.example.com/b.jpg,1,Front
        tee,,,Blue,,S,,Regular,00042,10,12.50,,,,
    """)
    built = read_export(shop.build_shopify())["tee"]
    assert built.option_names == ("Color", "Size", "Fit")
    assert [(v.sku, v.options, str(v.price), str(v.compare_at)) for v in built.variants] == [
        ("TEE-R-S", ("Red", "S", "Slim"), "10.00", "12.50"),
        ("TEE-R-M", ("Red", "M", "Slim"), "11.00", "None"),
        ("00042", ("Blue", "S", "Regular"), "10.00", "12.50"),
    ]
    assert built.images == [("https://cdn.example.com/b.jpg", 1), ("https://cdn.example.com/a.jpg", 2)]
    product = shop.product("tee")
    assert 'gtin: "4006381333931"' in product or "gtin: '4006381333931'" in product
    assert "sku: '00042'" in product or 'sku: "00042"' in product  # an identifier of digits stays a string
