"""pim.taxonomy against Google's taxonomy file in ../shared (never copied into the repo)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pim.taxonomy import TaxonomyError, is_within, load_taxonomy, parse_category_path, parse_taxonomy

TAXONOMY_FILE = Path(__file__).resolve().parents[3] / "shared/data/google/taxonomy-with-ids.en-US.txt"


@pytest.fixture(scope="module")
def taxonomy():
    if not TAXONOMY_FILE.exists():
        pytest.skip(f"{TAXONOMY_FILE} is not here")
    return load_taxonomy(TAXONOMY_FILE)


def test_reads_every_category(taxonomy):
    assert len(taxonomy) == 5595  # channels.md §8
    assert taxonomy[166] == ("Apparel & Accessories",)
    assert taxonomy[5598] == ("Apparel & Accessories", "Clothing", "Outerwear", "Coats & Jackets")
    assert sum(1 for path in taxonomy.values() if len(path) == 1) == 21
    assert max(len(path) for path in taxonomy.values()) == 7


def test_is_within(taxonomy):
    assert is_within(taxonomy, 5598, 166)  # coats and jackets are apparel
    assert is_within(taxonomy, 5598, 1604)  # ... and clothing
    assert is_within(taxonomy, 166, 166)  # a category is within itself
    assert not is_within(taxonomy, 166, 5598)
    assert not is_within(taxonomy, 3237, 166)  # live animals
    assert not is_within(taxonomy, 999999, 166)  # unknown id


def test_parent_comes_from_the_path_not_the_line_order():
    text = "# Google_Product_Taxonomy_Version: x\n2 - A > B\n1 - A\n3 - C\n"
    taxonomy = parse_taxonomy(text)
    assert is_within(taxonomy, 2, 1) and not is_within(taxonomy, 2, 3)


@pytest.mark.parametrize("line", ["166 Apparel", "x - Apparel", "166 - "])
def test_rejects_a_file_that_is_not_a_taxonomy(line):
    with pytest.raises(TaxonomyError, match=":2:"):
        parse_taxonomy(f"# header\n{line}\n")


def test_rejects_a_repeated_id():
    with pytest.raises(TaxonomyError, match="twice"):
        parse_taxonomy("1 - A\n1 - B\n")


def test_parse_category_path():
    assert parse_category_path("Apparel & Accessories > Clothing") == ("Apparel & Accessories", "Clothing")
