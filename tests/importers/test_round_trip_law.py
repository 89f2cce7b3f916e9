"""The law behind the issue, for exports hypothesis makes up: import, build, and the products come back."""

from __future__ import annotations

import csv
import io
import tempfile
from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.importers.conftest import Shop, errors
from tests.importers.shopify_rows import read_export

HEADER = ["Handle", "Title", "Option1 Name", "Option1 Value", "Option2 Name", "Option2 Value", "Option3 Name", "Option3 Value",
          "Variant SKU", "Variant Price", "Variant Compare At Price", "Image Src", "Image Position"]  # fmt: skip
OPTION_NAMES = ["Size", "Color", "Material", "Fit"]
VALUES = ["S", "M", "L", "Red", "Navy Blue", "Ünïcode", "10", "Yes"]

cents = st.integers(min_value=1, max_value=99_999_99).map(lambda c: Decimal(c) / 100)


@st.composite
def products(draw, handle: str):
    names = draw(st.lists(st.sampled_from(OPTION_NAMES), max_size=3, unique=True))
    combos = draw(st.lists(st.tuples(*[st.sampled_from(VALUES) for _ in names]), min_size=1, max_size=4, unique=True))
    images = draw(st.lists(st.integers(0, 99), max_size=4, unique=True))
    rows = []
    for index, values in enumerate(combos):
        price = draw(cents)
        compare = draw(st.none() | st.integers(1, 5000).map(lambda c: price + Decimal(c) / 100))
        options = [(name if index == 0 else "", value) for name, value in zip(names, values)] or [("Title" if index == 0 else "", "Default Title")]
        options += [("", "")] * (3 - len(options))
        rows.append([handle, handle.title() if index == 0 else "", *[cell for pair in options for cell in pair],
                     f"{handle}-{index}".upper(), str(price), str(compare or "")])  # fmt: skip
    if not names:
        rows = rows[:1]
    for position, image in enumerate(images, 1):
        cells = [f"https://cdn.example.com/{handle}/{image}.jpg", str(position)]
        if position <= len(rows):
            rows[position - 1] += cells
        else:
            rows.append([handle] + [""] * 10 + cells)
    return rows


@st.composite
def exports(draw) -> str:
    handles = draw(st.lists(st.from_regex(r"[a-z][a-z0-9-]{0,8}", fullmatch=True), min_size=1, max_size=3, unique=True))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    for handle in handles:
        writer.writerows(row + [""] * (len(HEADER) - len(row)) for row in draw(products(handle)))
    return out.getvalue()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(exports())
def test_an_export_builds_back_to_itself(export: str):
    with tempfile.TemporaryDirectory() as folder:
        shop = Shop(Path(folder))
        result = shop.import_shopify(export)
        assert errors(result.problems) == []
        assert errors(shop.validate()) == []
        assert read_export(shop.build_shopify()) == read_export(export)
