"""`pim blame`: for each value of a product, the commit, author and date that last changed it.

git blames lines; a merchandiser asks about values (`name.fr-FR`, `variants[TJ-100-BLK-S].stock`).
Each value is placed on its lines with the file's SourceMap: the line it starts on, plus the lines
below that are indented deeper (a folded description, a wrapped flow mapping). A list of plain
values (`categories`, `features`) is one value, on the lines of its items.

A line can hold several values (`name: {en-US: ..., fr-FR: ...}`) and a commit can touch a line
without changing its value (pim fmt, a comment). So the newest commit on a value's lines is checked:
when the value was the same before it (in the parent commit, found by name, so a reordered variant
is still the same variant), the search goes on in the parent's own blame, until the commit that
really changed the value.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Iterator

from pim.catalog import CATALOG
from pim.project import open_project
from pim.sources import ToolError
from pim.yamlfile import ParseFailure, PathPart, SourceMap, decode, parse

UNCOMMITTED = "0" * 40
BLAME_FORMATS = ("human", "json")


@dataclass(frozen=True, slots=True)
class LineOrigin:
    commit: str
    author: str
    author_time: int
    author_tz: str  # "+0100"
    committer_time: int
    summary: str


@dataclass(frozen=True, slots=True)
class ValueOrigin:
    path: str  # e.g. name.fr-FR, variants[TJ-100-BLK-S].stock, price.USD
    value: str
    line: int
    commit: str  # short id; "uncommitted" for a change not committed yet
    author: str
    date: str  # the author date, ISO 8601 with the author's offset
    summary: str


@dataclass(frozen=True, slots=True)
class Blame:
    product: str
    file: str
    values: tuple[ValueOrigin, ...]


def blame_product(project: Path, product_id: str, fields: list[str] | None = None) -> Blame:
    """Who last changed each value of one product (working tree against its history)."""
    source = open_project(project)
    relpath = f"{CATALOG}/products/{product_id}.yaml"
    data = source.read(relpath)
    if data is None or "/" in product_id:
        raise ToolError(f"no product {product_id}: {relpath} does not exist")
    text = decode(data)
    document = parse(text) if isinstance(text, str) else text
    if isinstance(document, ParseFailure):
        raise ToolError(f"{relpath}:{document.line}:{document.column}: {document.message}")
    if not isinstance(document, dict):
        raise ToolError(f"{relpath} does not hold a product: run pim validate")
    assert isinstance(text, str)
    history = FileHistory(source.root, relpath, FileVersion.of(None, text, document))
    values = []
    for name, (_path, value) in history.working.values.items():
        if fields and not matches(name, fields):
            continue
        origin, line = history.origin(name)
        values.append(ValueOrigin(name, show(value), line, short(origin.commit), origin.author, author_date(origin), origin.summary))
    return Blame(product_id, relpath, tuple(values))


@dataclass
class FileVersion:
    revision: str | None  # None: the working tree
    values: dict[str, tuple[tuple[PathPart, ...], Any]]  # name -> (path in the document, value)
    source_map: SourceMap
    lines: list[str]

    @classmethod
    def of(cls, revision: str | None, text: str, document: dict) -> FileVersion:
        values = {name: (path, value) for path, name, value in product_values(document)}
        return cls(revision, values, SourceMap(text), text.splitlines())

    def lines_of(self, name: str) -> list[int]:
        path, value = self.values[name]
        return value_lines(self.source_map, self.lines, path, value)


@dataclass
class FileHistory:
    """One product file through its commits, each version read and blamed at most once."""

    root: Path
    relpath: str
    working: FileVersion
    _versions: dict[str, FileVersion | None] = field(default_factory=dict)
    _blames: dict[str | None, dict[int, LineOrigin]] = field(default_factory=dict)

    def origin(self, name: str) -> tuple[LineOrigin, int]:
        """The commit that last changed the value `name`, and the value's first line in the working tree."""
        version, first_line = self.working, self.working.lines_of(name)[0]
        while True:
            blamed = self.blame(version.revision)
            lines = version.lines_of(name)
            newest = max((blamed[n] for n in lines if n in blamed), key=lambda o: (o.commit == UNCOMMITTED, o.committer_time))
            parent = self.version("HEAD" if newest.commit == UNCOMMITTED else f"{newest.commit}^")
            if parent is None or name not in parent.values or parent.values[name][1] != version.values[name][1]:
                return newest, first_line
            version = parent  # the commit touched the line, not this value: look further back

    def version(self, revision: str) -> FileVersion | None:
        if revision not in self._versions:
            self._versions[revision] = None
            shown = _git(self.root, "show", f"{revision}:./{self.relpath}", missing_ok=True)
            text = decode(shown) if shown is not None else None
            document = parse(text) if isinstance(text, str) else None
            if isinstance(text, str) and isinstance(document, dict):
                self._versions[revision] = FileVersion.of(revision, text, document)
        return self._versions[revision]

    def blame(self, revision: str | None) -> dict[int, LineOrigin]:
        if revision not in self._blames:
            args = ["blame", "--porcelain", *([revision] if revision else []), "--", self.relpath]
            output = _git(self.root, *args)
            assert output is not None
            self._blames[revision] = parse_porcelain(output.decode("utf-8", errors="replace"))
        return self._blames[revision]


def product_values(document: dict) -> Iterator[tuple[tuple[PathPart, ...], str, Any]]:
    """(path in the document, the name people read, value) for every value, in file order."""

    def walk(node: Any, path: tuple[PathPart, ...], name: str) -> Iterator[tuple[tuple[PathPart, ...], str, Any]]:
        if isinstance(node, dict) and node:
            for key, child in node.items():
                yield from walk(child, (*path, key), f"{name}.{key}" if name else str(key))
        elif isinstance(node, list) and node and not all(_plain(item) for item in node):
            for index, child in enumerate(node):
                label = child.get("sku") if path == ("variants",) and isinstance(child, dict) else None
                yield from walk(child, (*path, index), f"{name}[{label if isinstance(label, str) else index}]")
        else:
            yield path, name, node

    yield from walk(document, (), "")


def _plain(value: Any) -> bool:
    return not isinstance(value, (dict, list))


def matches(name: str, fields: list[str]) -> bool:
    """A value is shown when a field names it, one of its parents, or its name inside a variant."""
    inner = name.split("].", 1)[1] if name.startswith("variants[") and "]." in name else None
    for wanted in fields:
        for candidate in (name, inner):
            if candidate and (candidate == wanted or candidate.startswith((f"{wanted}.", f"{wanted}["))):
                return True
    return False


def value_lines(source_map: SourceMap, lines: list[str], path: tuple[PathPart, ...], value: Any) -> list[int]:
    """The 1-based lines a value is written on: where it starts, and the lines below indented past its
    key (a folded text, a wrapped list)."""
    parts = [(*path, index) for index in range(len(value))] if isinstance(value, list) and value else [path]
    span: list[int] = []
    for part in parts:
        start = source_map.locate(part)[0]
        key_column = source_map.locate(part, key=True)[1]  # 1-based; a list item's own column
        if start in span:
            continue
        span.append(start)
        for number in range(start + 1, len(lines) + 1):
            line = lines[number - 1]
            if line.strip() and _indent(line) < key_column:
                break
            if line.strip() and not line.lstrip().startswith("#"):
                span.append(number)
    return span


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _git(root: Path, *args: str, missing_ok: bool = False) -> bytes | None:
    try:
        done = subprocess.run(["git", *args], cwd=root, capture_output=True, check=False)
    except FileNotFoundError as exc:
        raise ToolError("git is not installed: install git to see who changed a value") from exc
    if done.returncode != 0:
        if missing_ok:
            return None  # the file, or the parent commit, does not exist there
        first = done.stderr.decode(errors="replace").strip().splitlines()
        raise ToolError(f"git {args[0]} {args[-1]} failed: {first[0] if first else 'no output'}")
    return done.stdout


def parse_porcelain(output: str) -> dict[int, LineOrigin]:
    headers: dict[str, dict[str, str]] = {}
    by_line: dict[int, str] = {}
    current = ""
    for line in output.splitlines():
        if line.startswith("\t"):
            continue  # the line's content
        first, _, rest = line.partition(" ")
        if len(first) == 40 and all(c in "0123456789abcdef" for c in first):
            current = first
            by_line[int(rest.split()[1])] = current
            headers.setdefault(current, {})
        elif current:
            headers[current].setdefault(first, rest)
    origins = {}
    for sha, info in headers.items():
        origins[sha] = LineOrigin(
            commit=sha,
            author=info.get("author", ""),
            author_time=int(info.get("author-time", "0")),
            author_tz=info.get("author-tz", "+0000"),
            committer_time=int(info.get("committer-time", "0")),
            summary=info.get("summary", ""),
        )
    return {number: origins[sha] for number, sha in by_line.items()}


def short(commit: str) -> str:
    return "uncommitted" if commit == UNCOMMITTED else commit[:8]


def author_date(origin: LineOrigin) -> str:
    """The author date in the author's own offset (what `git log` shows), never the local clock."""
    sign = -1 if origin.author_tz.startswith("-") else 1
    digits = origin.author_tz.lstrip("+-").rjust(4, "0")
    offset = dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:])) * sign
    return dt.datetime.fromtimestamp(origin.author_time, dt.timezone(offset)).isoformat()


def show(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(show(item) for item in value)
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def render_blame(blame: Blame, fmt: str) -> str:
    if fmt == "json":
        return json.dumps({"product": blame.product, "file": blame.file, "values": [asdict(v) for v in blame.values]}, indent=2, ensure_ascii=False) + "\n"
    if not blame.values:
        return f"{blame.product} ({blame.file}): no value matches\n"
    width = max(len(v.path) for v in blame.values)
    author_width = max(len(v.author) for v in blame.values)
    rows = [f"{blame.product} ({blame.file})"]
    for v in blame.values:
        value = " ".join(v.value.split())
        value = value if len(value) <= 60 else value[:59] + "…"
        rows.append(f"{v.path:<{width}}  {v.commit:<11}  {v.author:<{author_width}}  {v.date[:10]}  {value}")
    return "\n".join(rows) + "\n"
