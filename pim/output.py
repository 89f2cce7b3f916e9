"""Where feed files go: a staging folder that is committed into feeds/ only when the whole build succeeded."""

from __future__ import annotations

import hashlib
import io
import marshal
import os
import shutil
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Iterator

from pim import dictfile
from pim.file_writer import FileWriter
from pim.sources import RACY_NS, SIGNATURE, WorkingTree


class _HashingWriter(io.RawIOBase):
    """Counts and hashes the bytes on their way out, so the manifest costs no second read. Keeps the
    first SPOOL bytes in memory and opens the staged file only when a file grows past them or turns out
    to differ from the one in place: most feed files of a rebuild (one per product for a headless shop)
    did not change, and creating a file costs more than writing it."""

    def __init__(self, target: str, folders: set[str]):
        self.target = target  # a str: pathlib's joins were a sixth of writing 177,000 small files
        self.folders = folders  # folders known to exist (made once: 177,000 files are in few folders)
        self.sha256 = hashlib.sha256()
        self.size = 0
        self.memory: bytearray | None = bytearray()
        self.file: BinaryIO | None = None

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:  # type: ignore[override]
        self.sha256.update(data)
        self.size += len(data)
        if self.memory is not None and len(self.memory) + len(data) <= SPOOL:
            self.memory += data
        else:
            self.spill()
            self.file.write(data)
        return len(data)

    def spill(self) -> None:
        """Write what memory holds into the staged file, and everything after it there too."""
        if self.file is None:
            _make_folder(os.path.dirname(self.target), self.folders)
            self.file = open(self.target, "wb")
            self.file.write(self.memory or b"")
            self.memory = None

    def close(self) -> None:
        if self.file is not None:
            self.file.close()
        super().close()


SPOOL = 1 << 20  # bytes of one file held in memory before it goes to the staged file


@dataclass(frozen=True, slots=True)
class WrittenFile:
    path: str  # relative to the feeds folder, with forward slashes
    sha256: str
    size: int
    staged: bool = True  # False: the file in place already holds these bytes, nothing was staged


@dataclass
class FeedOutput:
    """Collects feed files. Writers call `open("google/US.xml")`; nothing reaches feeds/ before `commit`.

    `previous` (path -> sha256, from the last manifest) lets a file whose bytes did not change stay as it
    is, with its time: a rebuild then replaces only what changed, and tools that sync feeds/ by time or
    size send only that. The file in place is compared byte for byte first, so a feed edited by hand is
    still replaced."""

    root: Path  # the final feeds/ folder
    previous: dict[str, str] = field(default_factory=dict)
    files: dict[str, WrittenFile] = field(default_factory=dict)
    _staging: Path | None = None
    _folders: set[str] = field(default_factory=set)
    _helped: bool = False  # inside `helped`: small staged files go to a helper process
    _helper: FileWriter | None = None  # started with the first such file (a warm build may stage none)

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
        sink = _HashingWriter(f"{self.staging}/{relpath}", self._folders)
        try:
            buffered = io.BufferedWriter(sink, buffer_size=1 << 20)
            yield buffered  # type: ignore[misc]
            buffered.flush()
            sha256 = sink.sha256.hexdigest()
            # a file the last manifest does not list (the manifest itself) is compared byte for byte too
            unchanged = self.previous.get(relpath, sha256) == sha256 and _same_bytes(sink, f"{self.root}/{relpath}")
            if not unchanged:
                if sink.file is None and self._helped:
                    if self._helper is None:
                        self._helper = FileWriter()
                    self._helper.write(sink.target, sink.memory)
                else:
                    sink.spill()
        finally:
            sink.close()
        if unchanged and sink.file is not None:
            os.unlink(sink.target)  # a large file spilled before it proved unchanged: gone before the sync writes it
        self.files[relpath] = WrittenFile(relpath, sha256, sink.size, staged=not unchanged)

    @contextmanager
    def helped(self) -> Iterator[None]:
        """Small files opened inside are created in staging by a helper process (pim.file_writer) while
        the caller goes on; when this ends, every one is there. Only for the process that entered it:
        forked writers are not inside."""
        self._helped = True
        try:
            yield
            if self._helper is not None:
                self._helper.close()
        except BaseException:
            if self._helper is not None:
                self._helper.stop()
            raise
        finally:
            self._helped, self._helper = False, None

    def keep(self, relpath: str, sha256: str, size: int) -> None:
        """A file known to be in place with these bytes already (pim.output.WrittenRecord): not written at all."""
        if relpath in self.files:
            raise ValueError(f"two writers wrote {relpath}")
        self.files[relpath] = WrittenFile(relpath, sha256, size, staged=False)

    def commit(self) -> list[str]:
        """Move every staged file into place; each rename is atomic, so no reader sees half a file.
        Returns the paths that changed; the others were never staged and stay as they are.

        One `os.sync()` before the renames makes every staged byte durable first: the same guarantee as
        an fsync per file, without its cost (a 100,000-product build writes some 200,000 files)."""
        changed = [relpath for relpath in sorted(self.files) if self.files[relpath].staged]
        os.sync()
        moved: set[str] = set()  # folders moved into place whole
        whole: dict[str, bool] = {}  # folder -> whether it moved with a folder moved whole
        for relpath in changed:
            folder = relpath.rpartition("/")[0]
            if folder not in whole:
                whole[folder] = self._moved_whole(folder, moved)
            if not whole[folder]:
                _make_folder(f"{self.root}/{folder}", self._folders)
                os.replace(f"{self.staging}/{relpath}", f"{self.root}/{relpath}")
        self.discard()
        return changed

    def _moved_whole(self, folder: str, moved: set[str]) -> bool:
        """Whether `folder` is inside a folder moved into place whole. The outermost of its folders that
        feeds/ lacks (a first build's, a new market's) moves now, with everything in it: one rename for
        its files, where a first build at 100,000 products renamed 177,000 one by one. Staging holds
        only the files that changed, so a staged folder holds nothing else."""
        path = ""
        for name in folder.split("/") if folder else ():
            path = f"{path}/{name}" if path else name
            if path in moved:
                return True
            if not os.path.isdir(f"{self.root}/{path}"):
                os.replace(f"{self.staging}/{path}", f"{self.root}/{path}")
                moved.add(path)
                return True
        return False

    def discard(self) -> None:
        if self._staging is not None:
            shutil.rmtree(self._staging, ignore_errors=True)
            self._staging = None


def _make_folder(folder: str, made: set[str]) -> None:
    if folder not in made:
        os.makedirs(folder, exist_ok=True)
        made.add(folder)


def _same_bytes(sink: _HashingWriter, existing: str) -> bool:
    """Whether the file in place holds exactly the bytes written (its size first, then the bytes)."""
    try:
        if os.stat(existing).st_size != sink.size:
            return False
        with open(existing, "rb") as right:
            if sink.file is None:
                return right.read() == sink.memory
            sink.file.flush()
            with open(sink.target, "rb") as left:
                while chunk := left.read(1 << 20):
                    if chunk != right.read(1 << 20):
                        return False
            return True
    except OSError:
        return False


def write_atomically(path: Path, data: bytes, *, durable: bool = True) -> None:
    """Replace one file: temporary file beside it, fsync (unless not `durable`: a cache), rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        os.fchmod(fd, _mode_for(path))  # mkstemp makes files private; the file keeps the mode it had, or gets the usual one
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            if durable:
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


class WrittenRecord:
    """What a build last wrote into one feeds folder: per file, a digest of what it was made from (its
    recipe), its sha256 and size, and its signature once in place (size, times, inode). A file whose
    recipe and signature are unchanged holds the bytes the build would write again, so it is neither
    written nor read, as git's index knows a file unchanged. A file changed within RACY_NS before the
    record was written is not trusted (its signature could survive a change in the same clock tick),
    and a file edited by hand has another signature: both are written again."""

    def __init__(self, path: Path, root: Path):
        self.path = path
        self.root = root
        loaded = dictfile.load(path, _RECORD_MAGIC)
        if loaded is None or not isinstance(loaded[0], int):
            loaded = (0, {})
        self.written_ns: int = loaded[0]  # when the record was written
        self.known: dict[str, tuple[bytes, str, int, bytes, bytes | None]] = loaded[1]  # path -> (recipe, sha256, size, signature, layout)

    @classmethod
    def for_root(cls, cache_folder: Path, root: Path) -> "WrittenRecord":
        name = hashlib.blake2b(str(root.resolve()).encode(), digest_size=16).hexdigest()
        return cls(cache_folder / name, root)

    def unchanged(self, recipes: dict[str, bytes]) -> dict[str, tuple[str, int]]:
        """path -> (sha256, size) of each file whose recipe and signature are as recorded."""
        paths = [path for path, recipe in recipes.items() if path in self.known and self.known[path][0] == recipe]
        found = {}
        for path, signature in zip(paths, _signatures(self.root, paths)):
            if self._trusted(path, signature):
                found[path] = self.known[path][1:3]
        return found

    def layout(self, path: str) -> dict[bytes, tuple[int, int, int]] | None:
        """Where each part of the file in place is (pim.writers.assembly.Reuse), if the file is as recorded."""
        if path not in self.known or self.known[path][4] is None or not self._trusted(path, _signatures(self.root, [path])[0]):
            return None
        try:
            layout = marshal.loads(self.known[path][4])
        except (ValueError, EOFError, TypeError):
            return None
        return layout if isinstance(layout, dict) else None

    def _trusted(self, path: str, signature: bytes | None) -> bool:
        """Whether the file in place is the one recorded: same signature, and not changed near the record's time."""
        return signature is not None and signature == self.known[path][3] and SIGNATURE.unpack(signature)[1] < self.written_ns - RACY_NS

    def save(self, recipes: dict[str, bytes], files: dict[str, WrittenFile], layouts: dict[str, bytes]) -> None:
        """Record these files as now in place (after the commit); a file left in place keeps its layout."""
        paths = sorted(path for path in recipes if path in files)
        old = {path: entry[4] for path, entry in self.known.items()}
        known = {path: (recipes[path], files[path].sha256, files[path].size, signature, layouts.get(path, old.get(path) if not files[path].staged else None)) for path, signature in zip(paths, _signatures(self.root, paths)) if signature is not None}
        try:
            dictfile.save(self.path, _RECORD_MAGIC, time.time_ns(), known)
            # One record per feeds folder, and only the latest few folders: `build --check` builds into a
            # new temporary folder each time, whose record no build reads again.
            records = sorted(self.path.parent.iterdir(), key=lambda path: path.stat().st_mtime_ns, reverse=True)
            for stale in records[RECORDS_KEPT:]:
                stale.unlink(missing_ok=True)
        except OSError:
            pass  # without a record, the next build writes these files again: slower, never wrong


_RECORD_MAGIC = b"PIMWRITTEN2\n"
RECORDS_KEPT = 4


def _signatures(root: Path, paths: list[str]) -> list[bytes | None]:
    return WorkingTree(root).signatures(paths)
