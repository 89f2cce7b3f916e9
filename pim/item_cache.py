"""The render cache: each product's items for every planned feed, so an unchanged product is not rendered again;
and the one-voice check's findings per product (`RememberedChecks`), so an unchanged product is not checked again.

An entry is keyed by the product file's path and bytes, and by everything else a render reads:
- pim's own code and every mapping;
- every catalog file that is not a product (settings, attributes, families, categories, content);
- when print or InDesign is planned, every project file they could read as an image, by its git blob id
  (computed from the bytes in the working tree);
- the taxonomy file, and the feeds planned;
- the build date (sales start and end by it), or the build time when a mapping reads `build.time`.

Change any of them and every entry misses. A git revision (`pim diff`) has the same keys as the same
files in the working tree, so a diff reads what builds rendered. Entries are marshal data with a
checksum (pim.cache), not pickles, so a cache restored by CI cannot run code.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import struct
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from types import MappingProxyType
from typing import Any, Sequence

from pim import dictfile
from pim.cache import MarshalStore, PRODUCTS, code_digest, content_key, digest_catalog_files
from pim.catalog import Catalog
from pim.channels import CHANNEL_KINDS
from pim.compression import compress, decompress
from pim.feed import Exclusion, Item
from pim.model import Product
from pim.packs import Packs
from pim.problems import Problem
from pim.project import FEEDS, MAPPINGS
from pim.sources import Source, WorkingTree

ITEMS_FOLDER = ".pim/cache/items"
VOICES_FOLDER = ".pim/cache/voices"
WRITTEN_FOLDER = ".pim/cache/written"  # per feeds folder, what a streamed build last wrote there (pim.output.WrittenRecord)
_MAGIC = b"PIMITEM2\n"
_VOICES_MAGIC = b"PIMVOICE1\n"
_LIGHT_MAGIC = b"PIMLIGHT2\n"

Rendered = tuple[list[Item], list[Exclusion], list[Problem]]  # one product in one planned feed


class ItemCache:
    """Entries of three sections, each checksummed on its own so that a build reads only what it needs:
    - light: what a streamed build keeps of each feed (pim/streamed.py): small items, exclusions,
      warnings, where each stream's pieces are, and the product's one-voice findings;
    - full: every feed's items, exclusions and warnings (`get`, what `pim diff` and `pim report` read), compressed;
    - pieces: the bytes each item writes into each stream of a streamed format, compressed per stream, read by range."""

    def __init__(self, catalog: Catalog, context: bytes, folder: Path):
        self.catalog = catalog
        self.context = context
        self.folder = folder
        self.packs = Packs(folder)  # every entry appended to a pack: a file each would cost a file creation each
        self._keys: dict[str, bytes | None] = {}  # product id -> key: each product file is read once
        self.rejected = 0  # entries found corrupt, and rendered again

    @classmethod
    def for_build(cls, source: Source, catalog: Catalog, plan: Sequence[Any], build_time: str) -> "ItemCache | None":
        """The cache for this build (from the working tree or a git revision), or None where nothing is
        cached (PIM_NO_CACHE, a dry run into a folder not made yet)."""
        if os.environ.get("PIM_NO_CACHE") or not getattr(source, "keeps_parse_cache", True):
            return None
        context = _context(source, catalog, [(p.mapping.name, p.market, p.mapping.kind) for p in plan], build_time)
        return cls(catalog, context, Path(source.root) / ITEMS_FOLDER)

    def key(self, product: Product) -> bytes | None:
        if product.id not in self._keys:
            self._keys[product.id] = _product_key(self.catalog, product, self.context, b"", b"items")
        return self._keys[product.id]

    def holds(self, product: Product) -> bool:
        """Whether an entry exists for the product (it may still prove corrupt when read, and then renders)."""
        key = self.key(product)
        return key is not None and self.packs.has(key)

    def get(self, key: bytes | None) -> list[Rendered] | None:
        """Every planned feed's items, exclusions and warnings for the product, or None."""
        entry = self._read(key, light=False)
        if not isinstance(entry, tuple) or len(entry) != 2:
            return None
        encoded, renders = entry
        return [decode_rendered(r, encoded) for r in renders]

    def get_light(self, key: bytes | None) -> bytes | None:
        """The light section as stored (marshal data), or None (no entry, or a corrupt one)."""
        return self._read(key, light=True)

    def pieces(self, key: bytes | None, start: int, end: int) -> bytes | None:
        """Bytes start..end of the pieces section (the light section says where each stream is and its digest)."""
        found = self._section(key, "pieces", start, end)
        return None if found is None else found[0]

    def put(self, key: bytes | None, rendered: list[Rendered], light: bytes = marshal.dumps(None), pieces: bytes = b"") -> None:
        """Most products hold no Decimal, and marshal takes their fields as they are; the others are
        encoded (a walk over every value, so only when needed). A cache that cannot be written is only
        slower, never an error."""
        if key is None:
            return
        try:
            full = marshal.dumps((False, [encode_rendered(r, False) for r in rendered]))
        except ValueError:
            full = marshal.dumps((True, [encode_rendered(r, True) for r in rendered]))
        full = compress(full)  # about a fifth of the bytes to write and read back
        head = _MAGIC + key + struct.pack("<QQ", len(light), len(full)) + _digest(light) + _digest(full)
        self.packs.append(key, head + light + full + pieces)

    def prune(self) -> None:
        """Keep this build's products' entries and about as many bytes again of others (pim.packs)."""
        self.packs.prune(key for key in self._keys.values() if key is not None)

    def _read(self, key: bytes | None, *, light: bool) -> Any | None:
        """The full section, unmarshalled, or the light section as stored; None when missing or damaged."""
        found = self._section(key, "light" if light else "full")
        if found is None:
            return None
        data, head = found
        if _digest(data) != (head[-2 * _DIGEST : -_DIGEST] if light else head[-_DIGEST:]):
            self.rejected += 1
            return None
        if light:
            return data
        try:
            return marshal.loads(decompress(data))
        except (ValueError, EOFError, TypeError):
            self.rejected += 1
            return None

    def _section(self, key: bytes | None, section: str, start: int = 0, end: int = 0) -> tuple[bytes, bytes] | None:
        """(bytes, the entry's head) of the light or full section, or of the pieces start..end; None
        when the entry is missing, another key's, or too short."""
        if key is None:
            return None
        head = self.packs.read(key, 0, _HEAD)
        sizes = None if head is None else _entry_sizes(head, key)
        if sizes is None:
            if head is not None:
                self.rejected += 1
            return None
        light_size, full_size = sizes
        offset, size = {"light": (0, light_size), "full": (light_size, full_size), "pieces": (light_size + full_size + start, end - start)}[section]
        data = self.packs.read(key, _HEAD + offset, size)
        return None if data is None else (data, head)


class LightStore:
    """Every product's light section for one build context, in one file: a warm build reads it in one
    sequential read instead of a part of 100,000 entry files (on a disk, 38 s at 100,000 products when
    the page cache no longer holds the entries). Checksummed; a bad or missing store reads as empty,
    and each product's entry still holds its light section."""

    def __init__(self, path: Path):
        self.path = path
        loaded = dictfile.load(path, _LIGHT_MAGIC)
        self.entries: dict[bytes, bytes] = loaded[1] if loaded is not None else {}

    @classmethod
    def for_cache(cls, cache: ItemCache) -> "LightStore":
        return cls(cache.folder.parent / "light" / cache.context.hex())

    def save(self, entries: dict[bytes, bytes]) -> None:
        """Keep exactly these entries (the catalog's products now), when they differ from those read."""
        if entries == self.entries:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            for old in self.path.parent.iterdir():  # one store per folder: another context's is stale
                if old != self.path:
                    old.unlink(missing_ok=True)
            dictfile.save(self.path, _LIGHT_MAGIC, None, entries)
        except OSError:
            pass


_DIGEST = 20
_HEAD = len(_MAGIC) + _DIGEST + 16 + 2 * _DIGEST  # magic, key, section sizes, two section digests


def _digest(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=_DIGEST).digest()


def _entry_sizes(head: bytes, key: bytes) -> tuple[int, int] | None:
    """(light size, full size) from an entry's head, or None when it is not this key's entry."""
    start = len(_MAGIC)
    if len(head) != _HEAD or head[:start] != _MAGIC or head[start : start + _DIGEST] != key:
        return None
    light_size, full_size = struct.unpack("<QQ", head[start + _DIGEST : start + _DIGEST + 16])
    return light_size, full_size


def piece_digest(data: bytes) -> bytes:
    """The digest a light section keeps for a stream's pieces, checked when they are read back."""
    return _digest(data)


class RememberedChecks:
    """The one-voice check's findings per product, kept between builds in one entry (all products in
    one file: most have no finding, and a file each would cost a file creation each). A product's key
    is its file, the build context of the render cache, and the ids of its items each feed kept, so a
    product is checked again when anything its items come from changes, or when a rule across items
    (a shared id) drops or restores one of them. Each build writes only the current products' findings,
    so the entry never grows past the catalog."""

    _ENTRY = content_key(b"one-voice findings")

    def __init__(self, catalog: Catalog, context: bytes, folder: Path):
        self.catalog = catalog
        self.context = context
        self.store = MarshalStore(folder, _VOICES_MAGIC)
        entry = self.store.get(self._ENTRY)
        self.known: dict[bytes, list] = entry if isinstance(entry, dict) else {}
        self.found: dict[bytes, list] = {}

    @classmethod
    def for_build(cls, source: Source, catalog: Catalog, feeds: Sequence[Any], build_time: str) -> "RememberedChecks | None":
        if os.environ.get("PIM_NO_CACHE") or not isinstance(source, WorkingTree) or not source.keeps_parse_cache:
            return None
        context = _context(source, catalog, [(f.info.channel, f.info.market, f.info.kind) for f in feeds], build_time)
        return cls(catalog, context, Path(source.root) / VOICES_FOLDER)

    def key(self, product: Product, kept: bytes) -> bytes | None:
        return _product_key(self.catalog, product, self.context, kept, b"voices")

    def get(self, key: bytes | None) -> list[Problem] | None:
        entry = None if key is None else self.known.get(key)
        return None if entry is None else [Problem.from_plain(p) for p in entry]

    def remember(self, key: bytes | None, problems: list[Problem]) -> None:
        if key is not None:
            self.found[key] = [p.to_plain() for p in problems]

    def save(self) -> None:
        if self.found != self.known:
            self.store.put(self._ENTRY, self.found)


def _product_key(catalog: Catalog, product: Product, context: bytes, more: bytes, salt: bytes) -> bytes | None:
    """A product's key: its file's path and content key (the parse cache's hash of its bytes), the context, and `more`."""
    relpath, file_key = catalog.product_files.get(product.id), catalog.product_keys.get(product.id)
    if relpath is None or file_key is None:
        return None
    return content_key(context + relpath.encode() + b"\0" + file_key + b"\0" + more, salt=salt)


def _context(source: Source, catalog: Catalog, plan: list[tuple[str, str | None, str]], build_time: str) -> bytes:
    """What every product's render reads besides its own file, read through the source: the same files
    give the same context from the working tree or a git revision."""
    digest = hashlib.blake2b(code_digest(), digest_size=20)
    mappings = [(relpath, source.read(relpath) or b"") for relpath in source.list(MAPPINGS)]
    for relpath, data in mappings:
        digest.update(relpath.encode() + b"\0" + data)
    reads_time = any(b"build.time" in data for _, data in mappings)
    digest.update((build_time if reads_time else build_time[:10]).encode())
    digest.update(repr(plan).encode())
    digest_catalog_files(digest, source, names=False)
    if any(CHANNEL_KINDS[kind].reads_project_files for _, _, kind in plan):
        for relpath in source.walk("", without_yaml_in=PRODUCTS):
            if not relpath.startswith(f"{FEEDS}/"):
                digest.update(f"{relpath}\0{source.blob_id(relpath)}".encode())
    root = Path(source.root)
    if catalog.settings.google_taxonomy is not None:
        try:
            stat = (root / catalog.settings.google_taxonomy).stat()
            digest.update(f"{catalog.settings.google_taxonomy}\0{stat.st_size}\0{stat.st_mtime_ns}".encode())
        except OSError:
            digest.update(b"no taxonomy")
    return digest.digest()


# Field values are text, numbers, Decimal, booleans, None, lists and dicts (pim.expressions.plain never
# leaves a tuple), so a tuple in an entry can only be an encoded Decimal.


def _encode_value(value: Any) -> Any:
    if type(value) is Decimal:
        return ("d", str(value))
    if isinstance(value, dict):
        return {k: _encode_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_encode_value(v) for v in value]
    return value


def _decode_value(value: Any) -> Any:
    if type(value) is tuple:
        return Decimal(value[1])
    if isinstance(value, dict):
        return {k: _decode_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode_value(v) for v in value]
    return value


def encode_rendered(rendered: Rendered, encode: bool) -> tuple:
    items, excluded, warnings = rendered
    return (
        [(i.id, _encode_value(dict(i.fields)) if encode else dict(i.fields), i.product_id, i.group_id, i.level) for i in items],
        [(e.item_id, e.product_id, [p.to_plain() for p in e.problems]) for e in excluded],
        [p.to_plain() for p in warnings],
    )


NO_FIELDS: Mapping[str, Any] = MappingProxyType({})  # every item without fields shares it (most light items)


def decode_rendered(entry: tuple, encoded: bool) -> Rendered:
    items, excluded, warnings = entry
    return (
        [Item(i[0], (_decode_value(i[1]) if encoded else i[1]) or NO_FIELDS, i[2], i[3], i[4]) for i in items],
        [Exclusion(e[0], e[1], tuple(Problem.from_plain(p) for p in e[2])) for e in excluded],
        [Problem.from_plain(p) for p in warnings],
    )
