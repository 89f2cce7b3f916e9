"""Shopify product CSVs read as data: what a product export says, to compare an import with its feed."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path


@dataclass
class ExportedVariant:
    sku: str
    options: tuple[str, ...]
    price: Decimal
    compare_at: Decimal | None
    image: str


@dataclass
class ExportedProduct:
    handle: str
    option_names: tuple[str, ...]
    variants: list[ExportedVariant] = field(default_factory=list)
    images: list[tuple[str, int]] = field(default_factory=list)  # (src, position), in display order


def read_export(text: str) -> dict[str, ExportedProduct]:
    """Products by handle. Images without a position take their place in the file, as Shopify does."""
    products: dict[str, ExportedProduct] = {}
    unordered: dict[str, list[tuple[float, int, str]]] = {}
    for order, row in enumerate(csv.DictReader(io.StringIO(text, newline=""))):
        handle = row["Handle"]
        if handle not in products:
            names = tuple(row[f"Option{n} Name"] for n in (1, 2, 3) if row.get(f"Option{n} Name"))
            products[handle] = ExportedProduct(handle, () if names == ("Title",) else names)
        product = products[handle]
        if row["Image Src"]:
            position = float(row["Image Position"]) if row["Image Position"] else float("inf")
            unordered.setdefault(handle, []).append((position, order, row["Image Src"]))
        if row["Variant Price"]:
            options = tuple(row[f"Option{n} Value"] for n in range(1, len(product.option_names) + 1))
            compare = Decimal(row["Variant Compare At Price"]) if row["Variant Compare At Price"] else None
            product.variants.append(ExportedVariant(row["Variant SKU"], options, Decimal(row["Variant Price"]), compare, row.get("Variant Image", "")))
    for handle, images in unordered.items():
        srcs = list(dict.fromkeys(src for _, _, src in sorted(images)))
        products[handle].images = [(src, position) for position, src in enumerate(srcs, 1)]
    return products


def read_export_file(path: Path) -> dict[str, ExportedProduct]:
    return read_export(path.read_text(encoding="utf-8"))
