"""Where feed files go: a staging folder that is committed into feeds/ only when the whole build succeeded."""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Iterator


class _HashingWriter(io.RawIOBase):
    """Counts and hashes the bytes on their way to the file, so the manifest costs no second read."""

    def __init__(self, target: BinaryIO):
        self._target = target
        self.sha256 = hashlib.sha256()
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:  # type: ignore[override]
        self.sha256.update(data)
        self.size += len(data)
        self._target.write(data)
        return len(data)


@dataclass(frozen=True, slots=True)
class WrittenFile:
    path: str  # relative to the feeds folder, with forward slashes
    sha256: str
    size: int


@dataclass
class FeedOutput:
    """Collects feed files. Writers call `open("google/US.xml")`; nothing reaches feeds/ before `commit`."""

    root: Path  # the final feeds/ folder
    files: dict[str, WrittenFile] = field(default_factory=dict)
    _staging: Path | None = None

    @property
    def staging(self) -> Path:
        if self._staging is None:
            self.root.mkdir(parents=True, exist_ok=True)
            self._staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=self.root))
        return self._staging

    @contextmanager
    def open(self, relpath: str) -> Iterator[BinaryIO]:
        if relpath in self.files:
            raise ValueError(f"two writers wrote {relpath}")
        target = self.staging / relpath
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "wb") as raw:
            hashing = _HashingWriter(raw)
            buffered = io.BufferedWriter(hashing, buffer_size=1 << 20)
            yield buffered  # type: ignore[misc]
            buffered.flush()
            raw.flush()
        self.files[relpath] = WrittenFile(relpath, hashing.sha256.hexdigest(), hashing.size)

    def commit(self, previous: dict[str, str] | None = None) -> list[str]:
        """Move every staged file into place; each rename is atomic, so no reader sees half a file.
        Returns the paths that changed.

        `previous` (path -> sha256, from the last manifest) lets a file whose bytes did not change stay
        as it is, with its time: a rebuild then replaces only what changed, and tools that sync feeds/
        by time or size send only that. The file in place is compared byte for byte first, so a feed
        edited by hand is still replaced.

        One `os.sync()` before the renames makes every staged byte durable first: the same guarantee as
        an fsync per file, without its cost (a 100,000-product build writes some 200,000 files). The
        staged copies of unchanged files are deleted before it, so they are never written to disk."""
        changed = []
        for relpath in sorted(self.files):
            staged = self.staging / relpath
            if previous and previous.get(relpath) == self.files[relpath].sha256 and _same_bytes(staged, self.root / relpath):
                staged.unlink()
            else:
                changed.append(relpath)
        os.sync()
        for relpath in changed:
            final = self.root / relpath
            final.parent.mkdir(parents=True, exist_ok=True)
            os.replace(self.staging / relpath, final)
        self.discard()
        return changed

    def discard(self) -> None:
        if self._staging is not None:
            shutil.rmtree(self._staging, ignore_errors=True)
            self._staging = None


def _same_bytes(a: Path, b: Path) -> bool:
    try:
        if a.stat().st_size != b.stat().st_size:
            return False
        with open(a, "rb") as left, open(b, "rb") as right:
            while chunk := left.read(1 << 20):
                if chunk != right.read(1 << 20):
                    return False
        return True
    except OSError:
        return False


def write_atomically(path: Path, data: bytes) -> None:
    """Replace one file: temporary file beside it, fsync, rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        os.fchmod(fd, _mode_for(path))  # mkstemp makes files private; the file keeps the mode it had, or gets the usual one
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _mode_for(path: Path) -> int:
    try:
        return path.stat().st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask
