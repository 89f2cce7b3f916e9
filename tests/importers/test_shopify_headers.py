"""Both Shopify header generations say the same thing, and every field the issue lists lands where it belongs."""

from __future__ import annotations

from pim.problems import Severity
from pim.writers.shopify_csv import CURRENT_NAMES
from tests.importers.conftest import Shop, codes, errors
from tests.importers.shopify_rows import read_export

LEGACY = """
    Handle,Title,Body (HTML),Vendor,Type,Tags,Published,Option1 Name,Option1 Value,Option2 Name,Option2 Value,Variant SKU,Variant Grams,Variant Inventory Qty,Variant Price,Variant Compare At Price,Variant Barcode,Image Src,Image Position,Image Alt Text,Variant Image,SEO Title,SEO Description,Status
    mug,Stone Mug,<p>Glazed by hand.</p>,Kiln & Co,Kitchen,"Mug, Gift",true,Color,Sand,Size,Small,MUG-S-S,350,4,18,24,4006381333931,https://cdn.example.com/mug.jpg,1,A sand mug,https://cdn.example.com/mug-sand.jpg,Stone Mug | Kiln,A mug glazed by hand.,active
    mug,,,,,,,,Sand,,Large,MUG-S-L,500,0,22,,ACME-77,https://cdn.example.com/mug-2.jpg,2,,,,,
    mug,,,,,,,,,,,,,,,,,https://cdn.example.com/mug-3.jpg,3,Side view,,,,
"""

CURRENT = """
    URL handle,Title,Description,Vendor,Type,Tags,Published on online store,Option1 name,Option1 value,Option2 name,Option2 value,SKU,Weight value (grams),Inventory quantity,Price,Compare-at price,Barcode,Product image URL,Image position,Image alt text,Variant image URL,SEO title,SEO description,Status
    mug,Stone Mug,<p>Glazed by hand.</p>,Kiln & Co,Kitchen,"Mug, Gift",TRUE,Color,Sand,Size,Small,MUG-S-S,350,4,18,24,4006381333931,https://cdn.example.com/mug.jpg,1,A sand mug,https://cdn.example.com/mug-sand.jpg,Stone Mug | Kiln,A mug glazed by hand.,active
    mug,,,,,,,,Sand,,Large,MUG-S-L,500,0,22,,ACME-77,https://cdn.example.com/mug-2.jpg,2,,,,,
    mug,,,,,,,,,,,,,,,,,https://cdn.example.com/mug-3.jpg,3,Side view,,,,
"""


def test_both_header_generations_give_the_same_catalog(tmp_path):
    legacy, current = Shop(tmp_path / "legacy"), Shop(tmp_path / "current")
    assert codes(legacy.import_shopify(LEGACY).problems) == []
    assert codes(current.import_shopify(CURRENT).problems) == []
    assert catalog_files(legacy) == catalog_files(current) != {}
    assert b"header: current" in current.files()["mappings/shopify.yaml"]  # the feed keeps the shop's header names


def catalog_files(shop: Shop) -> dict[str, bytes]:
    return {path: data for path, data in shop.files().items() if path.startswith("catalog/")}


def test_a_current_export_builds_back_in_the_current_header_names(shop: Shop):
    shop.import_shopify(CURRENT)
    built = shop.build_shopify()
    assert built.startswith("URL handle,Title,Description,")
    legacy_names = {current: legacy for legacy, current in CURRENT_NAMES.items()}
    header, rest = built.split("\n", 1)
    as_legacy = ",".join(legacy_names[name] for name in header.split(",")) + "\n" + rest
    assert read_export(as_legacy) == read_export(LEGACY.replace("\n    ", "\n").lstrip("\n"))


def test_every_listed_field_lands_in_the_product(shop: Shop):
    shop.import_shopify(CURRENT)
    assert errors(shop.validate()) == []
    assert shop.product("mug") == """\
id: mug
family: color-size
status: active
brand: Kiln & Co
categories:
  - kitchen
name:
  en-US: Stone Mug
description:
  en-US: <p>Glazed by hand.</p>
attributes:
  tags:
    - mug
    - gift
  seo_title:
    en-US: Stone Mug | Kiln
  seo_description:
    en-US: A mug glazed by hand.
price:
  USD: '24.00'
images:
  - src: https://cdn.example.com/mug.jpg
    alt:
      en-US: A sand mug
  - src: https://cdn.example.com/mug-2.jpg
  - src: https://cdn.example.com/mug-3.jpg
    alt:
      en-US: Side view
variants:
  - sku: MUG-S-S
    gtin: "4006381333931"
    color: sand
    size: small
    stock: 4
    price:
      USD: '24.00'
    sale:
      price:
        USD: '18.00'
    images:
      - src: https://cdn.example.com/mug-sand.jpg
    attributes:
      weight: 350 g
  - sku: MUG-S-L
    color: sand
    size: large
    stock: 0
    price:
      USD: '22.00'
    attributes:
      weight: 500 g
      barcode: ACME-77
"""


def test_the_feed_gives_the_fields_back(shop: Shop):
    shop.import_shopify(LEGACY)
    built = shop.build_shopify()
    exported, again = read_export(LEGACY.replace("\n    ", "\n").lstrip("\n")), read_export(built)
    assert again == exported
    first = built.splitlines()[1]
    for value in ("Stone Mug", "Kiln & Co", "Kitchen", '"Mug,Gift"', "4006381333931", "350", "Stone Mug | Kiln"):
        assert value in first


def test_a_product_without_options_has_no_axes(shop: Shop):
    shop.import_shopify("""
        Handle,Title,Option1 Name,Option1 Value,Variant SKU,Variant Price
        cap,Cap,Title,Default Title,CAP-1,15
    """)
    assert "family: simple\n" in shop.product("cap")
    built = shop.build_shopify()
    assert "cap,Cap," in built and ",Title,Default Title," in built


def test_a_file_of_neither_generation_is_refused_and_nothing_is_written(shop: Shop):
    result = shop.import_shopify("""
        Product,Price
        cap,15
    """)
    assert codes(result.problems) == [("PIM802", 1, 1)]
    assert shop.files() == {}


def test_a_column_pim_does_not_import_is_named_once(shop: Shop):
    result = shop.import_shopify("""
        Handle,Title,Variant SKU,Variant Price,Cost per item,Variant Taxable
        cap,Cap,CAP-1,15,4.20,true
        hat,Hat,HAT-1,15,5.10,true
    """)
    assert [(p.code, p.location.column, p.severity) for p in result.problems] == [("PIM816", 5, Severity.WARNING)]


def test_an_option_named_like_a_variant_field_gets_its_own_code(shop: Shop):
    shop.import_shopify("""
        Handle,Title,Option1 Name,Option1 Value,Option2 Name,Option2 Value,Variant SKU,Variant Price
        gift,Gift Card,Price,Small,Tags,Red,GIFT-S,10
        gift,,,Large,,Red,GIFT-L,50
    """)
    assert errors(shop.validate()) == []
    product = shop.product("gift")
    assert "family: price-option-tags\n" in product and "    price_option: large\n" in product
    assert read_export(shop.build_shopify())["gift"].option_names == ("Price", "Tags")


def test_tags_beside_an_option_named_tags_still_reach_the_feed(shop: Shop):
    shop.import_shopify("""
        Handle,Title,Tags,Option1 Name,Option1 Value,Variant SKU,Variant Price
        pin,Pin,"Enamel, Gift",Tags,Gold,PIN-G,5
    """)
    assert errors(shop.validate()) == []
    assert "tags_import:\n    - enamel\n    - gift\n" in shop.product("pin")
    assert ',"Enamel,Gift",' in shop.build_shopify()
