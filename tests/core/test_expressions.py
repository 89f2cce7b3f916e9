"""The mapping sandbox's short way through lookups gives what jinja's immutable sandbox gives."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, strategies as st
from jinja2 import ChainableUndefined, Undefined
from jinja2.sandbox import ImmutableSandboxedEnvironment

from pim.expressions import ExpressionError, MappingSandbox, make_environment, parse_expression
from pim.records import Money, Option

PLAIN = ImmutableSandboxedEnvironment(undefined=ChainableUndefined, autoescape=False)
FAST = MappingSandbox(undefined=ChainableUndefined, autoescape=False)

# Record keys as catalogs write them, plus names of dict methods a key may share.
NAMES = st.one_of(st.sampled_from(["name", "items", "keys", "get", "values", "copy", "pop", "update", "sku", "price"]), st.from_regex(r"[a-z][a-z_]{0,8}", fullmatch=True))


def _same(a, b) -> bool:
    if isinstance(a, Undefined) or isinstance(b, Undefined):
        return type(a) is type(b) and a._undefined_hint == b._undefined_hint
    if callable(a) or callable(b):  # a bound dict method: the same method of the same dict
        return getattr(a, "__self__", None) is getattr(b, "__self__", None) and getattr(a, "__name__", None) == getattr(b, "__name__", None)
    return a == b


@given(st.dictionaries(NAMES, st.one_of(st.text(max_size=5), st.integers(), st.none())), NAMES)
def test_a_record_dict_reads_the_same_through_both_sandboxes(record, name):
    assert _same(FAST.getattr(record, name), PLAIN.getattr(record, name))


def test_value_records_read_their_fields_and_nothing_private():
    price = Money(Decimal("15.00"), "USD")
    color = Option("navy", "Navy")
    assert FAST.getattr(price, "amount") == Decimal("15.00") and FAST.getattr(color, "code") == "navy"
    assert isinstance(FAST.getattr(price, "__class__"), Undefined)  # the sandbox's own refusal
    assert isinstance(FAST.getattr(color, "missing"), Undefined)


def test_a_mapping_expression_still_cannot_reach_internals():
    env = make_environment({})
    for source in ("product.__class__", "product.name.__mro__", "product['_x']"):
        with pytest.raises(ExpressionError) as refused:
            parse_expression(env, source)
        assert refused.value.code == "PIM403"
