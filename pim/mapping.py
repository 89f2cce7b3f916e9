"""Mapping files (mappings/<channel>.yaml): loading, `extends`, and compiling their expressions once."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from jinja2.sandbox import ImmutableSandboxedEnvironment
from pydantic import BaseModel, ConfigDict, Field

from pim.catalog import Locator, read_document, validate_document
from pim.expressions import CompiledFields, ExpressionError, compile_fields, compile_predicate, make_environment, parse_expression, references
from pim.problems import Location, Problem
from pim.sources import Source

MAPPINGS = "mappings"


class FieldSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)

    value: str
    """The expression giving the field's value."""
    truncate: bool = False
    """Cut text longer than the channel allows at a word boundary, instead of leaving the item out."""


class MappingFile(BaseModel):
    """One channel's mapping: which items go, and each output field as an expression over the record."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)

    extends: str | None = None
    """Another mapping (by name) this one starts from; keys here replace its keys, fields merge."""
    channel: str | None = None
    """The built-in channel kind whose rules and writers apply, e.g. google-merchant."""
    format: str | None = None
    """The writer, e.g. google-rss or google-tsv; defaults to the channel kind's first format."""
    markets: list[str] | None = None
    """One feed per market, in the market's locale and currency."""
    include: str | None = None
    """Which products go: an expression over `product`, e.g. product.status == "active"."""
    include_variant: str | None = None
    """Which variants go: an expression over `product`, `variant` and `item`."""
    item: Literal["variant", "product"] | None = None
    """One item per SKU (variant, grouped by product id) or one per product (with `variants` to read)."""
    title: str | None = None
    """The feed's title, where the format has one."""
    description: str | None = None
    """The feed's description, where the format has one."""
    options: dict[str, Any] = {}
    """Writer options (e.g. overrides: true for Meta, seller_id for Amazon)."""
    maps: dict[str, dict[str, Any]] = {}
    """Value maps by name, used in expressions as `value | lookup("name")`."""
    fields: dict[str, str | FieldSpec | None] = Field(default_factory=dict)
    """Output field -> expression (or {value, truncate}); null removes a field inherited through extends."""
    parent_fields: dict[str, str | FieldSpec | None] | None = None
    """When set, each product also gets a parent item before its variants, with these fields (Amazon)."""
    differs: dict[Literal["price", "sale_price", "availability", "stock", "gtin", "brand", "title"], str] = {}
    """Facts this channel shows differently from the others on purpose, each with the reason (pim/consistency.py)."""


@dataclass
class CompiledMapping:
    name: str
    kind: str
    format: str
    markets: list[str]
    item: str
    title: str
    description: str
    options: dict[str, Any]
    fields: CompiledFields
    truncate: frozenset[str]
    parent_fields: CompiledFields | None
    include: Any  # predicate or None
    include_variant: Any
    locations: dict[str, Location]  # field -> the mapping line that sets it
    references: dict[str, list[tuple[str, ...]]]  # field -> record paths it reads
    env: ImmutableSandboxedEnvironment = field(repr=False, default=None)  # type: ignore[assignment]
    differs: dict[str, str] = field(default_factory=dict)  # fact -> why this channel shows it differently


def _merge(parent: dict, child: dict) -> dict:
    merged = {**parent, **{k: v for k, v in child.items() if k not in ("fields", "parent_fields", "maps", "options", "differs", "extends")}}
    for key in ("fields", "parent_fields", "maps", "options", "differs"):
        if key in parent or key in child:
            combined = dict(parent.get(key) or {})
            for name, value in (child.get(key) or {}).items():
                if value is None and key in ("fields", "parent_fields"):
                    combined.pop(name, None)
                else:
                    combined[name] = value
            merged[key] = combined
    return merged


def load_mapping(source: Source, name: str, locator: Locator, problems: list[Problem]) -> tuple[MappingFile, dict[str, Location]] | None:
    """The mapping with its `extends` chain merged, and where each field was set."""
    chain: list[str] = []
    documents: list[tuple[str, dict]] = []
    current: str | None = name
    while current is not None:
        relpath = f"{MAPPINGS}/{current}.yaml"
        if current in chain:
            problems.append(Problem("PIM406", f"mapping {name} extends itself through {' -> '.join([*chain, current])}: break the loop", locator.at(f"{MAPPINGS}/{chain[-1]}.yaml", ("extends",))))
            return None
        if not source.exists(relpath):
            where = locator.at(f"{MAPPINGS}/{chain[-1]}.yaml", ("extends",)) if chain else Location(relpath)
            problems.append(Problem("PIM406", f"mapping {current} does not exist: extend one of the files in mappings/", where))
            return None
        document = read_document(source, relpath, problems)
        if document is None:
            return None
        if validate_document(MappingFile, document, relpath, locator, problems) is None:
            return None
        chain.append(current)
        documents.append((relpath, document))
        current = document.get("extends")
    merged: dict = {}
    locations: dict[str, Location] = {}
    for relpath, document in reversed(documents):
        merged = _merge(merged, document)
        for section in ("fields", "parent_fields"):
            for field_name in document.get(section) or {}:
                locations[f"{section}.{field_name}"] = locator.at(relpath, (section, field_name), key=True)
        for key in ("include", "include_variant"):
            if key in document:
                locations[key] = locator.at(relpath, (key,))
    merged.pop("extends", None)
    return MappingFile.model_validate(merged), locations


def compile_mapping(name: str, mapping: MappingFile, locations: dict[str, Location], kinds: dict, problems: list[Problem]) -> CompiledMapping | None:
    """Compile every expression once; each one that fails is a located problem."""
    top = Location(f"{MAPPINGS}/{name}.yaml", 1, 1)
    if mapping.channel is None or mapping.channel not in kinds:
        problems.append(Problem("PIM405", f"mapping {name} names channel kind {mapping.channel!r}: use one of {', '.join(sorted(kinds))}", top))
        return None
    kind = kinds[mapping.channel]
    fmt = mapping.format or kind.default_format
    if fmt not in kind.writers:
        problems.append(Problem("PIM405", f"channel {mapping.channel} has no format {fmt!r}: use one of {', '.join(kind.writers)}", top))
        return None
    env = make_environment(mapping.maps)
    ok = True

    def compile_section(section: str, specs: dict) -> tuple[CompiledFields, frozenset[str], dict]:
        nonlocal ok
        parsed, truncate, refs = [], set(), {}
        for field_name, spec in specs.items():
            if spec is None:
                continue
            source_text = spec.value if isinstance(spec, FieldSpec) else spec
            try:
                expression = parse_expression(env, source_text)
            except ExpressionError as exc:
                ok = False
                problems.append(Problem(exc.code, f"field {field_name}: {exc.message}", locations.get(f"{section}.{field_name}", top)))
                continue
            parsed.append((field_name, expression))
            refs[field_name] = references(expression)
            if isinstance(spec, FieldSpec) and spec.truncate:
                truncate.add(field_name)
        return compile_fields(env, parsed), frozenset(truncate), refs

    fields, truncate, refs = compile_section("fields", mapping.fields)
    parent = compile_section("parent_fields", mapping.parent_fields)[0] if mapping.parent_fields is not None else None
    predicates = {}
    for key in ("include", "include_variant"):
        text = getattr(mapping, key)
        if text is None:
            predicates[key] = None
            continue
        try:
            predicates[key] = compile_predicate(env, parse_expression(env, text))
        except ExpressionError as exc:
            ok = False
            problems.append(Problem(exc.code, f"{key}: {exc.message}", locations.get(key, top)))
    if not ok:
        return None
    return CompiledMapping(
        name=name,
        kind=mapping.channel,
        format=fmt,
        markets=list(mapping.markets or []),
        item=mapping.item or "variant",
        title=mapping.title or "",
        description=mapping.description or "",
        options={**mapping.options, "columns": list(fields.names)},
        fields=fields,
        truncate=truncate,
        parent_fields=parent,
        include=predicates["include"],
        include_variant=predicates["include_variant"],
        locations=locations,
        references=refs,
        env=env,
        differs=dict(mapping.differs),
    )
