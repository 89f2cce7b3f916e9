"""A helper process that creates the small files a build stages, while the build goes on joining.

Creating a file costs this project's disk about 30 us on its own, and 130-220 us inside a build, whose
render cache is still being written back; a first build at 100,000 products stages 177,000 feed files,
one process after the other. So the join hands each small file's path and bytes to a helper through a
pipe and goes on, and the helper creates the files meanwhile, on the other core. The build waits for
it before it commits (`close`), and a helper that failed fails the build with its error: the files
are staged, so feeds/ is untouched either way.

The helper is a fresh interpreter running `main` below, not a fork of the build (which holds a
gigabyte of light items at that point); it imports nothing of pim's but this module.
"""

from __future__ import annotations

import os
import struct
import subprocess
import sys

_HEAD = struct.Struct("<IQ")  # the path's length, the bytes' length


class FileWriter:
    """The build's end of the pipe: `write` queues a file, `close` waits until every file is created."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", "from pim.file_writer import main; main()"],
            stdin=subprocess.PIPE,
            stderr=subprocess.PIPE,
            bufsize=1 << 20,
        )

    def write(self, path: str, data: bytes | bytearray) -> None:
        encoded = path.encode("utf-8", "surrogateescape")
        try:
            self.process.stdin.write(_HEAD.pack(len(encoded), len(data)))
            self.process.stdin.write(encoded)
            self.process.stdin.write(data)
        except BrokenPipeError:
            self.close()  # raises the helper's own error
            raise OSError("the helper creating feed files stopped early") from None

    def close(self) -> None:
        """Wait for the helper; OSError with its message when it could not create a file."""
        try:
            _, error = self.process.communicate()
        except (BrokenPipeError, ValueError):  # the pipe was already broken or closed
            error = self.process.stderr.read() if self.process.stderr else b""
            self.process.wait()
        if self.process.returncode:
            lines = error.decode("utf-8", "replace").strip().splitlines()
            raise OSError(f"creating a feed file in staging failed: {lines[-1] if lines else f'exit status {self.process.returncode}'}")

    def stop(self) -> None:
        """The build failed first: end the helper without waiting for its files."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        for stream in (self.process.stdin, self.process.stderr):
            try:
                stream.close()
            except (BrokenPipeError, OSError, ValueError):
                pass


def main() -> None:
    """The helper: create each file the pipe names, with its bytes, until the pipe closes."""
    pipe = sys.stdin.buffer
    made: set[str] = set()
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC
    while head := pipe.read(_HEAD.size):
        if len(head) != _HEAD.size:
            raise SystemExit("the pipe from the build was cut short")
        path_size, size = _HEAD.unpack(head)
        path = pipe.read(path_size).decode("utf-8", "surrogateescape")
        data = pipe.read(size)
        if len(data) != size:
            raise SystemExit("the pipe from the build was cut short")
        folder = os.path.dirname(path)
        if folder not in made:
            os.makedirs(folder, exist_ok=True)
            made.add(folder)
        fd = os.open(path, flags, 0o666)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
        finally:
            os.close(fd)
