import json
from decimal import Decimal
from types import MappingProxyType

import pytest
from hypothesis import given, strategies as st

from pim.writers.values import is_empty, json_bytes, prune


@given(st.decimals(allow_nan=False, allow_infinity=False))
def test_decimal_is_a_json_number_with_its_own_digits(value):
    parsed = json.loads(json_bytes({"v": value}), parse_float=Decimal, parse_int=Decimal)["v"]
    assert parsed == value
    assert b"E" not in json_bytes(value).upper()


def test_non_finite_decimal_is_refused():
    with pytest.raises(TypeError):
        json_bytes(Decimal("NaN"))


def test_prune_and_emptiness():
    assert [is_empty(v) for v in (None, "", [], (), {}, 0, False, " ")] == [True] * 5 + [False] * 3
    value = MappingProxyType({"a": None, "b": {"c": "", "d": []}, "e": [None, "", {"f": None}, 0], "g": (1, "")})
    assert prune(value) == {"e": [0], "g": [1]}


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**63), max_value=2**63 - 1) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@given(_JSON)
def test_indented_json_is_laid_out_as_the_standard_library_lays_it_out(value):
    # The manifest is written with json_bytes(indent=True): its bytes must not depend on which library wrote it.
    assert json_bytes(value, indent=True) == json.dumps(value, indent=2, ensure_ascii=False).encode()


def pruned(value):
    """What prune means, written plainly: empty parts removed at any depth, tuples and mappings made lists and dicts."""
    if isinstance(value, (dict, MappingProxyType)):
        kept = {key: pruned(part) for key, part in value.items()}
        return {key: part for key, part in kept.items() if not is_empty(part)}
    if isinstance(value, (list, tuple)):
        return [part for part in map(pruned, value) if not is_empty(part)]
    return value


_PARTS = st.recursive(
    st.none() | st.just("") | st.text(max_size=3) | st.integers() | st.booleans() | st.decimals(allow_nan=False),
    lambda inner: st.lists(inner, max_size=3) | st.tuples(inner) | st.dictionaries(st.text(max_size=2), inner, max_size=3)
    | st.dictionaries(st.text(max_size=2), inner, max_size=2).map(MappingProxyType),
    max_leaves=12,
)


@given(_PARTS)
def test_prune_gives_what_removing_every_empty_part_gives(value):
    result = pruned(value)
    assert prune(value) == result
    assert repr(prune(value)) == repr(result)  # the same kinds too: dicts and lists, nothing else
