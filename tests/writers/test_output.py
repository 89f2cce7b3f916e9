"""Feed output: staged, committed together, and a file whose bytes did not change left in place."""

from __future__ import annotations

import hashlib

import pytest

from pim import output
from pim.output import FeedOutput


def _write(root, files: dict[str, bytes], previous: dict[str, str] | None = None) -> tuple[FeedOutput, list[str]]:
    out = FeedOutput(root, previous=previous or {})
    for relpath, data in files.items():
        with out.open(relpath) as handle:
            for start in range(0, len(data), 1000):  # writers write in pieces
                handle.write(data[start : start + 1000])
    return out, out.commit()


@pytest.mark.parametrize("spool", [1 << 20, 100], ids=["in memory", "spilled to the staged file"])
def test_only_files_whose_bytes_changed_are_replaced(tmp_path, monkeypatch, spool):
    monkeypatch.setattr(output, "SPOOL", spool)
    root = tmp_path / "feeds"
    first = {"a/same.xml": b"<x>same</x>\n" * 50, "a/changed.xml": b"old\n" * 50, "b/edited.csv": b"id,title\n1,Mug\n" * 20}
    out, changed = _write(root, first)
    assert changed == sorted(first)
    inodes = {path: (root / path).stat().st_ino for path in first}
    (root / "b/edited.csv").write_bytes((root / "b/edited.csv").read_bytes().replace(b"Mug", b"MUG"))  # a hand edit, same size

    second = {**first, "a/changed.xml": b"new\n" * 50}
    out, changed = _write(root, second, previous={path: f.sha256 for path, f in out.files.items()})

    assert changed == ["a/changed.xml", "b/edited.csv"]
    assert (root / "a/same.xml").stat().st_ino == inodes["a/same.xml"]
    assert {path: (root / path).read_bytes() for path in second} == second
    assert {path: f.sha256 for path, f in out.files.items()} == {path: hashlib.sha256(data).hexdigest() for path, data in second.items()}
    assert not any(p.name.startswith(".staging-") for p in root.iterdir())


def test_a_file_a_writer_fails_on_leaves_feeds_as_they_were(tmp_path):
    root = tmp_path / "feeds"
    _write(root, {"a.xml": b"kept\n"})
    out = FeedOutput(root)
    with pytest.raises(RuntimeError):
        with out.open("a.xml") as handle:
            handle.write(b"half")
            raise RuntimeError("writer failed")
    out.discard()
    assert (root / "a.xml").read_bytes() == b"kept\n"
    assert [p.name for p in root.iterdir()] == ["a.xml"]
