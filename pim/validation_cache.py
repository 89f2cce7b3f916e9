"""The validation cache: what validating each product file found, kept between runs, so a warm `pim
validate` neither reads nor types a product file that did not change (100,000 products: parsing them
from the parse cache and typing them cost about 20 s; this reads one entry and stats the files).

One entry per project (`.pim/cache/validated/`), read in one go. Per product file it keeps:
- its signature (size, modification and change times, inode) and the hash of its bytes;
- the product's id, and its variants' SKUs and GTINs: the checks across products need only these;
- the problems of the file itself (loading it and the checks of one product).

A file whose signature is unchanged is taken as unchanged, as git's index does, unless it was modified
less than `RACY_NS` before the entry was written: within one tick of the file system's clock a change
could keep the signature. Such a file is read again, and is unchanged if its bytes hash the same; so
is a file with a new signature (a fresh clone, a copy), which then keeps its new signature. In
a git revision (`pim diff`) the signature is the file's blob id, and revisions keep their own entry.

The entry holds for one context: pim's code, the channel names, every other catalog file's bytes and
the names of the catalog's other files (a product's checks ask whether its images exist). Change any
of them and every product is validated again. Like the other caches, the entry is marshal data with a
checksum (`pim.cache.MarshalStore`): a bad entry is ignored and rewritten.
"""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path
from typing import Any, NamedTuple

from pim.cache import DocumentCache, MarshalStore, code_digest, content_key, digest_catalog_files
from pim.model import Product
from pim.problems import Problem
from pim.sources import RACY_NS, Source, ToolError, WorkingTree
from pim.yamlfile import decode, parse

VALIDATED_FOLDER = ".pim/cache/validated"
_MAGIC = b"PIMVALID1\n"
_ENTRY = content_key(b"validated product files")
_REVISION_ENTRY = content_key(b"validated product files of a git revision")
# Problems that compare one product with others: found again from the facts kept whenever a product file
# changed (duplicate ids always: the loader sees them), and kept apart from each file's own problems.
ACROSS_PRODUCTS = frozenset({"PIM220", "PIM221", "PIM222"})
_BATCH = 5000  # a revision's files read at once when they must be hashed (about 15 MB)


class Known(NamedTuple):
    """One product file as it was validated."""

    signature: bytes  # Source.signatures, then the content key of the file's bytes
    product_id: str | None  # None: the file gave no product (its problems say why)
    skus: str | tuple[str, ...]  # each variant's SKU in file order, one per line (`lines`)
    gtins: str | tuple[str, ...]  # each variant's GTIN, or an empty line
    problems: tuple  # Problem.to_plain of the file's own problems

    @property
    def key(self) -> bytes:
        return self.signature[-20:]


def lines(joined: str | tuple[str, ...]) -> list[str]:
    return joined.split("\n") if type(joined) is str else list(joined)


def joined(values: list[str]) -> str | tuple[str, ...]:
    """One text for many values, which marshal reads far faster than as many strings (100,000 products'
    SKUs and GTINs: 0.08 s instead of 0.55 s); a tuple in the rare case a value holds a line break."""
    return tuple(values) if any("\n" in value for value in values) else "\n".join(values)


def variant_ids(product: "Product | UntypedProduct") -> tuple[str | tuple[str, ...], str | tuple[str, ...]]:
    """A product's SKUs and GTINs (an empty line where a variant has none), each `joined`: what the
    entry keeps and the checks across products compare, from a typed product or an untyped one."""
    if isinstance(product, UntypedProduct):
        return product.known.skus, product.known.gtins
    return joined([v.sku for v in product.variants]), joined([v.gtin or "" for v in product.variants])


def every_line(parts: list[str | tuple[str, ...]]) -> list[str]:
    """The values of many `joined` parts, in no particular order, splitting one text instead of many."""
    texts = [part for part in parts if type(part) is str]
    values = "\n".join(texts).split("\n") if texts else []
    for part in parts:
        if type(part) is not str:
            values += part
    return values


class ValidationCache:
    def __init__(self, source: Source, context: bytes, folder: Path):
        self.source = source
        self.context = context
        self.store = MarshalStore(folder, _MAGIC)
        # A git revision's signatures are blob ids: the bytes themselves, so nothing is racy. It has its
        # own entry: each side of a diff rewrites it, and the two differ only in the files changed.
        self.racy_possible = isinstance(source, WorkingTree)
        self.name = _ENTRY if self.racy_possible else _REVISION_ENTRY
        entry = self.store.get(self.name)
        valid = isinstance(entry, dict) and entry.get("context") == context and isinstance(entry.get("files"), dict)
        borrowed = False
        if not valid and not self.racy_possible:
            # A revision not validated yet (the first diff after a build): the working tree's entry for
            # the same context serves every file with the same bytes, each read and hashed, not typed.
            entry = self.store.get(_ENTRY)
            valid = borrowed = isinstance(entry, dict) and entry.get("context") == context and isinstance(entry.get("files"), dict)
        self.written_ns: int = entry["written_ns"] if valid else 0
        self.known: dict[str, tuple] = entry["files"] if valid else {}
        self.known_across: tuple = entry.get("across", ()) if valid else ()
        self.current: dict[str, tuple] = {}  # what the next entry holds: this run's product files
        self.across: tuple = ()  # this run's findings across products (duplicate SKUs, GTINs)
        self.changed = not valid or borrowed
        self.all_unchanged = False  # every product file is as the entry has it, and no file came or went

    @classmethod
    def open(cls, source: Source, channels: frozenset[str]) -> "ValidationCache | None":
        """The cache of this working tree or git revision, or None where nothing is cached (PIM_NO_CACHE,
        a dry run into a folder not made yet)."""
        if os.environ.get("PIM_NO_CACHE") or not getattr(source, "keeps_parse_cache", True):
            return None
        digest = hashlib.blake2b(code_digest(), digest_size=20)
        digest.update("\0".join(sorted(channels)).encode())
        digest_catalog_files(digest, source, names=True)
        return cls(source, digest.digest(), Path(source.root) / VALIDATED_FOLDER)

    def unchanged_files(self, relpaths: list[str]) -> dict[str, Known]:
        """What validating each file found last time, for the files that are as they were then."""
        candidates = [relpath for relpath in relpaths if relpath in self.known]
        unchanged: dict[str, Known] = {}
        doubtful: list[tuple[str, bytes, int]] = []
        racy_from = self.written_ns - RACY_NS
        for relpath, signature in zip(candidates, self.source.signatures(candidates)):
            if signature is None:
                continue
            entry = self.known[relpath]
            modified = int.from_bytes(signature[8:16], "little", signed=True) if self.racy_possible else 0
            if signature != entry[0][:-20] or (self.racy_possible and modified >= racy_from):
                doubtful.append((relpath, signature, modified))
                continue
            self.current[relpath] = entry
            unchanged[relpath] = Known(*entry)
        # Touched (a fresh clone, a copy, a revision borrowing the working tree's entry) or racy (the
        # signature alone proves nothing): the same bytes are still the same file, and reading them
        # costs far less than validating them.
        keys = self._content_keys([relpath for relpath, _, _ in doubtful])
        for relpath, signature, modified in doubtful:
            entry = self.known[relpath]
            if keys[relpath] != entry[0][-20:]:
                continue
            entry = (signature + entry[0][-20:], *entry[1:])
            self.changed = self.changed or entry != self.known[relpath] or time.time_ns() - modified > RACY_NS
            self.current[relpath] = entry
            unchanged[relpath] = Known(*entry)
        self.all_unchanged = len(unchanged) == len(relpaths) == len(self.known) and not self.changed
        return unchanged

    def _content_keys(self, relpaths: list[str]) -> dict[str, bytes | None]:
        """relpath -> content key of its bytes (None: unreadable), reading a revision's files in batches."""
        keys: dict[str, bytes | None] = {}
        many = getattr(self.source, "read_many", None)
        for start in range(0, len(relpaths), _BATCH):
            chunk = relpaths[start : start + _BATCH]
            found = many(chunk) if many is not None else {relpath: self.source.read(relpath) for relpath in chunk}
            keys.update({relpath: None if found.get(relpath) is None else content_key(found[relpath]) for relpath in chunk})
        return keys

    def found_across(self) -> list[Problem] | None:
        """The findings across products of the run that wrote the entry, when they still hold: no product
        file changed, came or went since (the checks across products read nothing else)."""
        return [Problem.from_plain(plain) for plain in self.known_across] if self.all_unchanged else None

    def remember_across(self, problems: list[Problem]) -> None:
        self.across = tuple(p.to_plain() for p in problems if p.code in ACROSS_PRODUCTS and p.code != "PIM220")
        self.changed = self.changed or self.across != self.known_across

    def remember(self, relpath: str, signature: bytes | None, key: bytes | None, product: Product | None, problems: list[Problem]) -> None:
        """Keep what validating a changed file found. `signature` was taken before the file was read, so
        a change made while pim ran is seen next time."""
        if signature is None or key is None:
            return
        skus, gtins = variant_ids(product) if product else ("", "")
        plain = tuple(p.to_plain() for p in problems if p.code not in ACROSS_PRODUCTS)
        self.current[relpath] = (signature + key, product.id if product else None, skus, gtins, plain)
        self.changed = True

    def save(self) -> None:
        if self.changed or self.current.keys() != self.known.keys():
            self.store.put(self.name, {"context": self.context, "written_ns": time.time_ns(), "files": self.current, "across": self.across})


class UntypedProduct:
    """A product whose file did not change since it was validated. Its id, SKUs and GTINs are at hand;
    every other attribute types the product first, from the parse cache. A warm build reads few of
    them: typing 100,000 products costs about 6 s and 2 GB."""

    __slots__ = ("id", "known", "_relpath", "_source", "_documents", "_product")

    def __init__(self, known: Known, relpath: str, source: Source, documents: DocumentCache):
        self.id = known.product_id
        self.known = known
        self._relpath = relpath
        self._source = source
        self._documents = documents
        self._product: Product | None = None

    def __getattr__(self, name: str) -> Any:  # called only for what the slots do not hold
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(self.typed(), name)

    def __reduce__(self):  # another process gets the typed product
        return (_same, (self.typed(),))

    def typed(self, *, keep: bool = True) -> Product:
        """The typed product; with `keep`, kept for the next attribute read (a render types each product
        once and does not keep it, so a worker never holds every product typed)."""
        if self._product is not None:
            return self._product
        document = self._documents.by_key(self.known.key)
        if document is None:  # the parse cache lost it: read the file again
            data = self._source.read(self._relpath)
            if data is None or content_key(data) != self.known.key:
                raise ToolError(f"{self._relpath} changed while pim was running: run pim again")
            document = parse(decode(data))
        product = Product.model_validate(document)
        if keep:
            self._product = product
        return product


def _same(product: Product) -> Product:
    return product
