"""A large dict kept in one file, written and read a chunk at a time.

The stores that hold one entry per product or per feed file in one file (every product's light
section, 168 MB at 100,000 products; the record of the files a build wrote, 59 MB) were one marshal
payload with a digest before it. Writing it made the payload and a copy with the digest in front;
reading it made the file's bytes, a copy without the digest, and the dict: up to three times the
file in memory at once. Saving the light store took a cold build at 100,000 products from 999 MB to
its peak of 1,322 MB.

Here the file is a run of marshal chunks of at most CHUNK entries, each after its length, with a
digest of them all at the end. Writing holds one chunk's bytes at a time, reading one chunk's, and
a file that is cut short, damaged or of another kind reads as missing. Marshal, not pickle: a cache
restored by CI cannot run code. The file is replaced atomically and not fsynced: these are caches,
and a lost one only costs time.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import struct
import tempfile
from itertools import islice
from pathlib import Path
from typing import Any

CHUNK = 4096  # entries per chunk: a few MB of light sections at most
_LENGTH = struct.Struct("<Q")
_DIGEST = 20


def save(path: Path, magic: bytes, head: Any, entries: dict) -> None:
    """Write `head` (any marshal value) and `entries` into `path`, replacing it; OSError passes up."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as handle:
            digest = hashlib.blake2b(digest_size=_DIGEST)
            handle.write(magic)

            def chunk(value: Any) -> None:
                data = marshal.dumps(value)
                length = _LENGTH.pack(len(data))
                digest.update(length)
                digest.update(data)
                handle.write(length)
                handle.write(data)

            chunk(head)
            items = iter(entries.items())
            while batch := dict(islice(items, CHUNK)):
                chunk(batch)
            handle.write(_LENGTH.pack(0) + digest.digest())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def load(path: Path, magic: bytes) -> tuple[Any, dict] | None:
    """(head, entries) as saved, or None when the file is missing, cut short, damaged or not `magic`'s."""
    try:
        with open(path, "rb") as handle:
            if handle.read(len(magic)) != magic:
                return None
            left = os.fstat(handle.fileno()).st_size - len(magic)
            digest = hashlib.blake2b(digest_size=_DIGEST)
            head, entries, first = None, {}, True
            while True:
                length = handle.read(_LENGTH.size)
                if len(length) != _LENGTH.size:
                    return None
                (size,) = _LENGTH.unpack(length)
                left -= _LENGTH.size + size
                if left < 0:  # cut short, or a damaged length
                    return None
                if size == 0:
                    return (head, entries) if handle.read() == digest.digest() else None
                data = handle.read(size)
                digest.update(length)
                digest.update(data)
                value = marshal.loads(data)
                if first:
                    head, first = value, False
                elif isinstance(value, dict):
                    entries.update(value)
                else:
                    return None
    except (OSError, ValueError, EOFError, TypeError):
        return None
