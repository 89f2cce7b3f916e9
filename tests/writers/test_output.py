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


def test_a_folder_feeds_lacks_moves_into_place_whole_and_an_existing_one_file_by_file(tmp_path, monkeypatch):
    renames: list[str] = []
    real_replace = output.os.replace
    monkeypatch.setattr(output.os, "replace", lambda src, dst: (renames.append(str(dst)), real_replace(src, dst)))
    root = tmp_path / "feeds"
    products = {f"shop/US/products/{n}.json": f'{{"id": {n}}}\n'.encode() for n in range(30)}
    out, changed = _write(root, {"index.json": b"[]\n", **products})
    assert changed == sorted(["index.json", *products])
    assert renames == [f"{root}/index.json", f"{root}/shop"]  # 31 files in two renames

    renames.clear()
    second = {"index.json": b"[1]\n", **products, "shop/US/products/0.json": b'{"id": 0, "new": 1}\n', "shop/FR/products/0.json": b'{"id": 0}\n'}
    _, changed = _write(root, second, previous={path: f.sha256 for path, f in out.files.items()})
    assert changed == ["index.json", "shop/FR/products/0.json", "shop/US/products/0.json"]
    assert renames == [f"{root}/index.json", f"{root}/shop/FR", f"{root}/shop/US/products/0.json"]
    assert {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()} == set(second)
    assert all((root / path).read_bytes() == data for path, data in second.items())
    assert not any(p.name.startswith(".staging-") for p in root.iterdir())


def test_files_written_while_a_helper_creates_them_are_all_committed(tmp_path, monkeypatch):
    monkeypatch.setattr(output, "SPOOL", 2000)  # the large file is written by the build itself
    root = tmp_path / "feeds"
    files = {f"headless/US/products/{n}.json": f'{{"id": {n}}}\n'.encode() * (n + 1) for n in range(200)}
    files["google/US.xml"] = b"<item/>\n" * 1000
    out = FeedOutput(root)
    with out.helped():
        for relpath, data in files.items():
            with out.open(relpath) as handle:
                handle.write(data)
    assert out.commit() == sorted(files)
    assert {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()} == set(files)
    assert all((root / path).read_bytes() == data for path, data in files.items())
    assert {path: f.sha256 for path, f in out.files.items()} == {path: hashlib.sha256(data).hexdigest() for path, data in files.items()}


def test_a_file_the_helper_cannot_create_fails_the_build_and_leaves_feeds_as_they_were(tmp_path):
    root = tmp_path / "feeds"
    _write(root, {"a.xml": b"kept\n"})
    out = FeedOutput(root)
    with pytest.raises(OSError, match="creating a feed file in staging failed: .*File exists"):
        with out.helped():
            with out.open("b.json") as handle:
                handle.write(b"{}")
            with out.open("b.json/c.json") as handle:  # a folder where a file already is
                handle.write(b"{}")
    out.discard()
    assert [p.name for p in root.iterdir()] == ["a.xml"]


def test_the_helper_starts_with_the_first_small_file_staged_and_not_for_files_left_in_place(tmp_path, monkeypatch):
    root = tmp_path / "feeds"
    out, _ = _write(root, {"a.json": b"{}\n"})
    started: list[object] = []
    real = output.FileWriter
    monkeypatch.setattr(output, "FileWriter", lambda: started.append(real()) or started[-1])
    again = FeedOutput(root, previous={path: f.sha256 for path, f in out.files.items()})
    with again.helped():
        with again.open("a.json") as handle:
            handle.write(b"{}\n")  # the same bytes: left in place, nothing staged
    assert started == []
    with again.helped():
        for name in ("b.json", "c.json"):
            with again.open(name) as handle:
                handle.write(b"[]\n")
    assert len(started) == 1
    assert again.commit() == ["b.json", "c.json"]
    assert (root / "b.json").read_bytes() == (root / "c.json").read_bytes() == b"[]\n"
