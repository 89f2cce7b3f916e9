"""Laws over generated products: every valid product passes, and one corrupted field is one located problem.

The strategies are written by hand from docs/catalog-format.md (Hypothesis cannot derive them from
the constrained pydantic models): ids like `AB-123`, names in Unicode letters per locale, prices with
two decimals, 1-4 variants with distinct color/size combinations and GTINs of 8, 12, 13 or 14 digits
whose check digit comes from `pim.gtin.check_digit`.

Products are written with two YAML writers. ruamel.yaml writes YAML 1.2, as pim reads it. PyYAML's
`safe_dump` writes YAML 1.1, which leaves `00012345678905` unquoted (to a 1.1 reader it cannot be a
number), so a 1.2 reader sees a number: pim then reports PIM105, as the format says
(`test_yaml_1_1_writers_leave_leading_zero_gtins_unquoted`). The PyYAML writer used in the laws is
therefore `safe_dump` with YAML 1.2's number patterns added, so it quotes what a 1.2 reader would
take for a number.
"""

from __future__ import annotations

import io
import json
import re
from typing import Any, Callable

import jsonschema
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from pim.gtin import check_digit
from pim.schema import catalog_schemas

from .conftest import JACKET, TinyProject, describe

# The tiny catalog's vocabulary (tests/core/conftest.py).
COLORS = ("black", "navy")
SIZES = ("S", "M", "L")
MATERIALS = ("recycled-nylon", "wool")
GENDERS = ("female", "male", "unisex")
CURRENCIES = ("USD", "EUR")
IMAGE = "images/TJ-100-front.svg"

# Every example rewrites the products folder of the one project the test was given.
LAW = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


# --- writers ------------------------------------------------------------------------------------


class Yaml12SafeDumper(yaml.SafeDumper):
    """PyYAML's safe dumper, also quoting strings that YAML 1.2 core would read as numbers or booleans."""


for _tag, _pattern, _first in (
    ("tag:yaml.org,2002:int", r"^[-+]?[0-9]+$", "-+0123456789"),
    ("tag:yaml.org,2002:float", r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$", "-+0123456789."),
):
    Yaml12SafeDumper.add_implicit_resolver(_tag, re.compile(_pattern), list(_first))


def pyyaml_dump(data: dict) -> str:
    return yaml.dump(data, Dumper=Yaml12SafeDumper, allow_unicode=True, default_flow_style=False, sort_keys=False)


def ruamel_dump(data: dict) -> str:
    out = io.StringIO()
    YAML(typ="rt").dump(data, out)
    return out.getvalue()


WRITERS: dict[str, Callable[[dict], str]] = {"pyyaml": pyyaml_dump, "ruamel": ruamel_dump}


# --- strategies ---------------------------------------------------------------------------------

words = st.text(alphabet=st.characters(categories=("L",)), min_size=1, max_size=10)
texts = st.lists(words, min_size=1, max_size=4).map(" ".join)
localized = st.fixed_dictionaries({"en-US": texts}, optional={"fr-FR": texts})
product_ids = st.from_regex(r"[A-Z]{2}-[0-9]{3}", fullmatch=True)


def amount(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


@st.composite
def gtins(draw) -> str:
    length = draw(st.sampled_from((8, 12, 13, 14)))
    body = draw(st.text(alphabet="0123456789", min_size=length - 1, max_size=length - 1).filter(lambda b: set(b) != {"0"}))
    return body + check_digit(body)


@st.composite
def products(draw) -> dict[str, Any]:
    pid = draw(product_ids)
    combos = draw(st.lists(st.tuples(st.sampled_from(COLORS), st.sampled_from(SIZES)), min_size=1, max_size=4, unique=True))
    codes = draw(st.lists(gtins(), min_size=len(combos), max_size=len(combos), unique_by=lambda g: g.zfill(14)))
    prices = {currency: draw(st.integers(min_value=200, max_value=999_999)) for currency in CURRENCIES}

    product: dict[str, Any] = {"id": pid, "family": "apparel", "status": draw(st.sampled_from(("draft", "active", "archived")))}
    if draw(st.booleans()):
        product["brand"] = draw(words)
    product["categories"] = draw(st.lists(st.sampled_from(("apparel", "apparel/jackets")), unique=True, max_size=2))
    product["name"] = draw(localized)
    if draw(st.booleans()):
        product["description"] = draw(localized)
    attributes: dict[str, Any] = {"material": draw(st.sampled_from(MATERIALS))}
    if draw(st.booleans()):
        attributes["gender"] = draw(st.sampled_from(GENDERS))
    if draw(st.booleans()):
        attributes["weight"] = f"{draw(st.integers(min_value=0, max_value=5000))} {draw(st.sampled_from(('g', 'kg')))}"
    if draw(st.booleans()):
        attributes["care"] = draw(st.one_of(st.just("@content/care/machine-wash"), localized))
    product["attributes"] = attributes
    product["price"] = {currency: amount(cents) for currency, cents in prices.items()}
    if draw(st.booleans()):
        product["sale"] = {"price": {c: amount(draw(st.integers(min_value=1, max_value=cents - 1))) for c, cents in prices.items()}}
    if draw(st.booleans()):
        product["images"] = [{"src": IMAGE, "alt": draw(localized)}]
    product["variants"] = [
        {"sku": f"{pid}-{color}-{size}", "gtin": code, "color": color, "size": size, "stock": draw(st.integers(min_value=0, max_value=500))}
        for (color, size), code in zip(combos, codes)
    ]
    return product


# --- corruptions: one field made wrong, the code it gives, and the text that marks its line ------


def _wrong_check_digit(product: dict, draw) -> tuple[str, str]:
    variant = draw(st.sampled_from(product["variants"]))
    gtin = variant["gtin"]
    variant["gtin"] = gtin[:-1] + str((int(gtin[-1]) + 1) % 10)
    return "PIM223", variant["gtin"]


def _price_not_a_number(product: dict, draw) -> tuple[str, str]:
    currency = draw(st.sampled_from(CURRENCIES))
    product["price"][currency] = "abc"
    return "PIM107", f"{currency}: abc"


def _unknown_enum_option(product: dict, draw) -> tuple[str, str]:
    if draw(st.booleans()):
        product["attributes"]["material"] = "not-an-option"
    else:
        draw(st.sampled_from(product["variants"]))["color"] = "not-an-option"
    return "PIM203", "not-an-option"


def _unknown_currency(product: dict, draw) -> tuple[str, str]:
    currency = draw(st.sampled_from(("GBP", "JPY", "CHF", "usd")))
    product["price"][currency] = "10.00"
    return "PIM207", f"{currency}:"


CORRUPTIONS = {
    "gtin-check-digit": _wrong_check_digit,
    "price-abc": _price_not_a_number,
    "enum-option": _unknown_enum_option,
    "currency": _unknown_currency,
}


def line_containing(text: str, needle: str) -> int:
    hits = [number for number, line in enumerate(text.splitlines(), start=1) if needle in line]
    assert len(hits) == 1, f"{needle!r} is on lines {hits} of:\n{text}"
    return hits[0]


def write_product(tiny: TinyProject, product: dict, text: str) -> str:
    """Make `product` the catalog's only product and return its path."""
    for old in (tiny.root / "catalog/products").glob("*.yaml"):
        old.unlink()
    relpath = f"catalog/products/{product['id']}.yaml"
    tiny.write(relpath, text.encode("utf-8"))
    return relpath


# --- laws -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("writer", list(WRITERS))
@LAW
@given(product=products())
def test_every_generated_valid_product_passes(tiny: TinyProject, writer: str, product: dict):
    text = WRITERS[writer](product)
    write_product(tiny, product, text)
    problems = tiny.validate()
    assert problems == [], "\n".join(describe(p) for p in problems) + "\n---\n" + text


@pytest.mark.parametrize("writer", list(WRITERS))
@pytest.mark.parametrize("corruption", list(CORRUPTIONS))
@LAW
@given(product=products(), data=st.data())
def test_one_corrupted_field_is_one_problem_on_its_line(tiny: TinyProject, writer: str, corruption: str, product: dict, data):
    code, needle = CORRUPTIONS[corruption](product, data.draw)
    text = WRITERS[writer](product)
    relpath = write_product(tiny, product, text)
    problems = tiny.validate()
    assert [(p.code, p.location.path, p.location.line) for p in problems] == [(code, relpath, line_containing(text, needle))], (
        "\n".join(describe(p) for p in problems) + "\n---\n" + text
    )


@LAW
@given(product=products())
def test_every_generated_valid_product_satisfies_the_json_schema(tiny: TinyProject, product: dict):
    schema = json.loads(catalog_schemas()["product.schema.json"])
    jsonschema.Draft202012Validator(schema).validate(product)


def test_yaml_1_1_writers_leave_leading_zero_gtins_unquoted(tiny: TinyProject):
    """Why the laws quote numbers-looking text: plain `yaml.safe_dump` writes YAML 1.1 and pim reads 1.2."""
    text = yaml.safe_dump({"gtin": "00012345678905"})
    assert text == "gtin: 00012345678905\n"
    tiny.replace(JACKET, 'gtin: "00012345678905"', text.strip())
    problem = tiny.the_problem()
    assert problem.code == "PIM105"
    assert pyyaml_dump({"gtin": "00012345678905"}) == "gtin: '00012345678905'\n"
    assert ruamel_dump({"gtin": "00012345678905"}) == "gtin: '00012345678905'\n"
