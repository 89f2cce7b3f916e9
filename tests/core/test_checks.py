"""Located validation, one rule at a time: the tiny catalog with exactly one mistake.

Each test reads as a small lesson in the catalog format (docs/catalog-format.md): it makes one
mistake a person could make, and shows what `pim validate` says about it: the stable code
(pim/problems.py), the place as `path:line:column` (found in the text written, never typed by
hand), and a message that says what to change.
"""

from __future__ import annotations

import pytest

from pim.problems import Location, Problem, Severity

from .conftest import ATTRIBUTES, CATEGORIES, FAMILY, JACKET, SETTINGS, SWEATER, TinyProject, describe


def only(problems: list[Problem], code: str) -> Problem:
    """The one problem with `code` among `problems`."""
    found = [p for p in problems if p.code == code]
    assert len(found) == 1, f"expected one {code}, got:\n" + "\n".join(describe(p) for p in problems)
    return found[0]


def gs1_is_valid(gtin: str) -> bool:
    """GS1 mod-10, written out here as the reference: weights 3, 1, 3, ... from the right, check digit included."""
    digits = [int(d) for d in reversed(gtin)]
    return sum(d * (3 if i % 2 else 1) for i, d in enumerate(digits)) % 10 == 0


# --- the starting point -----------------------------------------------------------------------


def test_the_tiny_catalog_is_valid(tiny: TinyProject):
    assert tiny.validate() == []


def test_the_tiny_catalog_passes_the_command_line_too(tiny: TinyProject):
    done = tiny.pim("validate")
    assert (done.returncode, done.stdout) == (0, "No problems found.\n")


# --- YAML and the shape of a record -----------------------------------------------------------


def test_yaml_syntax_error_is_located_where_the_parser_stopped(tiny: TinyProject):
    # Two keys on one line: after "brand: Tiny", the second ": " is a mapping the parser cannot place.
    tiny.replace(JACKET, "brand: Tiny", "brand: Tiny status: draft")
    problem = tiny.the_problem()
    assert problem.code == "PIM001"
    assert problem.location == tiny.at(JACKET, "brand: Tiny status: draft", ": draft")
    assert "fix the YAML syntax" in problem.message


def test_unknown_product_key_suggests_the_key_meant(tiny: TinyProject):
    tiny.replace(JACKET, "status: active", "stauts: active")
    problems = tiny.validate()
    typo = only(problems, "PIM101")
    assert typo.location == tiny.at(JACKET, "stauts")
    assert typo.message == "unknown key `stauts`: did you mean `status`?"
    # status is required, so its absence is reported too, at the top of the record.
    missing = only(problems, "PIM103")
    assert (missing.location, missing.message) == (Location(JACKET, 1, 1), "status is required: add it")
    assert len(problems) == 2


def test_unknown_variant_key_suggests_the_key_meant(tiny: TinyProject):
    tiny.replace(JACKET, "stock: 12", "stcok: 12")
    problem = tiny.the_problem()
    assert problem.code == "PIM101"
    assert problem.location == tiny.at(JACKET, "stcok: 12")
    assert problem.message == "unknown key `stcok`: did you mean `stock`?"


def test_unknown_key_without_a_close_match_lists_the_allowed_keys(tiny: TinyProject):
    tiny.replace(SETTINGS, "shop:", "warehouse: Lyon\nshop:")
    problem = tiny.the_problem()
    assert problem.code == "PIM101"
    assert problem.location == tiny.at(SETTINGS, "warehouse")
    assert "the keys allowed here are currencies, google_taxonomy, locales, markets, shop" in problem.message


def test_wrong_type_names_the_type_expected_and_found(tiny: TinyProject):
    tiny.replace(JACKET, "stock: 12", "stock: many")
    problem = tiny.the_problem()
    assert problem.code == "PIM102"
    assert problem.location == tiny.at(JACKET, "stock: many", "many")
    assert problem.message.startswith("variants[0].stock: input should be a valid integer")
    assert "(found text)" in problem.message


@pytest.mark.parametrize(
    ("relpath", "old", "new"),
    [(JACKET, "stock: 12", "stock: true"), (CATEGORIES, "google: 5598", "google: true")],
    ids=["variant-stock", "category-google-id"],
)
def test_true_is_not_a_number(tiny: TinyProject, relpath: str, old: str, new: str):
    tiny.replace(relpath, old, new)
    problem = tiny.the_problem()
    assert problem.code == "PIM102"
    assert problem.location == tiny.at(relpath, new, "true")


def test_localized_text_written_as_plain_text_is_a_wrong_type(tiny: TinyProject):
    tiny.replace(JACKET, "name: {en-US: Trail Jacket, fr-FR: Veste Trail}", "name: Trail Jacket")
    problem = tiny.the_problem()
    assert problem.code == "PIM102"
    assert problem.location == tiny.at(JACKET, "name: Trail Jacket", "Trail")
    assert "expected text per locale" in problem.message


def test_localized_text_message_shows_the_mapping_as_it_is_written(tiny: TinyProject):
    tiny.replace(JACKET, "name: {en-US: Trail Jacket, fr-FR: Veste Trail}", "name: Trail Jacket")
    problem = tiny.the_problem()
    assert "e.g. {en-US: ..., fr-FR: ...}" in problem.message
    assert "{{" not in problem.message


def test_a_localizable_attribute_needs_text_per_locale(tiny: TinyProject):
    tiny.replace(JACKET, 'care: "@content/care/machine-wash"', "care: Machine wash cold")
    problem = tiny.the_problem()
    assert problem.code == "PIM102"
    assert problem.location == tiny.at(JACKET, "care: Machine wash cold", "Machine")
    assert problem.message == "care is localizable: write text per locale, e.g. {en-US: ..., fr-FR: ...}"


def test_missing_required_value_points_at_the_record_that_lacks_it(tiny: TinyProject):
    tiny.replace(JACKET, "status: active\n", "")
    problem = tiny.the_problem()
    assert problem.code == "PIM103"
    assert problem.location == Location(JACKET, 1, 1)
    assert problem.message == "status is required: add it"


def test_missing_sku_points_at_the_variant(tiny: TinyProject):
    tiny.replace(JACKET, "  - sku: TJ-100-BLK-L\n    gtin", "  - mpn: ALT-77\n    gtin")
    problem = tiny.the_problem()
    assert problem.code == "PIM103"
    assert problem.location == tiny.at(JACKET, "mpn: ALT-77")
    assert problem.message == "variants[1].sku is required: add it"


def test_value_outside_the_allowed_words(tiny: TinyProject):
    tiny.replace(JACKET, "status: active", "status: live")
    problem = tiny.the_problem()
    assert problem.code == "PIM104"
    assert problem.location == tiny.at(JACKET, "status: live", "live")
    assert "'draft', 'active' or 'archived'" in problem.message


def test_measure_with_a_unit_the_attribute_does_not_allow(tiny: TinyProject):
    tiny.replace(JACKET, "weight: 310 g", "weight: 11 oz")
    problem = tiny.the_problem()
    assert problem.code == "PIM104"
    assert problem.location == tiny.at(JACKET, "weight: 11 oz", "11 oz")
    assert problem.message == "weight: unit oz is not allowed; use one of g, kg"


def test_price_that_is_not_an_amount(tiny: TinyProject):
    tiny.replace(JACKET, 'USD: "129.00"', 'USD: "129,00"')
    problem = tiny.the_problem()
    assert problem.code == "PIM107"
    assert problem.location == tiny.at(JACKET, '"129,00"')
    assert 'write a positive amount with at most two decimals, like "129.00"' in problem.message


def test_sale_dates_must_be_dates(tiny: TinyProject):
    tiny.replace(SWEATER, 'end: "2026-12-01"', 'end: "2026-12-32"')
    problem = tiny.the_problem()
    assert problem.code == "PIM108"
    assert problem.location == tiny.at(SWEATER, '"2026-12-32"')
    assert 'write it as "YYYY-MM-DD"' in problem.message


# --- references to other files ----------------------------------------------------------------


def test_unknown_family(tiny: TinyProject):
    tiny.replace(JACKET, "family: apparel", "family: aparel")
    # One problem: the variants' color and size are not also called unknown keys.
    problem = tiny.the_problem()
    assert problem.code == "PIM201"
    assert problem.location == tiny.at(JACKET, "family: aparel", "aparel")
    assert problem.message == "unknown family `aparel`: did you mean `apparel`?"


def test_unknown_attribute_in_a_product(tiny: TinyProject):
    tiny.replace(JACKET, "gender: unisex", "genre: unisex")
    problem = tiny.the_problem()
    assert problem.code == "PIM202"
    assert problem.location == tiny.at(JACKET, "genre: unisex")
    assert problem.message == "unknown attribute `genre`: did you mean `gender`?"


def test_unknown_attribute_in_a_family(tiny: TinyProject):
    tiny.replace(FAMILY, "[material, care, weight, gender]", "[material, care, weight, gender, fit]")
    problem = tiny.the_problem()
    assert problem.code == "PIM202"
    assert problem.location == tiny.at(FAMILY, "attributes: [", "fit")
    assert problem.message.startswith("unknown attribute `fit`")


def test_attribute_outside_the_products_family(tiny: TinyProject):
    tiny.replace(FAMILY, "[material, care, weight, gender]", "[material, care, weight]")
    problem = tiny.the_problem()
    assert problem.code == "PIM209"
    assert problem.location == tiny.at(JACKET, "gender: unisex")
    assert problem.message == "gender is not an attribute of family Apparel: add it to the family or remove it here"


def test_unknown_enum_option_of_an_attribute(tiny: TinyProject):
    tiny.replace(JACKET, "material: recycled-nylon", "material: recycled-nylom")
    problem = tiny.the_problem()
    assert problem.code == "PIM203"
    assert problem.location == tiny.at(JACKET, "material: recycled-nylom", "recycled-nylom")
    assert problem.message == "material: 'recycled-nylom' is not an option: did you mean recycled-nylon?"


def test_unknown_enum_option_of_a_variant_axis(tiny: TinyProject):
    tiny.replace(JACKET, "color: navy", "color: blue")
    problem = tiny.the_problem()
    assert problem.code == "PIM203"
    assert problem.location == tiny.at(JACKET, "color: blue", "blue")
    assert problem.message == "color: 'blue' is not an option: use one of black, navy or add the option to attributes.yaml"


def test_unknown_category(tiny: TinyProject):
    tiny.replace(JACKET, "categories: [apparel/jackets]", "categories: [apparel/jacket]")
    problem = tiny.the_problem()
    assert problem.code == "PIM204"
    assert problem.location == tiny.at(JACKET, "categories:", "apparel/jacket")
    assert problem.message == "unknown category `apparel/jacket`: did you mean `apparel/jackets`?"


def test_unknown_content_block(tiny: TinyProject):
    tiny.replace(JACKET, "@content/care/machine-wash", "@content/care/hand-wash")
    problem = tiny.the_problem()
    assert problem.code == "PIM205"
    assert problem.location == tiny.at(JACKET, '"@content/care/hand-wash"')
    assert "no content block @content/care/hand-wash: add it under catalog/content/ or fix the reference" in problem.message


def test_unknown_locale_in_a_localized_value(tiny: TinyProject):
    tiny.replace(JACKET, "fr-FR: Veste Trail}", "fr-FR: Veste Trail, de-DE: Trailjacke}")
    problem = tiny.the_problem()
    assert problem.code == "PIM206"
    assert problem.location == tiny.at(JACKET, "name:", "de-DE")
    assert problem.message == "unknown locale de-DE: use one of en-US, fr-FR or declare it in settings.yaml"


def test_market_reading_an_undeclared_locale(tiny: TinyProject):
    tiny.replace(SETTINGS, "locale: fr-FR", "locale: fr-BE")
    problem = tiny.the_problem()
    assert problem.code == "PIM206"
    assert problem.location == tiny.at(SETTINGS, "locale: fr-BE", "fr-BE")
    assert problem.message == "market FR reads fr-BE, which is not declared under locales"


def test_unknown_currency_in_a_price(tiny: TinyProject):
    tiny.replace(JACKET, 'EUR: "119.00"}', 'EUR: "119.00", GBP: "99.00"}')
    problem = tiny.the_problem()
    assert problem.code == "PIM207"
    assert problem.location == tiny.at(JACKET, "price:", "GBP")
    assert problem.message == "GBP is not a currency of this catalog: use one of USD, EUR"


def test_market_paying_in_a_currency_not_listed(tiny: TinyProject):
    tiny.replace(SETTINGS, "FR: {country: FR, locale: fr-FR, currency: EUR}", "FR: {country: FR, locale: fr-FR, currency: EUR}\n  CH: {country: CH, locale: fr-FR, currency: CHF}")
    problem = tiny.the_problem()
    assert problem.code == "PIM207"
    assert problem.location == tiny.at(SETTINGS, "currency: CHF", "CHF")
    assert problem.message == "market CH pays in CHF, which is not listed under currencies"


def test_currency_that_is_not_iso_4217(tiny: TinyProject):
    tiny.replace(SETTINGS, "currencies: [USD, EUR]", "currencies: [USD, EUR, EURO]")
    problems = tiny.validate()
    problem = only(problems, "PIM207")
    assert problem.location == tiny.at(SETTINGS, "currencies:", "EURO")
    assert problem.message == "EURO is not an ISO 4217 currency code: use e.g. USD or EUR"
    # Every product is priced in every listed currency, so each also lacks a EURO price.
    assert {(p.code, p.location.path) for p in problems if p.code != "PIM207"} == {("PIM227", JACKET), ("PIM227", SWEATER)}


def test_a_price_missing_for_one_currency(tiny: TinyProject):
    tiny.replace(JACKET, 'price: {USD: "129.00", EUR: "119.00"}', 'price: {USD: "129.00"}')
    problem = tiny.the_problem()
    assert problem.code == "PIM227"
    assert problem.location == tiny.at(JACKET, "price:", "{")
    assert problem.message == "no EUR price: add price.EUR"


def test_unknown_channel_in_product_overrides(tiny: TinyProject):
    tiny.write(JACKET, tiny.read(JACKET) + "channels:\n  amazon:\n    name: {en-US: Tiny Trail Jacket}\n")
    problem = tiny.the_problem()
    assert problem.code == "PIM208"
    assert problem.location == tiny.at(JACKET, "amazon:")
    assert problem.message == "unknown channel amazon: the channels are google"


def test_unknown_channel_in_family_requirements(tiny: TinyProject):
    tiny.replace(FAMILY, "google: [gtin, gender]", "gogle: [gtin, gender]")
    problem = tiny.the_problem()
    assert problem.code == "PIM208"
    assert problem.location == tiny.at(FAMILY, "gogle")
    assert problem.message == "unknown channel gogle: use one of all, google"


def test_a_channel_is_known_once_its_mapping_exists(tiny: TinyProject):
    tiny.write(JACKET, tiny.read(JACKET) + "channels:\n  amazon:\n    name: {en-US: Tiny Trail Jacket}\n")
    tiny.write("mappings/amazon.yaml", "channel: amazon\n")
    assert tiny.validate() == []


def test_google_category_ids_are_checked_once_the_taxonomy_is_configured(tiny: TinyProject):
    tiny.write("data/taxonomy.txt", "# Google_Product_Taxonomy_Version: 2021-09-21\n1604 - Apparel & Accessories > Clothing\n")
    tiny.write(SETTINGS, tiny.read(SETTINGS) + "google_taxonomy: data/taxonomy.txt\n")
    problem = tiny.the_problem()
    assert problem.code == "PIM210"
    assert problem.location == tiny.at(CATEGORIES, "google: 5598", "5598")
    assert problem.message == "5598 is not a Google product category id: look it up in Google's taxonomy-with-ids file"


def test_a_missing_taxonomy_file_is_a_warning(tiny: TinyProject):
    tiny.write(SETTINGS, tiny.read(SETTINGS) + "google_taxonomy: data/taxonomy.txt\n")
    problem = tiny.the_problem()
    assert (problem.code, problem.severity) == ("PIM007", Severity.WARNING)
    assert problem.location == tiny.at(SETTINGS, "google_taxonomy:", "data/")
    assert "download taxonomy-with-ids.en-US.txt to that path" in problem.message
    assert tiny.pim("validate").returncode == 0


def test_image_file_missing(tiny: TinyProject):
    tiny.replace(JACKET, "images/TJ-100-front.svg", "images/TJ-100-back.svg")
    problem = tiny.the_problem()
    assert problem.code == "PIM211"
    assert problem.location == tiny.at(JACKET, "src: images/TJ-100-back.svg", "images/")
    assert problem.message == "image images/TJ-100-back.svg is not in the catalog folder: add catalog/images/TJ-100-back.svg or fix the path"


@pytest.mark.parametrize("src", ["../mappings/google.yaml", "images/../../mappings/google.yaml", "/etc/hostname"])
def test_image_path_must_stay_inside_the_catalog_folder(tiny: TinyProject, src: str):
    """The file exists, but outside catalog/: images are published from the catalog folder only."""
    tiny.replace(JACKET, "images/TJ-100-front.svg", src)
    problem = tiny.the_problem()
    assert problem.code == "PIM211"
    assert problem.location == tiny.at(JACKET, f"src: {src}", src)
    assert "outside the catalog folder" in problem.message


def test_image_urls_are_not_looked_up(tiny: TinyProject):
    tiny.replace(JACKET, "images/TJ-100-front.svg", "https://cdn.example.com/TJ-100-front.jpg")
    assert tiny.validate() == []


def test_fallback_locale_loop(tiny: TinyProject):
    tiny.replace(SETTINGS, "en-US: {}", "en-US: {fallback: fr-FR}")
    problems = tiny.validate()
    # Both locales of the loop come back to themselves; each is reported at its fallback.
    assert [(p.code, p.location) for p in problems] == [
        ("PIM212", tiny.at(SETTINGS, "en-US: {fallback: fr-FR}", "fr-FR")),
        ("PIM212", tiny.at(SETTINGS, "fr-FR: {fallback: en-US}", "en-US")),
    ]
    assert problems[0].message == "the fallback chain of en-US comes back to itself: end the chain at a locale without fallback"


def test_a_locale_falling_back_to_itself(tiny: TinyProject):
    tiny.replace(SETTINGS, "fr-FR: {fallback: en-US}", "fr-FR: {fallback: fr-FR}")
    problem = tiny.the_problem()
    assert problem.code == "PIM212"
    assert problem.location == tiny.at(SETTINGS, "fr-FR: {fallback: fr-FR}", "fr-FR}")


def test_fallback_to_an_undeclared_locale(tiny: TinyProject):
    tiny.replace(SETTINGS, "fr-FR: {fallback: en-US}", "fr-FR: {fallback: en-GB}")
    problem = tiny.the_problem()
    assert problem.code == "PIM206"
    assert problem.location == tiny.at(SETTINGS, "fallback: en-GB", "en-GB")
    assert problem.message == "fr-FR falls back to en-GB, which is not declared under locales: declare it or fix the fallback"


def test_variant_axis_must_be_an_enum(tiny: TinyProject):
    tiny.replace(FAMILY, "variant_axes: [color, size]", "variant_axes: [color, weight]")
    problems = tiny.validate()
    axis = only(problems, "PIM104")
    assert axis.location == tiny.at(FAMILY, "variant_axes:", "weight")
    assert axis.message == "variant axis weight must be an enum attribute, so every variant picks one of its options"


def test_enum_attribute_without_options(tiny: TinyProject):
    tiny.replace(ATTRIBUTES, "  options:\n    female: {en-US: Women, fr-FR: Femme}\n    male: {en-US: Men, fr-FR: Homme}\n    unisex: {en-US: Unisex, fr-FR: Mixte}\n", "")
    problems = tiny.validate()
    problem = only(problems, "PIM103")
    assert problem.location == tiny.at(ATTRIBUTES, "gender:")
    assert problem.message == "gender is an enum: list its options"
    # The product's `gender: unisex` then names an option that does not exist.
    assert only(problems, "PIM203").location == tiny.at(JACKET, "gender: unisex", "unisex")


def test_a_broken_definition_file_stops_before_the_cross_file_checks(tiny: TinyProject):
    """A mistake in attributes.yaml is reported alone: products are not checked against a half-read schema."""
    tiny.replace(ATTRIBUTES, "  min: 0\n", "  minimum: 0\n")
    tiny.replace(JACKET, "color: navy", "color: blue")
    problem = tiny.the_problem()
    assert problem.code == "PIM101"
    assert problem.location == tiny.at(ATTRIBUTES, "minimum")
    assert problem.message == "unknown key `minimum`: did you mean `min`?"


# --- catalog-wide rules -------------------------------------------------------------------------


def test_duplicate_product_id_names_the_other_file(tiny: TinyProject):
    tiny.replace(SWEATER, "id: WS-200", "id: TJ-100")
    problem = tiny.the_problem()
    assert problem.code == "PIM220"
    assert problem.location == tiny.at(SWEATER, "id: TJ-100", "TJ-100")
    assert problem.message == f"product id TJ-100 is also used by {JACKET}: give each product its own id"


def test_duplicate_sku_across_files_names_the_other_file_and_line(tiny: TinyProject):
    tiny.replace(SWEATER, "sku: WS-200-NVY-L", "sku: TJ-100-BLK-L")
    problem = tiny.the_problem()
    first = tiny.at(JACKET, "sku: TJ-100-BLK-L", "TJ-100")
    assert problem.code == "PIM221"
    assert problem.location == tiny.at(SWEATER, "sku: TJ-100-BLK-L", "TJ-100")
    assert problem.message == f"SKU TJ-100-BLK-L is already used by {JACKET}:{first.line}: give each variant its own SKU"
    assert problem.related == (first,)


def test_duplicate_gtin_across_files_names_the_other_file_and_line(tiny: TinyProject):
    tiny.replace(SWEATER, '"10012345678902"', '"4006381333931"')
    problem = tiny.the_problem()
    first = tiny.at(JACKET, '"4006381333931"')
    assert problem.code == "PIM222"
    assert problem.location == tiny.at(SWEATER, '"4006381333931"')
    assert problem.message == f"GTIN 4006381333931 is already used by {JACKET}:{first.line}: give each variant its own GTIN"
    assert problem.related == (first,)


def test_the_same_gtin_written_with_12_and_13_digits_is_a_duplicate(tiny: TinyProject):
    """036000291452 (UPC-A) and 0036000291452 (EAN-13) are one GTIN: GTINs compare in their 14-digit form."""
    tiny.replace(SWEATER, '"10012345678902"', '"0036000291452"')
    problem = tiny.the_problem()
    assert problem.code == "PIM222"
    assert problem.location == tiny.at(SWEATER, '"0036000291452"')


# Published example GTINs, one per length (none of them is used elsewhere in the tiny catalog).
VALID_GTINS = {
    8: "40170725",
    12: "614141000036",
    13: "9780306406157",
    14: "10614141000415",
}


@pytest.mark.parametrize("length", sorted(VALID_GTINS))
def test_valid_gtins_of_every_length_pass(tiny: TinyProject, length: int):
    gtin = VALID_GTINS[length]
    assert len(gtin) == length and gs1_is_valid(gtin)
    tiny.replace(SWEATER, '"10012345678902"', f'"{gtin}"')
    assert tiny.validate() == []


def _one_digit_changed(gtin: str, position: int) -> str:
    digits = list(gtin)
    digits[position] = str((int(digits[position]) + 1) % 10)
    return "".join(digits)


@pytest.mark.parametrize("position", [-1, 3], ids=["check-digit", "fourth-digit"])
@pytest.mark.parametrize("length", sorted(VALID_GTINS))
def test_one_wrong_digit_fails_the_gtin_check(tiny: TinyProject, length: int, position: int):
    wrong = _one_digit_changed(VALID_GTINS[length], position)
    assert not gs1_is_valid(wrong)
    tiny.replace(SWEATER, '"10012345678902"', f'"{wrong}"')
    problem = tiny.the_problem()
    assert problem.code == "PIM223"
    assert problem.location == tiny.at(SWEATER, f'"{wrong}"')
    assert problem.message.startswith(f'GTIN "{wrong}" has a wrong check digit (the last digit should be ')
    assert problem.message.endswith("check the number against the barcode")


@pytest.mark.parametrize(
    ("gtin", "says"),
    [
        ("4006381333", "has 10 digits but a GTIN has 8, 12, 13 or 14"),
        ("4006-381333931", "contains characters other than digits"),
        ("00000000", "is all zeros"),
    ],
)
def test_gtin_length_characters_and_placeholders(tiny: TinyProject, gtin: str, says: str):
    tiny.replace(SWEATER, '"10012345678902"', f'"{gtin}"')
    problem = tiny.the_problem()
    assert problem.code == "PIM223"
    assert problem.location == tiny.at(SWEATER, f'"{gtin}"')
    assert says in problem.message


def test_unquoted_gtin_must_be_quoted(tiny: TinyProject):
    tiny.replace(JACKET, 'gtin: "4006381333931"', "gtin: 4006381333931")
    problem = tiny.the_problem()
    assert problem.code == "PIM105"
    assert problem.location == tiny.at(JACKET, "gtin: 4006381333931", "4006381333931")
    assert problem.message.startswith("variants[1].gtin: write this identifier in quotes")
    assert "unquoted digits are read as a number" in problem.message


def test_unquoted_gtin_with_leading_zeros_never_suggests_the_number_yaml_read(tiny: TinyProject):
    """YAML reads 0614141000036 as the number 614141000036: the message must not offer that as the fix."""
    tiny.replace(JACKET, 'gtin: "036000291452"', "gtin: 0614141000036")
    problem = tiny.the_problem()
    assert problem.code == "PIM105"
    assert problem.location == tiny.at(JACKET, "gtin: 0614141000036", "0614141000036")
    assert '"614141000036"' not in problem.message
    assert "leading zeros" in problem.message


def test_unquoted_product_id_must_be_quoted(tiny: TinyProject):
    numeric = "catalog/products/4242.yaml"
    tiny.write(
        numeric,
        """
        id: 4242
        family: apparel
        status: draft
        name: {en-US: Numbered Tee}
        price: {USD: "10.00", EUR: "9.00"}
        variants:
          - {sku: TEE-4242-S, color: black, size: S}
        """,
    )
    problem = tiny.the_problem()
    assert problem.code == "PIM105"
    assert problem.location == tiny.at(numeric, "id: 4242", "4242")
    assert problem.message.startswith("id: write this identifier in quotes")
    tiny.replace(numeric, "id: 4242", 'id: "4242"')
    assert tiny.validate() == []


def test_sale_price_equal_to_the_price(tiny: TinyProject):
    tiny.replace(SWEATER, 'USD: "69.00"', 'USD: "89.00"')
    problem = tiny.the_problem()
    assert problem.code == "PIM224"
    assert problem.location == tiny.at(SWEATER, 'USD: "89.00", EUR: "59.90"', '"89.00"')
    assert problem.message == "the USD sale price 89.00 is not below the price 89.00: lower the sale price or remove it"


def test_sale_price_above_the_price(tiny: TinyProject):
    tiny.replace(SWEATER, 'EUR: "59.90"', 'EUR: "79.01"')
    problem = tiny.the_problem()
    assert problem.code == "PIM224"
    assert problem.location == tiny.at(SWEATER, '"79.01"')
    assert "the EUR sale price 79.01 is not below the price 79.00" in problem.message


def test_variant_sale_is_compared_with_the_inherited_price(tiny: TinyProject):
    """A variant's own sale discounts the product's price when the variant has no price of its own."""
    tiny.replace(JACKET, "    stock: 3\n", '    stock: 3\n    sale: {price: {USD: "150.00"}}\n')
    problem = tiny.the_problem()
    assert problem.code == "PIM224"
    assert problem.location == tiny.at(JACKET, '"150.00"')
    assert "the USD sale price 150.00 is not below the price 129.00" in problem.message


def test_product_sale_is_compared_with_a_variants_own_price(tiny: TinyProject):
    """The product's sale also applies to a variant with its own, lower price."""
    tiny.replace(SWEATER, "gtin: \"96385074\",", 'gtin: "96385074", price: {USD: "60.00"},')
    problem = tiny.the_problem()
    assert problem.code == "PIM224"
    assert problem.location == tiny.at(SWEATER, 'price: {USD: "60.00"}', "{USD")
    assert "the USD sale price 69.00 is not below the price 60.00" in problem.message


def test_variant_missing_an_axis_value(tiny: TinyProject):
    tiny.replace(JACKET, "    color: navy\n", "")
    problem = tiny.the_problem()
    assert problem.code == "PIM225"
    assert problem.location == tiny.at(JACKET, "sku: TJ-100-NVY-M", "TJ-100")
    assert problem.message == "variant TJ-100-NVY-M has no color: every variant of family apparel sets color, size"


def test_two_variants_with_the_same_axis_values(tiny: TinyProject):
    tiny.replace(JACKET, "    color: navy\n", "    color: black\n")
    problem = tiny.the_problem()
    assert problem.code == "PIM226"
    assert problem.location == tiny.at(JACKET, "sku: TJ-100-NVY-M", "TJ-100")
    assert problem.message == "variant TJ-100-NVY-M has the same color/size as TJ-100-BLK-M (black, M): change one of them"


def test_preorder_needs_a_date(tiny: TinyProject):
    tiny.replace(JACKET, "    stock: 0\n", "    stock: 0\n    availability: preorder\n")
    problem = tiny.the_problem()
    assert problem.code == "PIM228"
    assert problem.location == tiny.at(JACKET, "availability: preorder", "preorder")
    assert problem.message == "variant TJ-100-NVY-M is on preorder: add available_from with the date it ships"
    tiny.replace(JACKET, "availability: preorder\n", 'availability: preorder\n    available_from: "2026-12-15"\n')
    assert tiny.validate() == []


def test_file_name_must_match_the_product_id(tiny: TinyProject):
    tiny.replace(SWEATER, "id: WS-200", "id: WS-201")
    problem = tiny.the_problem()
    assert problem.code == "PIM106"
    assert problem.location == tiny.at(SWEATER, "id: WS-201", "WS-201")
    assert problem.message == "the file is named WS-200.yaml but holds product WS-201: rename the file to WS-201.yaml or fix the id"


# --- all of them at once ----------------------------------------------------------------------


def test_several_mistakes_are_all_reported_in_one_run(tiny: TinyProject):
    tiny.replace(SETTINGS, "en-US: {}", "en-US: {fallback: fr-FR}")  # PIM212 twice
    tiny.replace(FAMILY, "google: [gtin, gender]", "gogle: [gtin, gender]")  # PIM208
    tiny.replace(JACKET, "stock: 12", "stcok: 12")  # PIM101
    tiny.replace(JACKET, "color: navy", "color: blue")  # PIM203
    tiny.replace(JACKET, "images/TJ-100-front.svg", "images/TJ-100-back.svg")  # PIM211
    tiny.replace(SWEATER, '"96385074"', '"96385075"')  # PIM223
    tiny.replace(SWEATER, 'USD: "69.00"', 'USD: "99.00"')  # PIM224
    unclosed = "id: BK-800\nfamily: apparel\nstatus: [active\n"
    tiny.write("catalog/products/BK-800.yaml", unclosed)  # PIM001

    found = {(p.code, p.location) for p in tiny.validate()}
    assert found == {
        ("PIM212", tiny.at(SETTINGS, "en-US: {fallback: fr-FR}", "fr-FR")),
        ("PIM212", tiny.at(SETTINGS, "fr-FR: {fallback: en-US}", "en-US")),
        ("PIM208", tiny.at(FAMILY, "gogle")),
        ("PIM101", tiny.at(JACKET, "stcok")),
        ("PIM203", tiny.at(JACKET, "color: blue", "blue")),
        ("PIM211", tiny.at(JACKET, "images/TJ-100-back.svg")),
        ("PIM223", tiny.at(SWEATER, '"96385075"')),
        ("PIM224", tiny.at(SWEATER, '"99.00"')),
        # The parser reads on to the end of the file looking for the `]`, and stops there.
        ("PIM001", Location("catalog/products/BK-800.yaml", unclosed.count("\n") + 1, 1)),
    }


def test_problems_come_sorted_by_file_line_and_column(tiny: TinyProject):
    tiny.replace(SWEATER, '"96385074"', '"96385075"')
    tiny.replace(JACKET, "color: navy", "color: blue")
    tiny.replace(JACKET, "stock: 12", "stcok: 12")
    problems = tiny.validate()
    assert problems == sorted(problems, key=Problem.sort_key)
    assert [p.location.path for p in problems] == [JACKET, JACKET, SWEATER]
