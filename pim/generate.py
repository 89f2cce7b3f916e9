"""A generated catalog of any size, for benchmarks and scale tests: the demo project, multiplied.

Every generated product is one of the demo's products (its family, attributes, categories, images
and content references) under a new id, with 3-6 variants, fresh SKUs and valid GTINs, prices that
vary, and longer descriptions (about 3 KB per file). The result validates clean and exercises every
channel, because every field a mapping reads is present as it is in the demo.
"""

from __future__ import annotations

import copy
import random
import shutil
from decimal import Decimal
from pathlib import Path

import yaml

from pim.gtin import check_digit

DEMO = Path(__file__).resolve().parent.parent  # the repository holding the demo catalog
_SCHEMA_LINE = "# yaml-language-server: $schema=../schemas/product.schema.json\n"
_FILLER = {
    "en-US": "Made to last through seasons of use, checked by hand before it leaves the workshop, and backed by our repair service.",
    "fr-FR": "Conçu pour durer des saisons, vérifié à la main avant de quitter l'atelier et couvert par notre service de réparation.",
}


def generate_project(target: Path, products: int, *, seed: int = 7, demo: Path = DEMO) -> Path:
    """Write a project with `products` product files into `target` (created, must not hold a catalog)."""
    target.mkdir(parents=True, exist_ok=True)
    if (target / "catalog").exists():
        raise FileExistsError(f"{target}/catalog already exists")
    _copy_project_files(demo, target)
    templates = _templates(demo)
    rng = random.Random(seed)
    folder = target / "catalog" / "products"
    for number in range(products):
        template = templates[number % len(templates)]
        product = _product(template, number, rng)
        text = _SCHEMA_LINE + yaml.dump(product, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
        (folder / f"{product['id']}.yaml").write_text(text, encoding="utf-8")
    return target


def _copy_project_files(demo: Path, target: Path) -> None:
    """Everything but the demo's products; the taxonomy path is made absolute so it resolves from anywhere."""
    shutil.copytree(demo / "catalog", target / "catalog", ignore=shutil.ignore_patterns("products"))
    (target / "catalog" / "products").mkdir()
    shutil.copytree(demo / "mappings", target / "mappings")
    settings = target / "catalog" / "settings.yaml"
    lines = []
    for line in settings.read_text(encoding="utf-8").splitlines():
        if line.startswith("google_taxonomy:"):
            relative = line.split(":", 1)[1].split("#", 1)[0].strip()
            line = f"google_taxonomy: {(demo / relative).resolve()}"
        lines.append(line)
    settings.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _templates(demo: Path) -> list[dict]:
    templates = []
    for path in sorted((demo / "catalog" / "products").glob("*.yaml")):
        product = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
        templates.append(product)
    return templates


def _product(template: dict, number: int, rng: random.Random) -> dict:
    product = copy.deepcopy(template)
    product_id = f"{template['id']}-{number:06d}"
    product["id"] = product_id
    product["name"] = {locale: f"{name} {number}" for locale, name in product["name"].items()}
    if "description" in product:
        product["description"] = {locale: f"{text} {_FILLER.get(locale, _FILLER['en-US'])} {_FILLER.get(locale, _FILLER['en-US'])}" for locale, text in product["description"].items()}
    factor = Decimal(rng.randint(80, 130)) / 100
    product["price"] = {currency: _scale(amount, factor) for currency, amount in product["price"].items()}
    if "sale" in product:
        product["sale"]["price"] = {currency: _scale(amount, factor) for currency, amount in product["sale"]["price"].items()}
    variants = product.get("variants") or []
    if variants:
        keep = min(len(variants), rng.randint(3, 6))
        start = rng.randrange(len(variants) - keep + 1)
        product["variants"] = [_variant(v, template["id"], product_id, number, index, rng) for index, v in enumerate(variants[start : start + keep])]
    return product


def _variant(variant: dict, old_id: str, product_id: str, number: int, index: int, rng: random.Random) -> dict:
    variant = dict(variant)
    variant["sku"] = variant["sku"].replace(old_id, product_id, 1)
    if "gtin" in variant:
        body = f"379{number:08d}{index}"  # a French GS1 prefix, as in the demo
        variant["gtin"] = body + str(check_digit(body))
    if "stock" in variant:
        variant["stock"] = rng.randint(0, 40)
    return variant


def _scale(amount: str, factor: Decimal) -> str:
    return str((Decimal(amount) * factor).quantize(Decimal("0.01")))


class _Dumper(yaml.CSafeDumper):
    """libyaml's emitter; strings that a YAML 1.2 reader would take for numbers or booleans are quoted by
    PyYAML's (YAML 1.1) resolver, which is stricter, so identifiers stay strings."""
