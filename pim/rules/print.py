"""Print rules (kind `print-pdf`): every image a page places must be a file in the repository that can be read.

A build never reaches the network, so a printed page can only show an image the project holds. An image
that is missing, remote or not a PNG, JPEG, GIF, WebP or SVG is reported as PIM601, a warning: the item
stays in the catalog and its page shows a placeholder box (the writer, `pim.writers.pdf`, draws it),
because one bad photo should not take a product out of print, and `--strict` should not fail on it.

The InDesign data-merge channel runs the same check on its `@` columns: InDesign cannot place those either.

Image fields are `image` and any field whose name starts with `@` (InDesign's convention); each holds a
path relative to the project, e.g. `catalog/images/TJ-100-front.svg`. The files are read through
`FeedInfo.options[PROJECT_FILES]`, which the render step provides.
"""

from __future__ import annotations

import re
from typing import Iterable
from xml.etree import ElementTree

from pim.feed import FeedInfo, Item, Value
from pim.render import PROJECT_FILES
from pim.rules import ChannelRules, Violation, is_blank

_RASTER_SIGNATURES = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a")
_REMOTE = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)


def image_fields(item: Item) -> list[str]:
    return [name for name in item.fields if name == "image" or name.startswith("@")]


def safe_relpath(path: str) -> bool:
    """A path that stays inside the project: relative, no `..` step (a mapping must not read /etc)."""
    parts = path.replace("\\", "/").split("/")
    return not path.startswith(("/", "\\")) and ":" not in parts[0] and ".." not in parts


def image_kind(data: bytes) -> str | None:
    """`raster` or `svg` when the bytes are an image typst can place, else None. Sniffs, never decodes pixels."""
    if data.startswith(_RASTER_SIGNATURES) or (data[:4] == b"RIFF" and data[8:12] == b"WEBP"):
        return "raster"
    try:
        root = ElementTree.fromstring(data)  # expat refuses entity-expansion bombs (Python >= 3.11 bundles expat >= 2.4)
    except (ElementTree.ParseError, ValueError):
        return None
    return "svg" if root.tag.rsplit("}", 1)[-1] == "svg" else None


def image_problem(path: str, data: bytes | None) -> str | None:
    """Why the image at `path` (read as `data`) cannot be printed, as a sentence, or None when it can."""
    if _REMOTE.match(path):
        return f"image {path} is a web address, and a print build never downloads: add the file to catalog/images and map its path"
    if not safe_relpath(path):
        return f"image {path} points outside the project: map a path inside it, e.g. catalog/images/..."
    if data is None:
        return f"image {path} is not in the project: add the file or fix the path; the page shows a placeholder"
    if image_kind(data) is None:
        return f"image {path} is not a PNG, JPEG, GIF, WebP or SVG that can be read: replace the file; the page shows a placeholder"
    return None


def check_images(item: Item, info: FeedInfo) -> Iterable[Violation]:
    files = info.options.get(PROJECT_FILES)
    for name in image_fields(item):
        value: Value = item.fields[name]
        if is_blank(value) or not isinstance(value, str):
            continue
        data = files.read(value) if files is not None and safe_relpath(value) and not _REMOTE.match(value) else None
        problem = image_problem(value, data)
        if problem:
            yield Violation(name, "PIM601", problem)


RULES = ChannelRules(channel="the print catalog", required=("name",), extra=(check_images,))
