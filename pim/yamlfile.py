"""Reading catalog YAML: a fast, safe parse for every file, and exact locations only where needed.

PyYAML's libyaml loader is the bulk path (about 16x ruamel's round trip, see DESIGN.md). It is set
up to read YAML 1.2 core scalars, as ruamel does, so both readers agree on what a value is: no
`yes`/`no` booleans, no octal or sexagesimal numbers, and dates stay strings. Anchors, aliases and
tags other than the core ones are refused: catalog files never need them, and refusing them closes
the door on alias bombs and object construction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

MAX_FILE_BYTES = 2_000_000  # a product file is about 3 KB; anything near this is a mistake

try:
    _BaseLoader = yaml.CSafeLoader
except AttributeError:  # libyaml missing: same behaviour, slower
    _BaseLoader = yaml.SafeLoader  # type: ignore[misc]


class AliasRefused(Exception):
    def __init__(self, mark: Any):
        self.mark = mark


class DuplicateKey(Exception):
    def __init__(self, key: str, mark: Any):
        self.key = key
        self.mark = mark


MAX_DEPTH = 64  # catalog files nest a few levels; libyaml recurses per level and would crash far deeper


class CatalogLoader(_BaseLoader):  # type: ignore[misc, valid-type]
    """libyaml parsing with YAML 1.2 core resolution and no aliases."""

    def construct_object(self, node, deep=False):  # noqa: ANN001 - PyYAML's signature
        # A node seen before is an alias (or a recursive structure): refuse before any expansion.
        if node in self.constructed_objects or node in self.recursive_objects:
            raise AliasRefused(node.start_mark)
        return super().construct_object(node, deep)

    def construct_mapping(self, node, deep=False):  # noqa: ANN001
        # PyYAML keeps the last of two equal keys silently; a repeated `price:` must not hide the first.
        seen: set = set()
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                if key_node.value in seen:
                    raise DuplicateKey(key_node.value, key_node.start_mark)
                seen.add(key_node.value)
        return super().construct_mapping(node, deep)


CatalogLoader.yaml_implicit_resolvers = {}
for _tag, _pattern, _first in (
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    ("tag:yaml.org,2002:int", r"^[-+]?[0-9]+$", "-+0123456789"),
    (
        "tag:yaml.org,2002:float",
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
        "-+0123456789.",
    ),
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
):
    CatalogLoader.add_implicit_resolver(_tag, re.compile(_pattern), list(_first))


def _int_1_2(loader, node):  # YAML 1.2: "0123" is decimal 123, not octal
    return int(loader.construct_scalar(node))


CatalogLoader.add_constructor("tag:yaml.org,2002:int", _int_1_2)
# Timestamps are not resolved implicitly any more; an explicit !!timestamp stays refused too.
CatalogLoader.yaml_constructors = {
    tag: constructor
    for tag, constructor in CatalogLoader.yaml_constructors.items()
    if tag not in ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:binary", "tag:yaml.org,2002:set", "tag:yaml.org,2002:omap", "tag:yaml.org,2002:pairs")
}


@dataclass(frozen=True, slots=True)
class ParseFailure:
    code: str
    message: str
    line: int = 0
    column: int = 0


def decode(data: bytes) -> str | ParseFailure:
    if len(data) > MAX_FILE_BYTES:
        return ParseFailure("PIM006", f"the file is {len(data):,} bytes; catalog files must stay under {MAX_FILE_BYTES:,} bytes: split it or remove the oversized value")
    if b"\x00" in data:
        return ParseFailure("PIM003", "the file is binary, not YAML text: remove it from the catalog folder or replace it with a YAML file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return ParseFailure("PIM003", "the file is not UTF-8 text: save it as UTF-8", line, 1)


def _too_deep(text: str) -> tuple[int, int] | None:
    """Where collections nest deeper than MAX_DEPTH, from libyaml's events (its parser keeps a stack;
    only the composer recurses). Stops at the first level too deep, so a hostile file costs little."""
    depth = 0
    try:
        for event in yaml.parse(text, Loader=CatalogLoader):  # noqa: S506 - events only, nothing constructed
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
                if depth > MAX_DEPTH:
                    return event.start_mark.line + 1, event.start_mark.column + 1
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
    except yaml.YAMLError:
        return None  # the parse below reports the syntax error with its location
    return None


def _may_nest_deeply(text: str) -> bool:
    # Flow collections and compact sequences nest cheaply in bytes; block mappings need quadratic
    # indentation, so within MAX_FILE_BYTES they cannot nest deep enough to hurt libyaml.
    return text.count("[") + text.count("{") + text.count("- ") > MAX_DEPTH


def parse(text: str) -> Any | ParseFailure:
    """The document's data, or why it could not be read (with the place it went wrong)."""
    if _may_nest_deeply(text) and (deep := _too_deep(text)):
        return ParseFailure("PIM001", f"values nest more than {MAX_DEPTH} levels deep here: flatten the value", *deep)
    try:
        return yaml.load(text, Loader=CatalogLoader)  # noqa: S506 - CatalogLoader is a safe loader
    except AliasRefused as refused:
        return ParseFailure("PIM005", "anchors and aliases (&name, *name) are not allowed in catalog files: write the value out", refused.mark.line + 1, refused.mark.column + 1)
    except DuplicateKey as duplicate:
        return ParseFailure("PIM008", f"the key `{duplicate.key}` is written twice in the same mapping: keep one", duplicate.mark.line + 1, duplicate.mark.column + 1)
    except yaml.constructor.ConstructorError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        problem = exc.problem or ""
        if "could not determine a constructor for the tag" not in problem:
            return ParseFailure("PIM001", f"{problem}: write a plain key or value here", line, column)
        tag = problem.replace("could not determine a constructor for the tag ", "").strip("'").replace("tag:yaml.org,2002:", "!!")
        return ParseFailure("PIM005", f"the tag {tag} is not allowed in catalog files: remove it and write a plain value", line, column)
    except yaml.reader.ReaderError as exc:
        before = text[: exc.position]
        line, column = before.count("\n") + 1, len(before) - (before.rfind("\n") + 1) + 1
        return ParseFailure("PIM003", f"the file holds a control character (code {exc.character!r}) that YAML does not allow: delete it", line, column)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        what = exc.problem or exc.context or "invalid YAML"
        return ParseFailure("PIM001", f"{what}: fix the YAML syntax here", mark.line + 1 if mark else 0, mark.column + 1 if mark else 0)
    except yaml.YAMLError as exc:  # e.g. a reader error on a control character
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "mark", None)
        return ParseFailure("PIM001", f"{exc}".splitlines()[0] + ": fix the YAML here", mark.line + 1 if mark else 0, mark.column + 1 if mark else 0)
    except RecursionError:
        return ParseFailure("PIM001", "the document nests too deeply: flatten it", 1, 1)


# --- locations, computed only for files that have a problem -----------------------------------

PathPart = str | int


@dataclass
class SourceMap:
    """Finds where a value sits in a file. Composes the node tree on first use, once per file."""

    text: str
    _root: Any = field(default=None, init=False)
    _composed: bool = field(default=False, init=False)

    def _tree(self) -> Any:
        if not self._composed:
            self._composed = True
            try:
                self._root = yaml.compose(self.text, Loader=CatalogLoader)  # noqa: S506
            except yaml.YAMLError:
                self._root = None
        return self._root

    def locate(self, path: tuple[PathPart, ...], *, key: bool = False) -> tuple[int, int]:
        """Line and column (1-based) of the value at `path`, or of its key when `key` is set.

        A path that does not exist resolves to its deepest existing parent, which is where a missing
        value has to be added.
        """
        node = self._tree()
        if node is None:
            return (1, 1)
        mark = node.start_mark
        for part in path:
            if isinstance(node, yaml.MappingNode):
                for key_node, value_node in node.value:
                    if key_node.value == str(part):
                        mark = key_node.start_mark if key else value_node.start_mark
                        key_mark = key_node.start_mark
                        node = value_node
                        break
                else:
                    return (mark.line + 1, mark.column + 1)
                if key:
                    mark = key_mark
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
                node = node.value[part]
                mark = node.start_mark
            else:
                break
        return (mark.line + 1, mark.column + 1)
