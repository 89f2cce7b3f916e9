"""The render cache: a rebuild renders only what changed, and writes the same bytes as a build without it."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest

from pim.item_cache import ITEMS_FOLDER
from pim.packs import Packs
from tests.channels.demo import EPOCH, copy_demo, read_tree, run_pim
from tests.core.test_cache import overwrite

PRODUCT = "catalog/products/TJ-100.yaml"


def entries(project: Path) -> set[bytes]:
    return set(Packs(project / ITEMS_FOLDER).keys())


def damage_entries(project: Path, damage) -> None:
    """Each entry's bytes in its pack replaced by `damage(bytes)`, which keeps or shortens them."""
    for _, pack, offset, size in Packs(project / ITEMS_FOLDER).locations():
        overwrite(pack, offset, size, damage(pack.read_bytes()[offset : offset + size]))


def build(project: Path, out: Path, **env: str) -> dict[str, bytes]:
    done = run_pim("build", "--jobs", "1", "--out", str(out), cwd=project, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    return read_tree(out)


def without_cache(project: Path, out: Path) -> dict[str, bytes]:
    return build(project, out, PIM_NO_CACHE="1")


@pytest.fixture
def demo(tmp_path) -> Path:
    return copy_demo(tmp_path / "demo")


def test_a_rebuild_after_one_edit_renders_one_product_and_writes_what_a_full_build_writes(demo, tmp_path):
    build(demo, tmp_path / "first")
    first = entries(demo)
    assert len(first) == len(list((demo / "catalog/products").glob("*.yaml")))
    (demo / PRODUCT).write_text((demo / PRODUCT).read_text().replace('price: {USD: "129.00", EUR: "119.00"}', 'price: {USD: "131.00", EUR: "119.00"}'))
    again = build(demo, tmp_path / "again")
    assert len(entries(demo) - first) == 1  # only the edited product was rendered
    assert again == without_cache(demo, tmp_path / "full")
    assert again != read_tree(tmp_path / "first")


@pytest.mark.parametrize("edit", ["mappings/google.yaml", "catalog/families/apparel.yaml", "catalog/settings.yaml"])
def test_a_change_outside_the_products_renders_everything_again(demo, tmp_path, edit):
    build(demo, tmp_path / "first")
    first = entries(demo)
    (demo / edit).write_text((demo / edit).read_text() + "\n# edited\n")
    again = build(demo, tmp_path / "again")
    assert len(entries(demo) - first) == len(first)
    assert again == without_cache(demo, tmp_path / "full")


def test_a_whole_build_deletes_the_entries_no_product_reads_any_more(demo, tmp_path):
    build(demo, tmp_path / "first")
    first = entries(demo)
    past = time.time_ns() - 10**10  # the first build is over well before the next begins
    for path in (demo / ITEMS_FOLDER).iterdir():
        os.utime(path, ns=(past, past))
    edit = "mappings/google.yaml"
    (demo / edit).write_text((demo / edit).read_text() + "\n# edited\n")
    build(demo, tmp_path / "again")
    now = entries(demo)
    assert len(now) == len(first) and not now & first  # every product rendered again, the old entries gone
    assert all(path.stat().st_mtime_ns > past for path in (demo / ITEMS_FOLDER).iterdir())


def test_a_build_of_one_channel_keeps_what_whole_builds_read(demo, tmp_path):
    build(demo, tmp_path / "first")
    first = entries(demo)
    past = time.time_ns() - 10**10
    for path in (demo / ITEMS_FOLDER).iterdir():
        os.utime(path, ns=(past, past))
    done = run_pim("build", "--jobs", "1", "-c", "google", "--out", str(tmp_path / "google"), cwd=demo)
    assert done.returncode == 0, done.stdout + done.stderr
    assert first < entries(demo)  # its own entries (another plan, other keys) beside the whole build's


def test_another_build_day_renders_everything_again(demo, tmp_path):
    build(demo, tmp_path / "first")
    first = entries(demo)
    build(demo, tmp_path / "later", SOURCE_DATE_EPOCH=str(int(EPOCH) + 86400))
    assert len(entries(demo) - first) == len(first)


@pytest.mark.parametrize("damage", ["truncated", "flipped byte", "garbage"])
def test_a_corrupt_entry_is_detected_and_rendered_again(demo, tmp_path, damage):
    expected = build(demo, tmp_path / "first")
    damage_entries(demo, {"truncated": lambda good: good[: len(good) // 2], "flipped byte": lambda good: good[:-5] + bytes([good[-5] ^ 0x20]) + good[-4:], "garbage": lambda good: b"\x00" * len(good)}[damage])
    assert build(demo, tmp_path / "again") == expected


def test_with_half_the_products_cached_two_processes_render_the_rest_and_write_the_same_bytes(demo, tmp_path):
    build(demo, tmp_path / "first")
    products = sorted((demo / "catalog/products").glob("*.yaml"))
    for path in products[::2]:  # half the products change: their entries miss, the others are read here
        path.write_text(path.read_text() + "\n# edited\n")
    before = entries(demo)
    done = run_pim("build", "--jobs", "2", "--out", str(tmp_path / "mixed"), cwd=demo)
    assert done.returncode == 0, done.stdout + done.stderr
    assert len(entries(demo) - before) == len(products[::2])
    assert read_tree(tmp_path / "mixed") == without_cache(demo, tmp_path / "full")


def git(project: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "commit.gpgsign=false", "-c", "user.name=Pim Test", "-c", "user.email=test@pim.invalid", *args], cwd=project, check=True, capture_output=True)


def test_a_diff_renders_each_side_once_and_shares_its_renders_with_builds(demo, tmp_path):
    (demo / ".gitignore").write_text(".pim/\nfeeds/\n")
    git(demo, "init", "-q")
    git(demo, "add", "-A")
    git(demo, "commit", "-qm", "base")
    (demo / PRODUCT).write_text((demo / PRODUCT).read_text().replace('price: {USD: "129.00", EUR: "119.00"}', 'price: {USD: "131.00", EUR: "119.00"}'))
    git(demo, "commit", "-qam", "a new price")
    cached = run_pim("diff", "HEAD~1", "HEAD", "--format", "json", cwd=demo)
    products = len(list((demo / "catalog/products").glob("*.yaml")))
    assert len(entries(demo)) == products + 1  # both sides rendered once; the edited product twice
    rendered = entries(demo)
    assert run_pim("diff", "HEAD~1", "HEAD", "--format", "json", cwd=demo).stdout == cached.stdout
    build(demo, tmp_path / "edited")
    assert entries(demo) == rendered  # the second diff and a build of the same files (print too) render nothing
    uncached = run_pim("diff", "HEAD~1", "HEAD", "--format", "json", cwd=demo, env={"PIM_NO_CACHE": "1"})
    assert (cached.returncode, cached.stdout) == (uncached.returncode, uncached.stdout)
    assert "131.00" in cached.stdout
