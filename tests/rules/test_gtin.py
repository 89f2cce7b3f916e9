"""pim.gtin: GS1 mod-10 check digits and lengths, one sentence per problem."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pim.gtin import check_digit, gtin_problem, is_valid_gtin, to_gtin14


@pytest.mark.parametrize(
    "gtin",
    [
        "73513537",  # GTIN-8
        "036000291452",  # GTIN-12 (UPC-A)
        "4006381333931",  # GTIN-13 (EAN), channels.md §9
        "9780471117094",  # ISBN-13
        "10036000291459",  # GTIN-14 (ITF-14)
        "00012345678905",  # a GTIN-12 padded to 14
    ],
)
def test_valid_gtins(gtin):
    assert is_valid_gtin(gtin)
    assert gtin_problem(gtin) is None


@pytest.mark.parametrize(
    "gtin, words",
    [
        ("4006381333932", "check digit"),  # the last digit should be 1
        ("12345", "5 digits"),
        ("400638133393100", "15 digits"),
        ("40063813339a1", "other than digits"),
        ("4006-381333931", "other than digits"),  # strict: the catalog keeps the compact form
        ("", "other than digits"),
        ("４００６３８１３３３９３１", "other than digits"),  # full-width digits are not ASCII digits
        ("0000000000000", "all zeros"),
    ],
)
def test_invalid_gtins(gtin, words):
    problem = gtin_problem(gtin)
    assert problem is not None and words in problem
    assert not is_valid_gtin(gtin)


def test_problem_says_the_expected_check_digit():
    assert "should be 1" in gtin_problem("4006381333932")


def test_padding_to_14_digits_keeps_validity():
    assert to_gtin14("4006381333931") == "04006381333931"
    assert is_valid_gtin(to_gtin14("73513537"))


bodies = st.integers(min_value=7, max_value=13).filter(lambda n: n + 1 in (8, 12, 13, 14)).flatmap(
    lambda n: st.text(alphabet="0123456789", min_size=n, max_size=n).filter(lambda body: set(body) != {"0"})
)


@given(bodies)
def test_computed_check_digit_makes_a_valid_gtin(body):
    assert is_valid_gtin(body + check_digit(body))


@given(bodies, st.data())
def test_changing_any_single_digit_makes_it_invalid(body, data):
    gtin = body + check_digit(body)
    position = data.draw(st.integers(min_value=0, max_value=len(gtin) - 1))
    digit = data.draw(st.sampled_from([d for d in "0123456789" if d != gtin[position]]))
    changed = gtin[:position] + digit + gtin[position + 1 :]
    assert not is_valid_gtin(changed)
