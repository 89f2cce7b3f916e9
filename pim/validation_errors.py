"""pydantic's validation errors as located problems: what each one says, in the catalog's words
(PIM101 unknown key with a "did you mean", PIM102 wrong type, PIM103 missing, PIM104 value out of
range), and where it is (`Locator`)."""

from __future__ import annotations

import difflib
import typing
from types import UnionType
from typing import TYPE_CHECKING, Any, Iterable

from pydantic import BaseModel, RootModel, ValidationError

from pim.problems import Problem

if TYPE_CHECKING:
    from pim.catalog import Locator


def translate_errors(exc: ValidationError, model: type[BaseModel], relpath: str, locator: Locator) -> Iterable[Problem]:
    for error in exc.errors(include_url=False):
        loc = tuple(part for part in error["loc"] if part != "root")
        kind = error["type"]
        if kind == "extra_forbidden":
            known = sorted(_fields_at(model, loc[:-1]))
            yield Problem("PIM101", unknown_key_message(str(loc[-1]), known), locator.at(relpath, loc, key=True))
        elif kind == "missing":
            yield Problem("PIM103", f"{_dotted(loc)} is required: add it", locator.at(relpath, loc[:-1]))
        elif kind.startswith("PIM"):
            yield Problem(kind, f"{_dotted(loc)}: {error['msg']}", locator.at(relpath, loc))
        elif kind in ("enum", "literal_error", "string_pattern_mismatch", "greater_than_equal", "too_short", "too_long", "less_than_equal"):
            yield Problem("PIM104", f"{_dotted(loc)}: {_lower_first(error['msg'])}", locator.at(relpath, loc))
        else:
            got = type(error.get("input")).__name__
            yield Problem("PIM102", f"{_dotted(loc)}: {_lower_first(error['msg'])} (found {_TYPE_WORDS.get(got, got)})", locator.at(relpath, loc))


_TYPE_WORDS = {"str": "text", "int": "a number", "float": "a number", "dict": "a mapping", "list": "a list", "NoneType": "nothing", "bool": "true/false"}


def unknown_key_message(key: str, known: list[str]) -> str:
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    hint = f"did you mean `{close[0]}`?" if close else f"the keys allowed here are {', '.join(known)}"
    return f"unknown key `{key}`: {hint}"


def _dotted(loc: tuple) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "the document"


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _fields_at(model: Any, loc: tuple) -> set[str]:
    """The keys allowed at `loc` inside `model`, for "did you mean" suggestions."""
    current: Any = model
    for part in loc:
        current = unwrap_annotation(current)
        if isinstance(current, type) and issubclass(current, RootModel):
            current = unwrap_annotation(current.model_fields["root"].annotation)
        if isinstance(current, type) and issubclass(current, BaseModel):
            info = current.model_fields.get(str(part))
            current = info.annotation if info else None
        elif typing.get_origin(current) is dict:
            current = typing.get_args(current)[1]
        elif typing.get_origin(current) is list:
            current = typing.get_args(current)[0]
        else:
            return set()
    current = unwrap_annotation(current)
    if isinstance(current, type) and issubclass(current, BaseModel) and not issubclass(current, RootModel):
        return set(current.model_fields)
    return set()


def unwrap_annotation(annotation: Any) -> Any:
    """The one model or type inside Annotated[...] and Optional[...]; a real union is returned as it is."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(args) != 1:  # a real union (not just Optional): no single model to suggest keys from
                return annotation
            annotation = args[0]
        else:
            return annotation
