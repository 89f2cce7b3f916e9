"""Cache entries packed into append-only files, one pair of files per writing process.

Creating a file is most of what a cache entry of its own costs: 200 us on this project's disk alone,
600 us inside a cold build that writes 100,000 of them. Appending to a file already open costs about
10 us. So each process that makes entries appends them to a pack of its own, `<name>.pack`, and after
each entry a record of 32 bytes to `<name>.idx`: the entry's key (20 bytes), offset and size. The
record is written after the bytes it points at, so a reader never finds a record whose bytes are not
yet in the pack; a record cut short by a crash is ignored.

A reader loads every index once, and what they gained when told (`refresh`: the workers it forked have
written entries), and reads an entry with one `pread`. Packs hold bytes only: the stores put a key and
checksums into each entry and check them, so a damaged pack reads as entries missing, which are made
again. Where two packs hold the same key, the index written last wins (an entry made again after it
proved damaged).

Packs are never rewritten in place. `prune` deletes packs none of whose entries are live, and when
dead entries outweigh the live ones, copies the live entries of mostly dead packs into a pack of its
own and deletes those, so the folder holds at most about twice what one build reads.
"""

from __future__ import annotations

import os
import shutil
import struct
import time
from pathlib import Path
from typing import Iterable

KEY_SIZE = 20
_RECORD = struct.Struct(f"<{KEY_SIZE}sQI")  # key, offset, size


class Packs:
    """The entries of one folder: `read` and `has` by key, `append` to this process's own pack."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.started = time.time_ns() - 10**9  # file times come from a coarser clock: a second's margin
        # key -> pack number, offset and size in one int (`_at`): 100,000 entries in 13 MB, not 20
        self._where: dict[bytes, int] = {}
        self._names: list[str] = []  # pack number -> name
        self._numbers: dict[str, int] = {}
        self._read_to: dict[str, int] = {}  # index name -> bytes of it consumed
        self._files: dict[str, int] = {}  # pack name -> descriptor open for reading
        self._loaded = False
        self._writer: tuple[int, str, int, int] | None = None  # (pid, name, pack descriptor, index descriptor)
        self._size = 0  # of this process's pack

    # --- reading -----------------------------------------------------------------------------------

    def has(self, key: bytes) -> bool:
        """Whether an index names the key (as loaded; the entry may still prove damaged when read)."""
        self._load()
        return key in self._where

    def read(self, key: bytes, start: int = 0, size: int | None = None) -> bytes | None:
        """Bytes start..start+size of the entry (all of it by default), or None when no pack holds them whole."""
        self._load()
        found = self._where.get(key)
        if found is None:
            return None
        name, offset, length = self._at(found)
        size = length - start if size is None else size
        if start < 0 or size < 0 or start + size > length:
            return None
        try:
            descriptor = self._files.get(name)
            if descriptor is None:
                descriptor = self._files[name] = os.open(self.folder / f"{name}.pack", os.O_RDONLY)
            data = os.pread(descriptor, size, offset + start)
        except OSError:
            return None
        return data if len(data) == size else None

    def keys(self) -> list[bytes]:
        self._load()
        return list(self._where)

    def locations(self) -> list[tuple[bytes, Path, int, int]]:
        """(key, pack file, offset, size) of every entry: where the bytes of each are."""
        self._load()
        return [(key, self.folder / f"{name}.pack", offset, size) for key, (name, offset, size) in ((k, self._at(v)) for k, v in self._where.items())]

    def refresh(self) -> None:
        """Read what the indexes gained since they were last read."""
        found = []
        try:
            for entry in os.scandir(self.folder):
                if entry.name.endswith(".idx"):
                    try:
                        found.append((entry.stat().st_mtime_ns, entry.name))
                    except OSError:  # pruned by another build since the folder was listed
                        continue
        except OSError:
            return
        for _, index in sorted(found):  # the index written last wins a key two packs hold
            name = index[: -len(".idx")]
            try:
                with open(self.folder / index, "rb") as handle:
                    handle.seek(self._read_to.get(index, 0))
                    data = handle.read()
            except OSError:
                continue
            whole = len(data) - len(data) % _RECORD.size
            for key, offset, size in _RECORD.iter_unpack(data[:whole]):
                self._where[key] = self._packed(name, offset, size)
            self._read_to[index] = self._read_to.get(index, 0) + whole

    def _packed(self, name: str, offset: int, size: int) -> int:
        number = self._numbers.get(name)
        if number is None:
            number = self._numbers[name] = len(self._names)
            self._names.append(name)
        return number << 72 | offset << 32 | size

    def _at(self, packed: int) -> tuple[str, int, int]:
        """(pack name, offset, size) of a packed location."""
        return self._names[packed >> 72], (packed >> 32) & (1 << 40) - 1, packed & 0xFFFFFFFF

    def _load(self) -> None:
        if not self._loaded:
            self._loaded = True
            self.refresh()

    # --- writing -----------------------------------------------------------------------------------

    def append(self, key: bytes, data: bytes) -> None:
        """Add an entry to this process's pack. A cache that cannot be written is only slower, never an error."""
        if len(key) != KEY_SIZE:
            raise ValueError(f"a pack key is {KEY_SIZE} bytes")
        if len(data) >> 32:  # a location holds a 32-bit size: so large an entry is not kept
            return
        try:
            pid, name, pack, index = self._open_writer()
            offset = self._size
            _write_all(pack, data)
            self._size += len(data)
            os.write(index, _RECORD.pack(key, offset, len(data)))
        except OSError:
            return
        self._load()
        self._where[key] = self._packed(name, offset, len(data))

    def _open_writer(self) -> tuple[int, str, int, int]:
        """This process's pack, made on its first entry (a forked worker makes one of its own)."""
        pid = os.getpid()
        if self._writer is None or self._writer[0] != pid:
            self.folder.mkdir(parents=True, exist_ok=True)
            name = f"{pid}-{os.urandom(6).hex()}"
            flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND
            pack = os.open(self.folder / f"{name}.pack", flags, 0o644)
            index = os.open(self.folder / f"{name}.idx", flags, 0o644)
            self._writer, self._size = (pid, name, pack, index), 0
        return self._writer

    def close(self) -> None:
        for descriptor in self._files.values():
            os.close(descriptor)
        self._files = {}
        if self._writer is not None and self._writer[0] == os.getpid():
            os.close(self._writer[2])
            os.close(self._writer[3])
            self._writer = None

    # --- pruning -----------------------------------------------------------------------------------

    def prune(self, live: Iterable[bytes]) -> None:
        """Keep the `live` entries (in their order) and no more than about as many bytes again of others."""
        self.refresh()
        live = [key for key in dict.fromkeys(live) if key in self._where]
        own = self._writer[1] if self._writer is not None else None
        sizes: dict[str, int] = {}
        recent: set[str] = set()
        try:
            found = list(os.scandir(self.folder))
        except OSError:
            return
        for entry in found:
            if entry.name.endswith(".pack"):
                stat = entry.stat()
                sizes[entry.name[: -len(".pack")]] = stat.st_size
                if stat.st_mtime_ns >= self.started:
                    recent.add(entry.name[: -len(".pack")])
            elif len(entry.name) == 2 and entry.is_dir():  # the entry-per-file layout of earlier versions
                shutil.rmtree(entry.path, ignore_errors=True)
        kept: dict[str, int] = {}
        for key in live:
            name, _, size = self._at(self._where[key])
            kept[name] = kept.get(name, 0) + size
        # A pack written since this build began and holding none of its entries is another build's.
        ours = [name for name in sizes if name != own and (name in kept or name not in recent)]
        dead = sum(sizes[name] - kept.get(name, 0) for name in ours)
        if dead > sum(kept.values()):
            mostly_dead = {name for name in ours if kept.get(name, 0) * 2 < sizes[name]}
            for key in live:
                if self._at(self._where[key])[0] in mostly_dead:
                    data = self.read(key)
                    if data is not None:
                        self.append(key, data)
            ours = [name for name in ours if name in mostly_dead or name not in kept]
        else:
            ours = [name for name in ours if name not in kept]
        self._drop(set(ours))

    def _drop(self, names: set[str]) -> None:
        if not names:
            return
        for name in names:
            descriptor = self._files.pop(name, None)
            if descriptor is not None:
                os.close(descriptor)
            for suffix in (".idx", ".pack"):
                (self.folder / f"{name}{suffix}").unlink(missing_ok=True)
            self._read_to.pop(f"{name}.idx", None)
        numbers = {self._numbers[name] for name in names if name in self._numbers}
        self._where = {key: found for key, found in self._where.items() if found >> 72 not in numbers}


def _write_all(descriptor: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(descriptor, view) :]
