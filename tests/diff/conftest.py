"""A tiny catalog project committed in a temporary git repository, to change one thing and diff it.

Two mugs (MG-1 in white and navy, MG-2 in red), two markets (US in en-US/USD, FR in fr-FR/EUR), a
Google mapping for both markets and a product-level headless mapping for the US only.
"""

from __future__ import annotations

import subprocess
import textwrap
from pathlib import Path

import pytest

from pim.diff import FeedDiff, diff_sources, open_side

FILES: dict[str, str] = {
    "catalog/settings.yaml": """
        locales:
          en-US: {}
          fr-FR: {fallback: en-US}
        currencies: [USD, EUR]
        markets:
          US: {country: US, locale: en-US, currency: USD}
          FR: {country: FR, locale: fr-FR, currency: EUR}
        shop:
          name: Mini Shop
          url: https://shop.example.com
    """,
    "catalog/attributes.yaml": """
        color:
          type: enum
          label: {en-US: Color, fr-FR: Couleur}
          options:
            white: {en-US: White, fr-FR: Blanc}
            navy: {en-US: Navy, fr-FR: Marine}
            red: {en-US: Red, fr-FR: Rouge}
        material:
          type: enum
          label: {en-US: Material, fr-FR: Matière}
          options:
            stoneware: {en-US: Stoneware, fr-FR: Grès}
    """,
    "catalog/categories.yaml": """
        home:
          label: {en-US: Home, fr-FR: Maison}
          google: 536
          children:
            mugs:
              label: {en-US: Mugs, fr-FR: Mugs}
              google: 2169
    """,
    "catalog/families/mugs.yaml": """
        label: {en-US: Mugs, fr-FR: Mugs}
        attributes: [material]
        variant_axes: [color]
        required:
          all: [name, description, brand, images, categories]
    """,
    "catalog/products/MG-1.yaml": """
        id: MG-1
        family: mugs
        status: active
        brand: Hearth
        condition: new
        categories: [home/mugs]
        name: {en-US: Camp Mug, fr-FR: Mug de camp}
        description: {en-US: A sturdy mug., fr-FR: Un mug solide.}
        attributes: {material: stoneware}
        price: {USD: "18.00", EUR: "17.00"}
        images:
          - src: https://cdn.example.com/mg-1.jpg
        variants:
          - {sku: MG-1-WHT, gtin: "850031600003", color: white, stock: 5}
          - {sku: MG-1-NVY, gtin: "850031600010", color: navy, stock: 3}
    """,
    "catalog/products/MG-2.yaml": """
        id: MG-2
        family: mugs
        status: active
        brand: Hearth
        condition: new
        categories: [home/mugs]
        name: {en-US: Tall Mug, fr-FR: Grand mug}
        description: {en-US: A tall mug., fr-FR: Un grand mug.}
        price: {USD: "22.00", EUR: "20.00"}
        images:
          - src: https://cdn.example.com/mg-2.jpg
        variants:
          - {sku: MG-2-RED, gtin: "850031600027", color: red, stock: 7}
    """,
    "mappings/google.yaml": """
        channel: google-merchant
        format: google-rss
        markets: [US, FR]
        include: product.status == "active"
        fields:
          id: variant.sku
          item_group_id: product.id
          title: product.name
          description: product.description
          link: variant.url
          image_link: item.images[0].url
          availability: variant.availability
          price: item.price | money
          brand: product.brand
          gtin: variant.gtin
          condition: product.condition
          color: variant.color
    """,
    "mappings/headless.yaml": """
        channel: headless
        format: headless-json
        markets: [US]
        item: product
        fields:
          id: product.id
          name: product.name
          url: product.url
          price: product.price | amount
    """,
}


class Project:
    """The tiny project in a git repository: edit the working tree, commit, and diff any two sides."""

    def __init__(self, root: Path):
        self.root = root

    def git(self, *args: str) -> str:
        done = subprocess.run(["git", "-c", "commit.gpgsign=false", *args], cwd=self.root, capture_output=True, text=True, check=True)
        return done.stdout.strip()

    def write(self, relpath: str, text: str) -> None:
        path = self.root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")

    def replace(self, relpath: str, old: str, new: str) -> None:
        text = (self.root / relpath).read_text(encoding="utf-8")
        assert text.count(old) == 1, f"{old!r} is not once in {relpath}"
        (self.root / relpath).write_text(text.replace(old, new), encoding="utf-8")

    def delete(self, relpath: str) -> None:
        (self.root / relpath).unlink()

    def commit(self, message: str = "change") -> str:
        self.git("add", "-A")
        self.git("commit", "-q", "-m", message)
        return self.git("rev-parse", "HEAD")

    def diff(self, old: str | None = "HEAD", new: str | None = None, **options) -> FeedDiff:
        return diff_sources(open_side(self.root, old), open_side(self.root, new), **options)


@pytest.fixture
def project(tmp_path: Path) -> Project:
    tiny = Project(tmp_path / "shop")
    tiny.root.mkdir()
    tiny.git("init", "-q")
    tiny.git("config", "user.email", "test@example.com")
    tiny.git("config", "user.name", "Test")
    for relpath, text in FILES.items():
        tiny.write(relpath, text)
    tiny.commit("tiny catalog")
    return tiny
