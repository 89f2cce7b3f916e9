"""The parse cache: a file's parsed YAML, keyed by the file's bytes, so an unchanged file is never parsed twice.

Parsing is the largest fixed cost of a build (libyaml: about 700 us for a 3 KB product; loading a
cached entry: about 15 us). Entries are packed in `.pim/cache/documents` (pim.packs) by a key that is a
hash of the file's bytes; each holds the key again and a checksum of its payload, so an entry that is
corrupt, truncated, or indexed for another file is detected and made again, never trusted. Entries are
`marshal` data, which is exact for everything YAML 1.2 core gives (any keys, big ints, NaN) and is
read by the same Python that wrote it: the format version and Python's version are part of the key.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import sys
from functools import lru_cache
from pathlib import Path
from typing import Any

from pim.packs import Packs

CACHE_FOLDER = ".pim/cache/documents"
_MAGIC = b"PIMDOC1\n"
_SALT = f"marshal {marshal.version} python {sys.version_info[:2]}".encode()
_DIGEST = 20


def content_key(data: bytes, *, salt: bytes = b"") -> bytes:
    """A hash of `data` that also names the entry format, so entries of another Python are never read."""
    return hashlib.blake2b(data, digest_size=_DIGEST, key=(_SALT + salt)[:64]).digest()


@lru_cache(maxsize=1)
def code_digest() -> bytes:
    """A hash of pim's own source: an entry derived by other code is never read."""
    digest = hashlib.blake2b(digest_size=_DIGEST)
    code = Path(__file__).resolve().parent
    for path in sorted(code.rglob("*.py")):
        digest.update(path.relative_to(code).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.digest()


PRODUCTS = "catalog/products"  # the product files: keyed one by one, never part of a context


def digest_catalog_files(digest: Any, source: Any, *, names: bool) -> None:
    """Feed `digest` every catalog file but the product files (keyed one by one): the YAML files by
    their bytes, and with `names` the names of the others (images), whose existence a product's checks
    look up."""
    for relpath in source.walk("catalog", without_yaml_in=PRODUCTS):
        if relpath.endswith(".yaml"):
            digest.update(relpath.encode() + b"\0" + (source.read(relpath) or b""))
        elif names:
            digest.update(relpath.encode() + b"\0")


def prune_documents(root: Path | str, source: Any, product_keys: Any) -> None:
    """Keep the parsed documents of the catalog's files now (pim.packs.Packs.prune)."""
    cache = DocumentCache.for_project(root)
    if cache.packs is not None:
        others = [content_key(source.read(relpath) or b"") for relpath in source.walk("catalog", without_yaml_in=PRODUCTS) if relpath.endswith(".yaml")]
        cache.packs.prune([*others, *product_keys])


class MarshalStore:
    """Entries of plain data by key, each checksummed: a bad entry reads as missing, and is counted."""

    def __init__(self, folder: Path | None, magic: bytes):
        self.folder = folder
        self.magic = magic
        self.hits = 0
        self.misses = 0
        self.rejected = 0  # entries found corrupt or foreign, and replaced

    def get(self, key: bytes) -> Any | None:
        if self.folder is None:
            return None
        entry = self._load(key)
        if entry is None:
            self.misses += 1
            return None
        value = _unpack(entry, key, self.magic)
        if value is None:
            self.rejected += 1
            self.misses += 1
            return None
        self.hits += 1
        return value

    def put(self, key: bytes, value: Any) -> bool:
        """Store an entry; False when marshal cannot hold the value. A cache that cannot be written is
        only slower, never an error."""
        if self.folder is None or value is None:
            return True
        try:
            payload = marshal.dumps(value)
        except ValueError:  # something marshal cannot hold: do not cache it
            return False
        self._store(key, self.magic + key + hashlib.blake2b(payload, digest_size=_DIGEST).digest() + payload)
        return True

    def _load(self, key: bytes) -> bytes | None:
        name = key.hex()
        try:
            with open(os.path.join(self.folder, name[:2], name), "rb") as handle:
                return handle.read()
        except OSError:
            return None

    def _store(self, key: bytes, data: bytes) -> None:
        write_entry(self.folder, key, data)


def write_entry(folder: Path, key: bytes, data: bytes) -> None:
    """One cache entry, `folder/ab/abcd...`, replaced whole through a temporary file named by process
    and key. Creating the file is most of an entry's cost (about 200 us on this project's disk, whatever
    its name). No fsync: a torn entry fails its checksum and is rebuilt. A cache that cannot be written
    is only slower, never an error."""
    name = key.hex()
    place = folder / name[:2]
    try:
        place.mkdir(parents=True, exist_ok=True)
        tmp = place / f".tmp-{os.getpid()}-{name}"
        with open(tmp, "wb") as handle:
            handle.write(data)
        os.replace(tmp, place / name)
    except OSError:
        pass


class DocumentCache(MarshalStore):
    """Parsed documents by content, packed (pim.packs: a cold build parses every product file, and a
    file each cost 3 s of a 10,000-product validation). `folder=None` is a cache that keeps nothing
    (PIM_NO_CACHE=1)."""

    def __init__(self, folder: Path | None):
        super().__init__(folder, _MAGIC)
        self.packs = Packs(folder) if folder is not None else None

    def _load(self, key: bytes) -> bytes | None:
        return self.packs.read(key)

    def _store(self, key: bytes, data: bytes) -> None:
        self.packs.append(key, data)

    @classmethod
    def for_project(cls, root: Path | str) -> "DocumentCache":
        if os.environ.get("PIM_NO_CACHE"):
            return cls(None)
        return cls(Path(root) / CACHE_FOLDER)

    def get(self, data: bytes) -> tuple[bytes, Any | None]:  # type: ignore[override]
        """(key, document); document is None on a miss (YAML's own None is never cached)."""
        key = self.key(data)
        return key, super().get(key)

    @staticmethod
    def key(data: bytes) -> bytes:
        return content_key(data)

    def by_key(self, key: bytes) -> Any | None:
        return super().get(key)


def _unpack(entry: bytes, key: bytes, magic: bytes) -> Any | None:
    head = len(magic)
    if entry[:head] != magic or entry[head : head + _DIGEST] != key:
        return None
    checksum, payload = entry[head + _DIGEST : head + 2 * _DIGEST], entry[head + 2 * _DIGEST :]
    if hashlib.blake2b(payload, digest_size=_DIGEST).digest() != checksum:
        return None
    try:
        return marshal.loads(payload)
    except (ValueError, EOFError, TypeError):
        return None
