"""Print catalog as PDF: one file per market, laid out by a typst template from the project. typst's only home.

File: `<channel>/<market>.pdf` (e.g. `catalog-pdf/US.pdf`).

The layout is not Python: `options["template"]` names a typst file in the project (the demo's is
`mappings/print/catalog.typ`) that a designer edits. The writer compiles it in a temporary folder that
holds only the template (as `main.typ`), `data.json` and the images, so the template can read nothing
else and reaches no network: a template that imports a typst package (`"@preview/..."`) is refused.

`data.json`, what the template reads:

- `title`, `shop`, `market`, `country`, `locale`, `language` (e.g. `fr`), `currency`, `date` (the build
  date, ISO 8601);
- `sections`: `[{title, items: [...]}]`. Items are grouped by the field `options["section"]` (default
  `category`) and sections are ordered by title; inside a section, items are ordered by the fields in
  `options["sort"]` (default `[name]`), then by id. Items without a section value come last, titled "".
- each item is its mapping fields as they are in the Feed, plus `id`; its `image` field is replaced by
  the path of the copied file inside the compile folder, or `none` when the image cannot be placed (the
  template draws a placeholder; `pim.rules.print` reports it as PIM601).

Same bytes for the same commit: the PDF's creation date is the build time, fonts are only those embedded
in the typst wheel (plus `.ttf`/`.otf`/`.ttc` files the template's folder ships), never the machine's, and
typst's version is pinned in pyproject.toml.

A template typst cannot compile stops the build with the template's path and typst's message (ToolError,
exit 2), before anything reaches feeds/: the writer has no way to return a located problem.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import tempfile
from pathlib import Path, PurePosixPath
from typing import Any, Sequence

import typst

from pim.feed import Feed, FeedInfo, Item
from pim.output import FeedOutput
from pim.render import PROJECT_FILES
from pim.rules.print import image_fields, image_kind, safe_relpath
from pim.sources import ToolError
from pim.writers.table import feed_stem

_PACKAGE_IMPORT = re.compile(r"""#?\s*(import|include)\s+"@""")
_FONT_SUFFIXES = (".ttf", ".otf", ".ttc")
_RASTER_SUFFIXES = {b"\x89PNG": ".png", b"\xff\xd8\xff": ".jpg", b"GIF8": ".gif", b"RIFF": ".webp"}


def write_feeds(feeds: Sequence[Feed], out: FeedOutput) -> None:
    for feed in feeds:
        with out.open(f"{feed.info.channel}/{feed_stem(feed.info)}.pdf") as stream:
            stream.write(render_catalog(feed))


def render_catalog(feed: Feed, *, fmt: str = "pdf", ppi: float = 144.0) -> Any:
    """The feed laid out by its template: PDF bytes, or with fmt="png" one PNG (bytes) per page."""
    info = feed.info
    files = info.options.get(PROJECT_FILES)
    template_path = info.options.get("template")
    if files is None or not template_path:
        raise ToolError(f"{info.channel}: the print mapping needs options.template, the typst layout file (e.g. mappings/print/catalog.typ)")
    template = files.read(template_path) if safe_relpath(template_path) else None
    if template is None:
        raise ToolError(f"{info.channel}: the template {template_path} is not in the project: add it or fix options.template")
    if _PACKAGE_IMPORT.search(template.decode("utf-8", "replace")):
        raise ToolError(f"{template_path}: the template imports a typst package, which a build would download: keep the layout in the project's own files")
    with tempfile.TemporaryDirectory(prefix="pim-print-") as folder:
        root = Path(folder)
        (root / "main.typ").write_bytes(template)
        images = _copy_images(feed.items, files, root)
        fonts = _copy_fonts(files, template_path, root)
        data = _catalog_data(feed, images)
        (root / "data.json").write_text(json.dumps(data, ensure_ascii=False, sort_keys=True), encoding="utf-8")
        try:
            return _compile(root, fonts, info, fmt, ppi)
        except typst.TypstError as error:
            broken = _undecodable(images, root, fonts) if images else set()
            if not broken:
                raise ToolError(f"{template_path}: typst could not lay out the catalog: {error.message or error}") from None
            # Sniffing passed but the decoder did not (a truncated PNG): print those pages with placeholders.
            images = {key: path for key, path in images.items() if path not in broken}
            (root / "data.json").write_text(json.dumps(_catalog_data(feed, images), ensure_ascii=False, sort_keys=True), encoding="utf-8")
            return _compile(root, fonts, info, fmt, ppi)


def _compile(root: Path, fonts: list[str], info: FeedInfo, fmt: str, ppi: float) -> Any:
    timestamp = dt.datetime.fromisoformat(info.build_time.replace("Z", "+00:00"))
    compiler = typst.Compiler(str(root / "main.typ"), root=str(root), font_paths=fonts, ignore_system_fonts=True)
    if fmt == "png":
        pages = compiler.compile(format="png", ppi=ppi, timestamp=timestamp)
        return pages if isinstance(pages, list) else [pages]
    return compiler.compile(format="pdf", timestamp=timestamp)


def _copy_images(items: Sequence[Item], files, root: Path) -> dict[str, str]:
    """Project path -> path inside the compile folder, for every image that can be placed."""
    placed: dict[str, str] = {}
    for item in items:
        for name in image_fields(item):
            path = item.fields[name]
            if not isinstance(path, str) or path in placed or not safe_relpath(path):
                continue
            data = files.read(path)
            kind = image_kind(data) if data is not None else None
            if kind is None:
                continue
            suffix = ".svg" if kind == "svg" else next(s for sig, s in _RASTER_SUFFIXES.items() if data.startswith(sig))
            inside = f"images/{len(placed)}{suffix}"  # numbered: project names may hold characters typst paths refuse
            (root / inside).parent.mkdir(exist_ok=True)
            (root / inside).write_bytes(data)
            placed[path] = inside
    return placed


def _copy_fonts(files, template_path: str, root: Path) -> list[str]:
    """Fonts shipped beside the template (`<template folder>/fonts/`), so a designer's typeface prints everywhere."""
    source = getattr(files, "source", None)
    folder = str(PurePosixPath(template_path).parent / "fonts")
    if source is None:
        return []
    names = sorted({p for suffix in _FONT_SUFFIXES for p in source.list(folder, suffix)})
    for relpath in names:
        data = source.read(relpath)
        if data is not None:
            (root / "fonts").mkdir(exist_ok=True)
            (root / "fonts" / PurePosixPath(relpath).name).write_bytes(data)
    return [str(root / "fonts")] if names else []


def _undecodable(images: dict[str, str], root: Path, fonts: list[str]) -> set[str]:
    """The copied images typst itself cannot decode, found by placing each alone (only after a failed compile)."""
    broken = set()
    for inside in images.values():
        probe = f'#image("{inside}")'.encode()
        try:
            typst.Compiler(probe, root=str(root), font_paths=fonts, ignore_system_fonts=True).compile(format="pdf")
        except typst.TypstError:
            broken.add(inside)
    return broken


def _catalog_data(feed: Feed, images: dict[str, str]) -> dict:
    info = feed.info
    section_field = info.options.get("section", "category")
    sort_fields = list(info.options.get("sort") or ["name"])
    sections: dict[str, list[dict]] = {}
    for item in feed.items:
        title = item.fields.get(section_field)
        sections.setdefault(str(title) if title not in (None, "") else "", []).append(item)
    ordered = sorted(sections, key=lambda title: (title == "", title.casefold(), title))
    return {
        "title": info.title,
        "shop": info.options.get("shop") or info.title,
        "market": info.market,
        "country": info.country,
        "locale": info.locale,
        "language": (info.locale or "en").split("-")[0],
        "currency": info.currency,
        "date": info.build_time[:10],
        "sections": [
            {"title": title, "items": [_item_data(item, images) for item in sorted(sections[title], key=lambda i: _sort_key(i, sort_fields))]}
            for title in ordered
        ],
    }


def _sort_key(item: Item, fields: list[str]) -> tuple:
    return (*(str(item.fields.get(name) or "").casefold() for name in fields), item.id)


def _item_data(item: Item, images: dict[str, str]) -> dict:
    data = {"id": item.id, **{name: _json_value(value) for name, value in item.fields.items()}}
    for name in image_fields(item):
        data[name] = images.get(item.fields[name]) if isinstance(item.fields[name], str) else None
    return data


def _json_value(value: Any) -> Any:
    """Feed values as JSON: Decimal as its text (typst prints it as given, no float rounding)."""
    if isinstance(value, dict):
        return {str(k): _json_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_value(v) for v in value]
    if value is None or isinstance(value, (bool, int, str)):
        return value
    return format(value, "f") if hasattr(value, "is_finite") else str(value)
