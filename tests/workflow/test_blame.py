"""`pim blame`: who last changed each value of a product, per locale and per variant, from git history."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pim.blame import blame_product

from .conftest import Repository, pim

PRODUCT = "catalog/products/MG-1.yaml"
FIRST = """\
id: MG-1
family: mugs
status: active
name: {en-US: Camp Mug, fr-FR: Mug de camp}
description:
  en-US: >-
    A sturdy enamel mug
    for camp coffee.
price: {USD: "18.00", EUR: "17.00"}
attributes:
  features: [enamel, stackable]
variants:
  - {sku: MG-1-WHT, color: white, stock: 5}
  - sku: MG-1-NVY
    color: navy
    stock: 3
"""


@pytest.fixture
def history(tmp_path: Path) -> Repository:
    """Ana writes the product in January; Ben changes the French name, the navy stock and the
    second line of the description in March (in his own time zone)."""
    repo = Repository(tmp_path)
    repo.write(PRODUCT, FIRST)
    repo.git("init", "-q")
    repo.commit_all("Add the camp mug", author="Ana Lima", date="2026-01-05T10:00:00+01:00")
    repo.replace(PRODUCT, "fr-FR: Mug de camp}", "fr-FR: Tasse de camp}")
    repo.replace(PRODUCT, "    stock: 3", "    stock: 40")
    repo.replace(PRODUCT, "    for camp coffee.", "    for camp coffee and stew.")
    repo.commit_all("Restock navy, French name", author="Ben Okafor", date="2026-03-09T16:30:00-05:00")
    return repo


def origins(repo: Repository, *fields: str) -> dict[str, tuple[str, str, str]]:
    blame = blame_product(repo.root, "MG-1", list(fields) or None)
    return {v.path: (v.author, v.date, v.value) for v in blame.values}


def test_each_value_names_who_last_changed_it(history: Repository):
    found = origins(history)
    ana, ben = ("Ana Lima", "2026-01-05T10:00:00+01:00"), ("Ben Okafor", "2026-03-09T16:30:00-05:00")
    assert found["name.en-US"] == (*ana, "Camp Mug")
    assert found["name.fr-FR"] == (*ben, "Tasse de camp")
    assert found["price.USD"] == (*ana, "18.00")
    assert found["variants[MG-1-WHT].stock"] == (*ana, "5")
    assert found["variants[MG-1-NVY].stock"] == (*ben, "40")
    assert found["variants[MG-1-NVY].color"] == (*ana, "navy")


def test_a_value_on_several_lines_was_changed_by_whoever_changed_any_of_them(history: Repository):
    assert origins(history)["description.en-US"][0] == "Ben Okafor"


def test_a_list_of_plain_values_is_one_value(history: Repository):
    assert origins(history, "attributes.features") == {"attributes.features": ("Ana Lima", "2026-01-05T10:00:00+01:00", "enamel, stackable")}


def test_a_field_filter_names_a_path_a_prefix_or_a_variant_field(history: Repository):
    assert list(origins(history, "name")) == ["name.en-US", "name.fr-FR"]
    assert list(origins(history, "name.fr-FR")) == ["name.fr-FR"]
    assert list(origins(history, "stock")) == ["variants[MG-1-WHT].stock", "variants[MG-1-NVY].stock"]
    assert list(origins(history, "variants[MG-1-NVY]")) == ["variants[MG-1-NVY].sku", "variants[MG-1-NVY].color", "variants[MG-1-NVY].stock"]


def test_a_change_not_yet_committed_says_so(history: Repository):
    history.replace(PRODUCT, 'price: {USD: "18.00"', 'price: {USD: "19.00"')
    blame = blame_product(history.root, "MG-1", ["price.USD"])
    assert [(v.commit, v.value) for v in blame.values] == [("uncommitted", "19.00")]


def test_human_output_lines_up_path_commit_author_date_and_value(history: Repository):
    done = pim("blame", "MG-1", "name", "--project", history.root)
    assert done.exit_code == 0, done.output
    ana = history.git("rev-parse", "--short=8", "HEAD~1")
    ben = history.git("rev-parse", "--short=8", "HEAD")
    assert done.output == (
        f"MG-1 ({PRODUCT})\n"
        f"name.en-US  {ana:<11}  Ana Lima    2026-01-05  Camp Mug\n"
        f"name.fr-FR  {ben:<11}  Ben Okafor  2026-03-09  Tasse de camp\n"
    )


def test_json_output_gives_the_full_commit_summary_and_author_date(history: Repository):
    done = pim("blame", "MG-1", "variants[MG-1-NVY].stock", "--project", history.root, "--format", "json")
    assert json.loads(done.output) == {
        "product": "MG-1",
        "file": PRODUCT,
        "values": [
            {
                "path": "variants[MG-1-NVY].stock",
                "value": "40",
                "line": 16,
                "commit": history.git("rev-parse", "--short=8", "HEAD"),
                "author": "Ben Okafor",
                "date": "2026-03-09T16:30:00-05:00",
                "summary": "Restock navy, French name",
            }
        ],
    }


def test_an_unknown_product_cannot_be_blamed(history: Repository):
    done = pim("blame", "NOPE-1", "--project", history.root)
    assert done.exit_code == 2 and "no product NOPE-1" in done.output


def test_a_product_outside_git_cannot_be_blamed(tmp_path: Path):
    Repository(tmp_path).write(PRODUCT, FIRST)
    done = pim("blame", "MG-1", "--project", tmp_path)
    assert done.exit_code == 2 and "git blame" in done.output


def test_a_product_file_that_does_not_parse_is_located(history: Repository):
    history.write(PRODUCT, "id: MG-1\nname: {en-US: Mug\n")
    done = pim("blame", "MG-1", "--project", history.root)
    assert done.exit_code == 2 and f"{PRODUCT}:" in done.output and "fix the YAML" in done.output


def test_a_commit_that_only_reformats_or_reorders_does_not_take_the_blame(history: Repository):
    # Cleo swaps the two variants and rewrites the white one in block style: no value changes.
    history.replace(PRODUCT, "  - {sku: MG-1-WHT, color: white, stock: 5}\n", "")
    history.write(PRODUCT, history.read(PRODUCT) + "  - sku: MG-1-WHT\n    color: white\n    stock: 5\n")
    history.commit_all("Tidy the variants", author="Cleo Marsh", date="2026-04-01T09:00:00+00:00")
    found = origins(history, "variants")
    assert found["variants[MG-1-WHT].stock"][0] == "Ana Lima"
    assert found["variants[MG-1-NVY].stock"][0] == "Ben Okafor"


def test_a_value_lies_on_its_line_and_the_lines_indented_past_its_key():
    from pim.blame import product_values, value_lines
    from pim.yamlfile import SourceMap, parse

    text = FIRST + "categories:\n  - mugs\n  - camping\n"
    lines = text.splitlines()
    spans = {name: value_lines(SourceMap(text), lines, path, value) for path, name, value in product_values(parse(text))}
    assert spans["description.en-US"] == [6, 7, 8]
    assert spans["variants[MG-1-WHT].stock"] == [13]
    assert (spans["variants[MG-1-NVY].sku"], spans["variants[MG-1-NVY].color"]) == ([14], [15])
    assert spans["categories"] == [18, 19]
