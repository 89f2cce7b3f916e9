"""The mapping sandbox's short way through lookups gives what jinja's immutable sandbox gives."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, strategies as st
from jinja2 import ChainableUndefined, Undefined
from jinja2.sandbox import ImmutableSandboxedEnvironment

from pim.expressions import ExpressionError, MappingSandbox, compile_fields, make_environment, parse_expression, reads_product_only
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


@pytest.mark.parametrize(
    "source, product_only",
    [
        ("product.description | strip_html", True),
        ('product.attributes.gender | code ~ " " ~ market.currency', True),
        ("date_range(product.created, none)", True),
        ("variant.sku", False),
        ("item.price | money", False),  # an item's price may be its variant's own
        ("product.name ~ variant_index", False),
        ("variants | length", False),
        ("product.tags | random", False),  # a new value each time it is evaluated
        ("range(3) | list", False),  # any other name: evaluated per item, as before
    ],
)
def test_a_field_is_evaluated_once_per_product_only_when_it_reads_only_the_product(source, product_only):
    env = make_environment({})
    assert reads_product_only(parse_expression(env, source)) is product_only


FIELDS = [
    "product.name",
    "[product.name, variant.color] | select | join(' - ')",
    "product.tags | join(',')",
    "variant.sku ~ '-' ~ variant_index",
    "product.missing.deeper",  # undefined: None, whoever evaluates it
    "product.tags[1:]",
    "item.price",
    # parts that read only the product, inside fields that read the variant: evaluated once (hoisted)
    '{"name": product.name | upper, "sku": variant.sku, "tags": product.tags | join(",")}',
    "[product.tags | join(','), variant.color] | select | list",
    "(product.name ~ '!') if variant.color else none",
    "product.tags | map('upper') | list if variant.sku else product.missing.deeper",
]
TEXT = st.text(max_size=6)


@given(
    st.lists(st.sampled_from(FIELDS), min_size=1, max_size=7),
    st.fixed_dictionaries({"name": TEXT, "tags": st.lists(TEXT, max_size=3)}),
    st.lists(st.fixed_dictionaries({"sku": TEXT, "color": st.one_of(st.none(), TEXT)}), min_size=1, max_size=3),
)
def test_fields_shared_by_the_variants_give_what_evaluating_every_field_gives(sources, product, variants):
    env = make_environment({})
    fields = compile_fields(env, [(f"f{index}", parse_expression(env, source)) for index, source in enumerate(sources)])
    assert fields.shared == tuple(index for index, source in enumerate(sources) if reads_product_only(parse_expression(env, source)))
    base = {"product": product, "market": {"currency": "USD"}}
    shared = fields.evaluate_shared(base) if fields.evaluate_shared is not None else None
    for index, variant in enumerate(variants):
        context = {**base, "variant": variant, "item": {**product, **variant, "price": "9.90 USD"}, "variant_index": index}
        everything = fields.evaluate_all(context)
        assert (fields.evaluate_own(context, shared) if shared is not None else everything) == everything


def test_the_parts_of_a_field_that_read_only_the_product_are_hoisted_once_and_the_expression_kept():
    env = make_environment({"market_ids": {"US": "ATV"}})
    source = '{"brand": [{"value": product.brand, "id": market.code | lookup("market_ids")}], "sku": variant.sku, "id": market.code | lookup("market_ids")}'
    expression = parse_expression(env, source)
    before = expression.dump()
    fields = compile_fields(env, [("attributes", expression)])
    assert fields.shared == ()
    # the brand's list as a whole (it reads only the product and the market), and the lookup once more
    # beside the variant's sku; the lookup inside the list is part of the first
    assert len(fields.hoisted) == 2
    assert expression.dump() == before  # the field's own expression, which locates its problems, is unchanged
    base = {"product": {"brand": "Altitude"}, "market": {"code": "US"}}
    context = {**base, "variant": {"sku": "TJ-1"}}
    expected = [{"brand": [{"value": "Altitude", "id": "ATV"}], "sku": "TJ-1", "id": "ATV"}]
    assert fields.evaluate_own(context, fields.evaluate_shared(base)) == fields.evaluate_all(context) == expected
