"""The tiny catalog of tests/core with real mappings for five channels that agree with each other.

Each test changes one mapping or product (`one_voice.replace(...)`) and builds in memory, so a
disagreement it introduces is the only one there is.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pim.build import BuildResult, build
from pim.sources import WorkingTree
from tests.core.conftest import TinyProject, write_tiny_project

BUILD_TIME = "2026-01-01T00:00:00Z"

MAPPINGS: dict[str, str] = {
    "mappings/google.yaml": """
        channel: google-merchant
        markets: [US, FR]
        include: product.status == "active"
        fields:
          id: variant.sku
          item_group_id: product.id
          title: '[product.name, variant.color, variant.size] | select | join(" - ")'
          description: product.description | strip_html
          link: variant.url
          image_link: item.images[0].url
          availability: variant.availability
          price: item.price | money
          sale_price: item.sale.price | money if item.sale
          brand: product.brand
          gtin: variant.gtin
          color: variant.color
          size: variant.size
          gender: product.attributes.gender | code
          age_group: '"adult"'
    """,
    "mappings/meta.yaml": """
        channel: meta
        markets: [US, FR]
        include: product.status == "active"
        maps:
          availability: {in_stock: in stock, out_of_stock: out of stock, preorder: preorder, backorder: available for order}
        fields:
          id: variant.sku
          title: product.name
          description: product.description | strip_html
          availability: variant.availability | lookup("availability")
          condition: product.condition
          price: item.price | money
          sale_price: item.sale.price | money if item.sale
          link: variant.url
          image_link: item.images[0].url
          brand: product.brand
          gtin: variant.gtin
          item_group_id: product.id
          quantity_to_sell_on_facebook: variant.stock
    """,
    "mappings/shopify.yaml": """
        channel: shopify
        markets: [US]
        include: product.status == "active"
        fields:
          Handle: product.id | lower
          Title: product.name
          Vendor: product.brand
          Option1 Name: '"Color"'
          Option1 Value: variant.color
          Option2 Name: '"Size"'
          Option2 Value: variant.size
          Variant SKU: variant.sku
          Variant Inventory Qty: variant.stock
          Variant Price: (item.sale.price if item.sale and item.sale.active else item.price) | amount
          Variant Compare At Price: item.price | amount if item.sale and item.sale.active
          Variant Barcode: variant.gtin
    """,
    "mappings/headless.yaml": """
        channel: headless
        markets: [US, FR]
        include: product.status == "active"
        item: product
        fields:
          id: product.id
          name: product.name
          brand: product.brand
          variants: variants | map("pick", "sku", "gtin", "stock", "availability", "price=price_amount", "currency") | list
    """,
}


class OneVoiceProject(TinyProject):
    def build(self, *, time: str = BUILD_TIME) -> BuildResult:
        """The build in memory, as `pim build` runs it, at a fixed time."""
        return build(WorkingTree(self.root), write=False, time=time)

    def disagreements(self, *, time: str = BUILD_TIME) -> list:
        return [p for p in self.build(time=time).problems if p.code == "PIM501"]


@pytest.fixture
def one_voice(tmp_path: Path) -> OneVoiceProject:
    project = OneVoiceProject(write_tiny_project(tmp_path / "project").root)
    for relpath, text in MAPPINGS.items():
        project.write(relpath, text)
    return project
