"""`pim fmt`: one canonical form for catalog files (key order, identifier quoting, indentation), comments kept."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from pim.fmt import format_catalog

from .conftest import REPO, pim

PRODUCT = "catalog/products/TS-1.yaml"

# Keys out of model order, identifiers quoted the wrong way, four-space indentation, comments everywhere.
MESSY = """\
# yaml-language-server: $schema=../schemas/product.schema.json
# Our best seller.
name: {en-US: Tee, fr-FR: T-shirt}   # keep it short
id: 'TS-1'
status: active
family: apparel
price:
    USD: "25.00"    # list price
    EUR: "23.00"
variants:
    # black first: it sells best
    - {stock: 3, color: black, sku: TS-1-BLK, gtin: '4006381333931'}
    -   sku: "TS-1-WHT"
        color: white
        gtin: "4012345678901"
"""

# Comments keep their column: ruamel places them where the author did.
CANONICAL = """\
# yaml-language-server: $schema=../schemas/product.schema.json
# Our best seller.
id: TS-1
family: apparel
status: active
name: {en-US: Tee, fr-FR: T-shirt}   # keep it short
price:
  USD: "25.00"      # list price
  EUR: "23.00"
variants:
    # black first: it sells best
  - {sku: TS-1-BLK, color: black, gtin: "4006381333931", stock: 3}
  - sku: TS-1-WHT
    color: white
    gtin: "4012345678901"
"""


def project(tmp_path: Path, files: dict[str, str]) -> Path:
    for relpath, text in files.items():
        (tmp_path / relpath).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relpath).write_text(textwrap.dedent(text), encoding="utf-8")
    (tmp_path / "catalog").mkdir(exist_ok=True)
    return tmp_path


def test_fmt_orders_keys_quotes_identifiers_and_keeps_comments(tmp_path: Path):
    root = project(tmp_path, {PRODUCT: MESSY})
    done = pim("fmt", "--project", root)
    assert done.exit_code == 0, done.output
    assert done.output == f"formatted {PRODUCT}\n1 formatted, 0 unchanged.\n"
    assert (root / PRODUCT).read_text() == CANONICAL


def test_a_variant_keeps_its_axis_values_where_the_author_put_them(tmp_path: Path):
    # Only the slots of record fields are reordered: `color` stays third, between the fields around it.
    root = project(tmp_path, {PRODUCT: MESSY})
    format_catalog(root)
    assert "- {sku: TS-1-BLK, color: black, gtin:" in (root / PRODUCT).read_text()


def test_formatting_twice_changes_nothing(tmp_path: Path):
    root = project(tmp_path, {PRODUCT: MESSY})
    format_catalog(root)
    once = (root / PRODUCT).read_bytes()
    second = format_catalog(root)
    assert second.changed == [] and not second.written
    assert (root / PRODUCT).read_bytes() == once


def test_check_exits_1_and_points_at_the_first_line_to_change_without_writing(tmp_path: Path):
    root = project(tmp_path, {PRODUCT: MESSY})
    done = pim("fmt", "--check", "--project", root, "--format", "github")
    assert done.exit_code == 1
    assert done.output == f"::error file={PRODUCT},line=3,col=1,title=PIM901::the file is not in canonical form (key order, identifier quoting, indentation): run `pim fmt`\n"
    assert (root / PRODUCT).read_text() == MESSY


def test_check_exits_0_on_a_canonical_catalog(tmp_path: Path):
    root = project(tmp_path, {PRODUCT: CANONICAL})
    done = pim("fmt", "--check", "--project", root)
    assert (done.exit_code, done.output) == (0, "1 files already in canonical form.\n")


def test_check_can_show_the_change_as_a_diff(tmp_path: Path):
    root = project(tmp_path, {PRODUCT: MESSY})
    done = pim("fmt", "--check", "--diff", "--project", root)
    assert f"--- a/{PRODUCT}" in done.output and "-id: 'TS-1'" in done.output and "+id: TS-1" in done.output


@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        ("sku: 'TS-1-BLK'", "sku: TS-1-BLK"),  # reads back as the same string: plain
        ("gtin: '4006381333931'", 'gtin: "4006381333931"'),  # digits would read as a number: double quotes
        ("sku: 'true'", 'sku: "true"'),
        ("sku: '2026-01-05'", 'sku: "2026-01-05"'),  # ruamel would read a date
        ("sku: '0x1F'", 'sku: "0x1F"'),  # ruamel would read a hexadecimal number
        ("sku: 'A B'", "sku: A B"),
        ("sku: 'A: B'", 'sku: "A: B"'),
        ("gtin: 4006381333931", "gtin: 4006381333931"),  # a number: validate reports PIM105, fmt guesses nothing
    ],
)
def test_identifiers_are_plain_when_they_read_back_the_same_and_double_quoted_otherwise(tmp_path: Path, written: str, canonical: str):
    root = project(tmp_path, {PRODUCT: f"id: TS-1\nvariants:\n  - {written}\n"})
    format_catalog(root)
    assert (root / PRODUCT).read_text() == f"id: TS-1\nvariants:\n  - {canonical}\n"


def test_other_strings_keep_their_quotes(tmp_path: Path):
    text = "id: TS-1\nbrand: 'Example'\nname: {en-US: \"Tee\"}\nprice: {USD: '25.00'}\n"
    root = project(tmp_path, {PRODUCT: text})
    assert format_catalog(root).changed == []


def test_records_inside_user_keyed_mappings_are_ordered_too(tmp_path: Path):
    settings = """\
        markets:
          US: {currency: USD, locale: en-US, country: US}   # the home market
        locales:
          en-US: {}
        """
    root = project(tmp_path, {"catalog/settings.yaml": settings})
    format_catalog(root)
    assert (root / "catalog/settings.yaml").read_text() == "locales:\n  en-US: {}\nmarkets:\n  US: {country: US, locale: en-US, currency: USD}   # the home market\n"


def test_attribute_definitions_put_localizable_after_type_as_the_docs_write_them(tmp_path: Path):
    attributes = """\
        care:
          label: {en-US: Care}
          max_length: 500
          localizable: true
          type: text
        """
    root = project(tmp_path, {"catalog/attributes.yaml": attributes})
    format_catalog(root)
    assert (root / "catalog/attributes.yaml").read_text() == "care:\n  type: text\n  localizable: true\n  label: {en-US: Care}\n  max_length: 500\n"


def test_a_file_that_does_not_parse_is_reported_and_nothing_is_written(tmp_path: Path):
    broken = "catalog/products/TS-2.yaml"
    root = project(tmp_path, {PRODUCT: MESSY, broken: "id: TS-2\nname: {en-US: Tee\n"})
    done = pim("fmt", "--project", root)
    assert done.exit_code == 1
    assert done.output.startswith(f"{broken}\n") and "PIM001" in done.output and "pim fmt leaves the file as it is" in done.output
    assert (root / PRODUCT).read_text() == MESSY  # all or nothing, as a build


def test_named_files_are_the_only_ones_formatted(tmp_path: Path):
    other = "catalog/products/TS-2.yaml"
    root = project(tmp_path, {PRODUCT: MESSY, other: MESSY.replace("TS-1", "TS-2")})
    done = pim("fmt", root / PRODUCT, "mappings/google.yaml", "--project", root)
    assert done.exit_code == 0, done.output
    assert (root / PRODUCT).read_text() == CANONICAL
    assert (root / other).read_text() == MESSY.replace("TS-1", "TS-2")


def test_a_rewritten_file_keeps_its_mode(tmp_path: Path):
    root = project(tmp_path, {PRODUCT: MESSY})
    (root / PRODUCT).chmod(0o640)
    format_catalog(root)
    assert (root / PRODUCT).stat().st_mode & 0o777 == 0o640


def test_fmt_outside_a_project_cannot_run(tmp_path: Path):
    done = pim("fmt", "--project", tmp_path)
    assert done.exit_code == 2 and "no catalog/ folder" in done.output


def test_the_demo_catalog_is_in_canonical_form():
    result = format_catalog(REPO, write=False)
    assert len(result.files) > 40
    assert result.check_problems() == []
