"""Checking an attribute value against its definition (type, options, units, constraints)."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from decimal import Decimal, InvalidOperation
from typing import Any, Callable

from pim.model import CONTENT_PREFIX, MONEY_PATTERN, AttributeDefinition, AttributeType

# A problem found in a value: (code, sentence, path below the attribute, e.g. ("en-US",) or (2,))
ValueProblem = tuple[str, str, tuple]

_MEASURE = re.compile(r"^(-?\d+(?:\.\d+)?)\s+(\S+)$")


def check_value(code: str, definition: AttributeDefinition, value: Any, locales: set[str], content: dict, gtin_problem: Callable[[str], str | None]) -> list[ValueProblem]:
    kind = definition.type
    if kind in (AttributeType.TEXT, AttributeType.RICH_TEXT) and definition.localizable:
        return _check_localized(code, definition, value, locales, content)
    checker = _CHECKS[kind]
    return checker(code, definition, value, gtin_problem)


def _check_localized(code, definition, value, locales, content) -> list[ValueProblem]:
    if isinstance(value, str) and value.startswith(CONTENT_PREFIX):
        if value[len(CONTENT_PREFIX):] not in content:
            return [("PIM205", f"{code}: no content block {value}: add it under catalog/content/ or fix the reference", ())]
        return []
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        return [("PIM102", f"{code} is localizable: write text per locale, e.g. {{en-US: ..., fr-FR: ...}}", ())]
    problems: list[ValueProblem] = []
    for locale, text in value.items():
        if locale not in locales:
            problems.append(("PIM206", f"{code}: unknown locale {locale}: use one of {', '.join(sorted(locales))}", (locale,)))
        problems.extend((c, m, (locale, *p)) for c, m, p in _check_text(code, definition, text, None))
    return problems


def _check_text(code, definition, value, _gtin) -> list[ValueProblem]:
    if not isinstance(value, str):
        return [("PIM102", f"{code} is text: write it as a string", ())]
    problems = []
    if definition.min_length is not None and len(value) < definition.min_length:
        problems.append(("PIM104", f"{code} has {len(value)} characters; at least {definition.min_length} are required", ()))
    if definition.max_length is not None and len(value) > definition.max_length:
        problems.append(("PIM104", f"{code} has {len(value)} characters; shorten it to {definition.max_length}", ()))
    if definition.pattern and not re.fullmatch(definition.pattern, value):
        problems.append(("PIM104", f"{code} {value!r} does not match the pattern {definition.pattern}", ()))
    return problems


def _number(value) -> Decimal | None:
    if isinstance(value, bool):
        return None
    try:
        return Decimal(str(value)) if isinstance(value, (int, float, str)) else None
    except InvalidOperation:
        return None


def _check_range(code, definition, number: Decimal) -> list[ValueProblem]:
    if definition.min is not None and number < definition.min:
        return [("PIM104", f"{code} is {number}; the smallest allowed is {definition.min}", ())]
    if definition.max is not None and number > definition.max:
        return [("PIM104", f"{code} is {number}; the largest allowed is {definition.max}", ())]
    return []


def _check_integer(code, definition, value, _gtin) -> list[ValueProblem]:
    if isinstance(value, bool) or not isinstance(value, int):
        return [("PIM102", f"{code} is a whole number: write it without quotes or decimals, e.g. 3", ())]
    return _check_range(code, definition, Decimal(value))


def _check_decimal(code, definition, value, _gtin) -> list[ValueProblem]:
    number = _number(value)
    if number is None:
        return [("PIM102", f"{code} is a number: write it like 12.5", ())]
    return _check_range(code, definition, number)


def _check_measure(code, definition, value, _gtin) -> list[ValueProblem]:
    match = _MEASURE.match(value) if isinstance(value, str) else None
    units = definition.units or []
    if not match:
        return [("PIM102", f"{code} is a measure: write a number, a space and a unit, e.g. \"310 {units[0] if units else 'g'}\"", ())]
    if match.group(2) not in units:
        return [("PIM104", f"{code}: unit {match.group(2)} is not allowed; use one of {', '.join(units)}", ())]
    return _check_range(code, definition, Decimal(match.group(1)))


def _check_boolean(code, definition, value, _gtin) -> list[ValueProblem]:
    return [] if isinstance(value, bool) else [("PIM102", f"{code} is true or false", ())]


def _check_enum(code, definition, value, _gtin) -> list[ValueProblem]:
    options = definition.options or {}
    if not isinstance(value, str):
        return [("PIM102", f"{code} takes one option code, e.g. {next(iter(options), 'code')}", ())]
    if value not in options:
        return [("PIM203", option_message(code, value, options), ())]
    return []


def option_message(code: str, value: str, options: dict) -> str:
    close = difflib.get_close_matches(value, list(options), n=1)
    hint = f"did you mean {close[0]}?" if close else f"use one of {', '.join(sorted(options))} or add the option to attributes.yaml"
    return f"{code}: {value!r} is not an option: {hint}"


def _check_multi_enum(code, definition, value, _gtin) -> list[ValueProblem]:
    if not isinstance(value, list):
        return [("PIM102", f"{code} takes a list of option codes, e.g. [a, b]", ())]
    return [(c, m, (i, *p)) for i, item in enumerate(value) for c, m, p in _check_enum(code, definition, item, None)]


def _check_date(code, definition, value, _gtin) -> list[ValueProblem]:
    if isinstance(value, str):
        try:
            dt.date.fromisoformat(value)
            return []
        except ValueError:
            pass
    return [("PIM108", f"{code} is a date: write it as \"YYYY-MM-DD\"", ())]


def _check_url(code, definition, value, _gtin) -> list[ValueProblem]:
    if isinstance(value, str) and re.match(r"^https?://[^\s]+$", value):
        return []
    return [("PIM102", f"{code} is a URL: write it starting with https://", ())]


def _check_gtin(code, definition, value, gtin_problem) -> list[ValueProblem]:
    if not isinstance(value, str):
        return [("PIM105", f"{code}: write the GTIN as a quoted string", ())]
    problem = gtin_problem(value)
    return [("PIM223", f"{code}: {problem}", ())] if problem else []


def _check_price(code, definition, value, _gtin) -> list[ValueProblem]:
    if not isinstance(value, dict):
        return [("PIM102", f"{code} is a price per currency, e.g. {{USD: \"12.00\"}}", ())]
    return [("PIM107", f"{code}: {amount!r} is not a price like \"12.00\"", (currency,)) for currency, amount in value.items() if isinstance(amount, bool) or not MONEY_PATTERN.match(str(amount))]


_CHECKS = {
    AttributeType.TEXT: _check_text,
    AttributeType.RICH_TEXT: _check_text,
    AttributeType.INTEGER: _check_integer,
    AttributeType.DECIMAL: _check_decimal,
    AttributeType.MEASURE: _check_measure,
    AttributeType.BOOLEAN: _check_boolean,
    AttributeType.ENUM: _check_enum,
    AttributeType.MULTI_ENUM: _check_multi_enum,
    AttributeType.DATE: _check_date,
    AttributeType.URL: _check_url,
    AttributeType.GTIN: _check_gtin,
    AttributeType.PRICE: _check_price,
}
