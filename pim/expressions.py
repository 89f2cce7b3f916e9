"""Mapping expressions: jinja2 in an immutable sandbox, all fields of an item compiled into one template.

Evaluating each field as its own template costs about 280 us per field in the sandbox; one template
per item that assigns every field costs one render per item (DESIGN.md). The
expressions keep their Python values (numbers, lists, dicts), they are not turned into text.
"""

from __future__ import annotations

import copy
import datetime as dt
import inspect
import re
from dataclasses import dataclass
from decimal import Decimal
from collections.abc import Mapping
from typing import Any, Callable

from jinja2 import ChainableUndefined, nodes
from jinja2.exceptions import SecurityError, TemplateSyntaxError
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup

from pim.records import MarketView, Money, Option

class ExpressionError(Exception):
    """An expression that does not compile or reaches outside the sandbox: (code, sentence)."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def _money(value: Any) -> str | None:
    return str(value) if isinstance(value, Money) else (None if value is None else str(value))


def _amount(value: Any) -> str | None:
    return f"{value.amount:.2f}" if isinstance(value, Money) else None


def _code(value: Any) -> Any:
    return value.code if isinstance(value, Option) else value


def _iso_date(value: Any) -> str | None:
    return value.isoformat() if isinstance(value, (dt.date, dt.datetime)) else value


def _date_range(start: Any, end: Any) -> str | None:
    """Google and Meta's sale_price_effective_date: ISO 8601 start/end, whole days in UTC."""
    if not start and not end:
        return None
    first = f"{start.isoformat()}T00:00+0000" if start else "1970-01-01T00:00+0000"
    last = f"{end.isoformat()}T23:59+0000" if end else "2099-12-31T23:59+0000"
    return f"{first}/{last}"


_TAG = re.compile(r"<[^>]+>")


def _strip_html(value: Any) -> Any:
    return _TAG.sub("", value).strip() if isinstance(value, str) else value


def _pick(record: Any, *keys: str) -> dict | None:
    """A smaller dict: pick("sku", "price=price_amount") keeps sku and renames price_amount to price."""
    if not isinstance(record, Mapping):
        return None
    out = {}
    for key in keys:
        new, _, old = key.partition("=")
        out[new] = record.get(old or new)
    return out


_DICT_ATTRIBUTES = frozenset(dir(dict))
_RECORD_TYPES = frozenset({Money, Option, MarketView})


class MappingSandbox(ImmutableSandboxedEnvironment):
    """The immutable sandbox with a short way through the lookups mappings make most.

    `product.name` on a record dict: jinja tries the attribute first, which fails for any key that is not
    a dict method, then the key; here the key is read at once, and a name that is a dict method takes
    jinja's own way, so every lookup gives what it gave before. The frozen value records (Money, Option,
    MarketView) have no mutating methods; their public fields are read directly. Names starting with `_`
    are refused before compiling (`parse_expression`) and go through the sandbox's checks here too.
    """

    def getattr(self, obj: Any, attribute: str) -> Any:
        kind = type(obj)
        if kind is dict and attribute not in _DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                return self.undefined(obj=obj, name=attribute)
        if kind in _RECORD_TYPES and not attribute.startswith("_"):
            try:
                return getattr(obj, attribute)
            except AttributeError:
                pass
        return super().getattr(obj, attribute)


def make_environment(maps: Mapping[str, Mapping[str, Any]]) -> ImmutableSandboxedEnvironment:
    env = MappingSandbox(undefined=ChainableUndefined, autoescape=False)

    def lookup(value: Any, name: str, default: Any = None) -> Any:
        table = maps.get(name)
        if table is None:
            raise ExpressionError("PIM401", f"no value map {name!r}: add it under maps in the mapping")
        key = _code(value)
        return table.get(key, default if default is not None else value)

    # jinja's list filters (join, map, select...) go through a wrapper that asks, on every call, whether
    # the environment is async; this one never is, so they are the sync functions the wrapper calls.
    env.filters.update({name: function.__wrapped__ for name, function in env.filters.items()
                        if getattr(function, "jinja_async_variant", False) and not inspect.iscoroutinefunction(function.__wrapped__)})
    env.filters.update(money=_money, amount=_amount, code=_code, iso_date=_iso_date, strip_html=_strip_html, lookup=lookup, pick=_pick)
    env.globals.update(date_range=_date_range)
    return env


def parse_expression(env: ImmutableSandboxedEnvironment, source: str) -> nodes.Expr:
    """The expression's syntax tree, refused when it is not one expression or touches `_` names."""
    if not isinstance(source, str) or not source.strip():
        raise ExpressionError("PIM402", "the expression is empty: write one, e.g. product.name")
    try:
        template = env.parse("{{ (" + source + "\n) }}")
        env.compile(template)  # unknown filters and tests are only found when compiling
    except TemplateSyntaxError as exc:
        raise ExpressionError("PIM402", f"the expression does not compile: {exc.message}") from None
    body = template.body
    if len(body) != 1 or not isinstance(body[0], nodes.Output) or len(body[0].nodes) != 1:
        raise ExpressionError("PIM402", "write one expression, not template statements")
    expression = body[0].nodes[0]
    for node in _walk(expression, (nodes.Getattr, nodes.Getitem, nodes.Name)):
        name = node.attr if isinstance(node, nodes.Getattr) else node.name if isinstance(node, nodes.Name) else (node.arg.value if isinstance(node.arg, nodes.Const) else "")
        if isinstance(name, str) and name.startswith("_"):
            raise ExpressionError("PIM403", f"{name} reaches into Python internals, which mappings cannot do: use the record's fields (product.*, variant.*, item.*)")
    for node in _walk(expression, nodes.Filter):
        if node.name == "attr":
            raise ExpressionError("PIM403", "the attr filter is not available in mappings: read fields directly, e.g. product.name")
    return expression


def _walk(expression: nodes.Node, kinds) -> list:
    """The expression itself and every node below it of the given kinds (find_all skips the root)."""
    return [*([expression] if isinstance(expression, kinds) else []), *expression.find_all(kinds)]


def references(expression: nodes.Expr) -> list[tuple[str, ...]]:
    """Record paths an expression reads, in order: `product.name` -> ("product", "name")."""
    found: list[tuple[str, ...]] = []
    for node in _walk(expression, nodes.Getattr):
        chain: list[str] = [node.attr]
        inner = node.node
        while isinstance(inner, nodes.Getattr):
            chain.insert(0, inner.attr)
            inner = inner.node
        if isinstance(inner, nodes.Name) and inner.name in ("product", "variant", "item"):
            path = (inner.name, *chain)
            if not any(f[: len(path)] == path for f in found):
                found = [f for f in found if path[: len(f)] != f]
                found.append(path)
    return sorted(found, key=lambda p: _first_position(expression, p))


def _first_position(expression: nodes.Expr, path: tuple[str, ...]) -> int:
    for node in _walk(expression, nodes.Getattr):
        if node.attr == path[-1]:
            return node.lineno
    return 0


_KEPT = frozenset({str, int, bool, Decimal, type(None)})


def plain(value: Any) -> Any:
    """A value as a feed holds it: text, numbers, lists and dicts; no jinja or pim objects."""
    kind = type(value)
    if kind in _KEPT:  # most values: one set lookup instead of a chain of isinstance checks
        return value
    # Containers check their parts' types inline: most parts are text, and a call per part is most of the cost.
    if kind is dict:
        return {(k if type(k) is str else str(k)): (v if type(v) in _KEPT else plain(v)) for k, v in value.items()}
    if kind is list:
        return [v if type(v) in _KEPT else plain(v) for v in value]
    if isinstance(value, ChainableUndefined):
        if getattr(value, "_undefined_exception", None) is SecurityError:
            raise SecurityError("access to an unsafe attribute")
        return None
    if value is None or isinstance(value, (bool, int, Decimal)):
        return value
    if isinstance(value, Markup):
        return str(value)
    if isinstance(value, str):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, (Option, Money)):
        return str(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return str(value)


# The names of a product's context in a market (pim.render), and the one pure global: a field that reads
# no other name (no variant, item or index) has one value for every variant of the product there.
PRODUCT_NAMES = frozenset({"product", "market", "shop", "build", "date_range"})
_IMPURE_FILTERS = frozenset({"random"})  # a value that may differ at each evaluation


def reads_product_only(expression: nodes.Expr) -> bool:
    """True when the expression reads only the product and its market (no variant, item or index)."""
    names = {node.name for node in _walk(expression, nodes.Name) if node.ctx == "load"}
    return names <= PRODUCT_NAMES and not any(node.name in _IMPURE_FILTERS for node in _walk(expression, nodes.Filter))


@dataclass
class CompiledFields:
    """All field expressions of a mapping, evaluated in one render per item.

    What reads only the product can be evaluated once per product and market (`evaluate_shared`) and
    handed to each variant's `evaluate_own`, which evaluates the rest: the fields that read only the
    product (`shared`: a product's description, brand, category), and inside the others, every part
    that does (`hoisted`: Amazon's attributes hold a dozen, around a few that read the variant)."""

    names: tuple[str, ...]
    evaluate_all: Callable[[Mapping[str, Any]], list[Any]]
    evaluate_one: Callable[[int, Mapping[str, Any]], Any]
    shared: tuple[int, ...] = ()
    hoisted: tuple[nodes.Expr, ...] = ()
    evaluate_shared: Callable[[Mapping[str, Any]], Any] | None = None
    evaluate_own: Callable[[Mapping[str, Any], Any], list[Any]] | None = None


def compile_fields(env: ImmutableSandboxedEnvironment, expressions: list[tuple[str, nodes.Expr]]) -> CompiledFields:
    """Every field becomes a top-level `{% set _fN = ... %}` of one template: a render runs them all and
    the values are read back from the template's variables. The names start with `_`, which no
    expression may reach, so a field cannot read or shadow another. The sandbox still checks every
    attribute and call inside the expressions; only the per-field emit call (a sandboxed call each,
    about a third of the render time) is gone."""
    names = [f"_f{index}" for index in range(len(expressions))]
    singles: dict[int, Any] = {}

    def template_of(assigned: list[tuple[str, nodes.Expr]]) -> Any:
        return _flattened(env.from_string(nodes.Template([nodes.Assign(nodes.Name(name, "store"), expression) for name, expression in assigned])))

    def run(template, context: Mapping[str, Any], wanted: list[str], hoisted: Mapping[str, Any] | None = None) -> list[Any]:
        found = _assigned(template, context, hoisted)
        return [v if type(v) in _KEPT else plain(v) for v in map(found.get, wanted)]  # most values: no call

    combined = template_of([(names[i], expression) for i, (_, expression) in enumerate(expressions)])

    def evaluate_all(context: Mapping[str, Any]) -> list[Any]:
        return run(combined, context, names)

    def evaluate_one(index: int, context: Mapping[str, Any]) -> Any:
        if index not in singles:
            singles[index] = template_of([(names[index], expressions[index][1])])
        return run(singles[index], context, [names[index]])[0]

    field_names = tuple(name for name, _ in expressions)
    shared = [i for i, (_, expression) in enumerate(expressions) if reads_product_only(expression)]
    own = [i for i in range(len(expressions)) if i not in shared]
    hoisted: list[nodes.Expr] = []
    own_expressions = [_hoist(expressions[i][1], hoisted) for i in own]
    if not shared and not hoisted:
        return CompiledFields(field_names, evaluate_all, evaluate_one)
    hoisted_names = [f"_h{index}" for index in range(len(hoisted))]
    shared_template = template_of([*((names[i], expressions[i][1]) for i in shared), *zip(hoisted_names, hoisted)])
    own_template = template_of([(names[i], expression) for i, expression in zip(own, own_expressions)])
    shared_names, own_names = [names[i] for i in shared], [names[i] for i in own]
    # Where each value of the item comes from: (True, i) the i-th shared value, (False, i) the i-th own.
    sources = [(True, shared.index(i)) if i in shared else (False, own.index(i)) for i in range(len(expressions))]

    def evaluate_shared(context: Mapping[str, Any]) -> tuple[list[Any], dict[str, Any]]:
        """The shared fields' values, and the hoisted parts' values as evaluated (no plain(): the own
        fields go on from them)."""
        found = _assigned(shared_template, context)
        return [plain(found.get(name)) for name in shared_names], {name: found.get(name) for name in hoisted_names}

    def evaluate_own(context: Mapping[str, Any], shared_values: tuple[list[Any], dict[str, Any]]) -> list[Any]:
        values, parts = shared_values
        own_values = run(own_template, context, own_names, parts)
        return [values[i] if is_shared else own_values[i] for is_shared, i in sources]

    return CompiledFields(field_names, evaluate_all, evaluate_one, tuple(shared), tuple(hoisted), evaluate_shared, evaluate_own)


def _assigned(template: Any, context: Mapping[str, Any], hoisted: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The variables a render of the template assigns, in the context (and the hoisted parts' values)."""
    ctx = template.new_context(context, locals=hoisted)
    for _ in template.root_render_func(ctx):
        pass
    return ctx.vars


def _is_lookup(node: nodes.Node) -> bool:
    """A name, a constant, or fixed lookups on one: read as fast where it is as from a hoisted name."""
    while isinstance(node, (nodes.Getattr, nodes.Getitem)):
        if isinstance(node, nodes.Getitem) and not isinstance(node.arg, nodes.Const):
            return False
        node = node.node
    return isinstance(node, (nodes.Name, nodes.Const))


def _hoist(node: nodes.Node, hoisted: list[nodes.Expr]) -> nodes.Node:
    """The expression with each largest part that reads only the product, and does more than look a
    value up, replaced by a name `_hN` (the same part twice: one name) whose value `hoisted[N]` gives.
    The expression's own nodes are never changed: a node on the way to a replaced part is copied."""
    if isinstance(node, nodes.Expr) and not isinstance(node, nodes.Slice) and not _is_lookup(node) and reads_product_only(node):
        if node not in hoisted:  # jinja's nodes compare by their fields
            hoisted.append(node)
        return nodes.Name(f"_h{hoisted.index(node)}", "load", lineno=node.lineno)
    changed = {}
    for name, value in node.iter_fields():
        if isinstance(value, nodes.Node):
            new = _hoist(value, hoisted)
        elif isinstance(value, list):
            new = [_hoist(part, hoisted) if isinstance(part, nodes.Node) else part for part in value]
            new = value if all(a is b for a, b in zip(new, value)) else new
        else:
            continue
        if new is not value:
            changed[name] = new
    if not changed:
        return node
    copied = copy.copy(node)
    for name, value in changed.items():
        setattr(copied, name, value)
    return copied


def _flattened(template: Any) -> Any:
    """The template with its globals in one dict: jinja keeps them as a ChainMap over the environment's,
    and copies them into every render's context (a ChainMap walk of each name: a tenth of a render)."""
    template.globals = dict(template.globals)
    return template


def compile_predicate(env: ImmutableSandboxedEnvironment, expression: nodes.Expr) -> Callable[[Mapping[str, Any]], bool]:
    fields = compile_fields(env, [("include", expression)])
    return lambda context: bool(fields.evaluate_all(context)[0])
