"""Google's product taxonomy: reading the `taxonomy-with-ids` file and asking where a category sits.

pim ships no copy of the taxonomy (its licence is Google's): the caller passes the path of the
file in the user's project, loads it once and hands the result to whoever needs it (the catalog
validator to check category ids, the Google channel rules to find apparel).
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Mapping

# channels.md §8: every category line is `<ID> - <L1>( > <Ln>)*`; the first line is a `#` version comment.
_LINE = re.compile(r"^(\d+) - (\S.*)$")
PATH_SEPARATOR = " > "

Taxonomy = Mapping[int, tuple[str, ...]]


class TaxonomyError(ValueError):
    """The file is not a Google taxonomy-with-ids file."""


def parse_taxonomy(text: str, source: str = "taxonomy") -> dict[int, tuple[str, ...]]:
    """Category id -> path of names from the root, e.g. 166 -> ("Apparel & Accessories",)."""
    taxonomy: dict[int, tuple[str, ...]] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        match = _LINE.match(line)
        if match is None:
            raise TaxonomyError(
                f"{source}:{number}: the line does not read `<id> - <category path>`: "
                "use Google's taxonomy-with-ids file"
            )
        category_id = int(match.group(1))
        if category_id in taxonomy:
            raise TaxonomyError(f"{source}:{number}: category id {category_id} appears twice: use an unmodified file")
        taxonomy[category_id] = tuple(match.group(2).split(PATH_SEPARATOR))
    return taxonomy


def load_taxonomy(path: Path | str) -> Taxonomy:
    """The taxonomy in a file, read-only. Validation and the build both ask for it: it is parsed once per
    version of the file (same path, size and modification time), not once per caller."""
    path = Path(path)
    stat = path.stat()
    return _load(str(path.resolve()), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=4)
def _load(path: str, _mtime_ns: int, _size: int) -> Taxonomy:
    return MappingProxyType(parse_taxonomy(Path(path).read_text(encoding="utf-8"), source=path))


def parse_category_path(text: str) -> tuple[str, ...]:
    """A full category path as people write it ("Apparel & Accessories > Clothing") as a tuple."""
    return tuple(part.strip() for part in text.split(">"))


def is_within(taxonomy: Taxonomy, category_id: int, ancestor_id: int) -> bool:
    """True when the category is the ancestor itself or lies anywhere below it.

    Decided from the paths, not from line order: localized files sort lines differently (§8).
    """
    path, ancestor = taxonomy.get(category_id), taxonomy.get(ancestor_id)
    if path is None or ancestor is None:
        return False
    return path[: len(ancestor)] == ancestor
