"""`pim fmt`: every catalog file in one canonical form, comments and the author's flow/block choices kept.

The canonical form is what ruamel's round trip writes with pim's settings (pim.yamledit), plus two
rules pim decides:
- keys of a record (settings, a market, an attribute definition, a family, a category, a product,
  a variant, an image, a sale) follow the field order of its model in pim/model.py (an attribute
  definition puts `localizable` right after `type`). Keys that are
  user data (locales, attribute codes, a variant's axis values) keep their place: only the slots
  that record fields occupy are reordered, so `{sku, gtin, color, size, stock}` stays as written;
- identifiers (product id, SKU, GTIN, MPN) are plain when they read back as the same string and
  double-quoted otherwise (`gtin: "3770018100005"`).
Everything else (quotes on other strings, comments, blank lines, long lines) stays as written.

A file is rewritten only when its data reads back identical through pim's own loader, and no file is
written when any file cannot be read: the same all-or-nothing rule as a build.
"""

from __future__ import annotations

import difflib
import os
import typing
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, RootModel

from pim.catalog import CATALOG
from pim.model import AttributeDefinition, AttributesFile, CategoriesFile, ContentFile, Family, Identifier, Product, Settings
from pim.output import write_atomically
from pim.problems import Location, Problem
from pim.sources import WorkingTree
from pim.yamledit import double_quoted, dump_edited, load_for_edit, plain
from pim.yamlfile import ParseFailure, decode, parse
from pim.validation_errors import unwrap_annotation

_IDENTIFIER_VALIDATOR = Identifier.__metadata__[0]
# The one departure from model order, as docs/catalog-format.md and the demo write it: what kind of
# value an attribute holds, then whether it differs per locale, then its label.
_FIRST_KEYS: dict[type, tuple[str, ...]] = {AttributeDefinition: ("type", "localizable")}
_SINGLE_FILES = {"settings.yaml": Settings, "attributes.yaml": AttributesFile, "categories.yaml": CategoriesFile}
_FOLDERS = {"families": Family, "content": ContentFile, "products": Product}


def catalog_file_model(relpath: str) -> type[BaseModel] | None:
    """The record type of a catalog file from its path (as the loader decides it), or None."""
    parts = relpath.split("/")
    if len(parts) == 2 and parts[0] == CATALOG:
        return _SINGLE_FILES.get(parts[1])
    if len(parts) == 3 and parts[0] == CATALOG and parts[2].endswith(".yaml"):
        return _FOLDERS.get(parts[1])
    return None


def catalog_files(source: WorkingTree) -> list[str]:
    files = [f"{CATALOG}/{name}" for name in _SINGLE_FILES if source.exists(f"{CATALOG}/{name}")]
    for folder in _FOLDERS:
        files += source.list(f"{CATALOG}/{folder}")
    return sorted(files)


@dataclass(frozen=True, slots=True)
class FormattedFile:
    relpath: str
    before: str
    after: str

    @property
    def changed(self) -> bool:
        return self.before != self.after

    def first_changed_line(self) -> int:
        for index, (old, new) in enumerate(zip(self.before.splitlines(), self.after.splitlines())):
            if old != new:
                return index + 1
        return min(len(self.before.splitlines()), len(self.after.splitlines())) + 1


@dataclass
class FormatResult:
    files: list[FormattedFile] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    written: bool = False

    @property
    def changed(self) -> list[FormattedFile]:
        return [f for f in self.files if f.changed]

    def check_problems(self) -> list[Problem]:
        """One PIM901 per file that is not canonical, at its first line that would change."""
        return self.problems + [
            Problem("PIM901", "the file is not in canonical form (key order, identifier quoting, indentation): run `pim fmt`", Location(f.relpath, f.first_changed_line(), 1))
            for f in self.changed
        ]


def format_catalog(root: Path, only: list[str] | None = None, *, write: bool = True) -> FormatResult:
    """Format every catalog file (or only those of `only`, project-relative paths that are catalog files).
    Writes the changed files atomically when `write` is set and no file had a problem."""
    source = WorkingTree(Path(root))
    relpaths = catalog_files(source) if only is None else sorted({p for p in only if catalog_file_model(p) is not None})
    result = FormatResult()
    for relpath in relpaths:
        formatted = format_file(relpath, source.read(relpath), result.problems)
        if formatted is not None:
            result.files.append(formatted)
    if write and not result.problems and result.changed:
        for formatted in result.changed:
            path = source.root / formatted.relpath
            mode = path.stat().st_mode & 0o777
            write_atomically(path, formatted.after.encode("utf-8"))
            os.chmod(path, mode)  # the replacement starts as a private temporary file: keep the file's mode
        result.written = True
    return result


def format_file(relpath: str, data: bytes | None, problems: list[Problem]) -> FormattedFile | None:
    """The file in canonical form, or None (with a located problem when it cannot be read)."""
    model = catalog_file_model(relpath)
    if data is None or model is None:
        return None
    text = decode(data)
    document = parse(text) if isinstance(text, str) else text
    if isinstance(document, ParseFailure):
        problems.append(Problem(document.code, f"{document.message} (pim fmt leaves the file as it is)", Location(relpath, document.line, document.column)))
        return None
    assert isinstance(text, str)
    if not isinstance(document, dict):
        return FormattedFile(relpath, text, text)  # empty or not a mapping: validate says what to do
    try:
        tree = load_for_edit(text)
    except ValueError as exc:
        message, line, column = exc.args
        problems.append(Problem("PIM001", f"{message}: fix the YAML syntax here (pim fmt leaves the file as it is)", Location(relpath, line, column)))
        return None
    normalize(tree, model)
    after = dump_edited(tree)
    if parse(after) != document:
        problems.append(Problem("PIM902", "pim fmt would change what this file means, so it leaves it as it is: please report this file", Location(relpath, 1, 1)))
        return None
    return FormattedFile(relpath, text, after)


def normalize(node: Any, annotation: Any) -> None:
    """Put the record keys of `node` (a commented tree) in model order and quote identifiers, recursively."""
    annotation = unwrap_annotation(annotation)
    if isinstance(annotation, type) and issubclass(annotation, RootModel):
        normalize(node, annotation.model_fields["root"].annotation)
    elif isinstance(annotation, type) and issubclass(annotation, BaseModel) and isinstance(node, dict):
        fields = annotation.model_fields
        first = _FIRST_KEYS.get(annotation, ())
        _reorder(node, [*first, *(name for name in fields if name not in first)])
        for key in list(node):
            info = fields.get(key) if isinstance(key, str) else None
            if info is None:
                continue  # user data (a variant's axis value): left as written
            if _is_identifier(info):
                node[key] = _canonical_identifier(node[key])
            elif annotation is Product and key == "channels" and isinstance(node[key], dict):
                for overrides in node[key].values():  # a channel's overrides are product fields
                    normalize(overrides, Product)
            else:
                normalize(node[key], info.annotation)
    elif typing.get_origin(annotation) is dict and isinstance(node, dict):
        for key in node:
            normalize(node[key], typing.get_args(annotation)[1])
    elif typing.get_origin(annotation) is list and isinstance(node, list):
        for item in node:
            normalize(item, typing.get_args(annotation)[0])


def _reorder(node: dict, order: list[str]) -> None:
    rank = {name: index for index, name in enumerate(order)}
    keys = list(node)
    known = [k for k in keys if isinstance(k, str) and k in rank]
    wanted = sorted(known, key=rank.__getitem__)
    if known == wanted:
        return
    slots = iter(wanted)
    for key in [next(slots) if isinstance(k, str) and k in rank else k for k in keys]:
        node.move_to_end(key)  # type: ignore[attr-defined] - ruamel's CommentedMap is an OrderedDict


def _canonical_identifier(value: Any) -> Any:
    if not isinstance(value, str):
        return value  # unquoted digits: validate reports PIM105; fmt cannot know the digits that were lost
    return plain(str(value)) if reads_back_plain(str(value)) else double_quoted(str(value))


@lru_cache(maxsize=4096)
def reads_back_plain(text: str) -> bool:
    """Whether `text` written without quotes is read back as the same string by both YAML readers."""
    if not text or text != text.strip() or any(c in text for c in ":#,[]{}&*!|>'\"%@`\n\t"):
        return False
    line = f"v: {text}\n"
    if parse(line) != {"v": text}:
        return False
    try:
        again = load_for_edit(line)
    except ValueError:
        return False
    return isinstance(again["v"], str) and again["v"] == text


def _is_identifier(info: Any) -> bool:
    validators = list(info.metadata)
    for arg in typing.get_args(info.annotation):
        validators += list(getattr(arg, "__metadata__", ()))
    return any(v == _IDENTIFIER_VALIDATOR for v in validators)


def unified_diff(formatted: FormattedFile) -> str:
    """What `pim fmt` would change in one file, as a unified diff."""
    return "".join(difflib.unified_diff(formatted.before.splitlines(True), formatted.after.splitlines(True), f"a/{formatted.relpath}", f"b/{formatted.relpath}"))
