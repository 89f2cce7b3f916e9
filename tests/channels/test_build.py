"""`pim build` as a user meets it: exclusions per channel with located reasons, --strict, the sandbox."""

from __future__ import annotations

import csv
import hashlib
import json
import re
from pathlib import Path

from tests.channels.demo import run_pim


def _set_line(path: Path, pattern: str, replacement: str) -> int:
    """Replace the first line matching `pattern`; return its 1-based line number."""
    lines = path.read_text(encoding="utf-8").splitlines()
    index = next(i for i, line in enumerate(lines) if re.search(pattern, line))
    lines[index] = replacement
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return index + 1


def _manifest(project: Path) -> dict:
    return json.loads((project / "feeds/manifest.json").read_text(encoding="utf-8"))


def _excluded(manifest: dict, channel: str, market: str) -> list[dict]:
    entry = next(c for c in manifest["channels"] if c["channel"] == channel)
    return next(m for m in entry["markets"] if m["market"] == market)["excluded"]


def test_an_item_broken_for_one_channel_is_left_out_of_that_channel_only(demo):
    product = demo / "catalog/products/TJ-100.yaml"
    text = product.read_text(encoding="utf-8")
    long_description = ("Waterproof and breathable. " * 200).strip()  # 5,399 characters: Google allows 5,000, Meta 9,999
    start, end = text.index("description:\n"), text.index("attributes:\n")
    product.write_text(text[:start] + f"description:\n  en-US: {long_description}\n  fr-FR: Une veste légère.\n" + text[end:], encoding="utf-8")
    description_line = text[:start].count("\n") + 2

    done = run_pim("build", "--project", str(demo))
    assert done.returncode == 0, done.stdout + done.stderr
    manifest = _manifest(demo)
    google = _excluded(manifest, "google", "US")
    assert {e["item"] for e in google} == {f"TJ-100-{c}-{s}" for c in ("BLK", "NVY", "FGR") for s in ("S", "M", "L", "XL")}
    problem = google[0]["problems"][0]
    assert problem["code"] == "PIM302"
    assert (problem["path"], problem["line"]) == ("catalog/products/TJ-100.yaml", description_line)
    assert problem["related"] and problem["related"][0].startswith("mappings/google.yaml:")
    assert "5000" in problem["message"].replace(",", "")
    # The French feed reads fr-FR, which is short: nothing excluded there. Meta allows the length.
    assert _excluded(manifest, "google", "FR") == []
    assert _excluded(manifest, "meta", "US") == []
    meta_rows = (demo / "feeds/meta/US.csv").read_text(encoding="utf-8")
    assert "TJ-100-BLK-M" in meta_rows
    assert "TJ-100-BLK-M" not in (demo / "feeds/google/US.xml").read_text(encoding="utf-8")
    assert "TJ-100-BLK-M" in done.stdout and "PIM302" in done.stdout


def test_strict_turns_exclusions_into_a_failed_build_that_writes_nothing(demo):
    _set_line(demo / "catalog/products/TJ-100.yaml", r"^brand:", "brand: " + "Altitude Mountain Equipment Outfitters International Holdings Group Ltd")
    done = run_pim("build", "--project", str(demo), "--strict")
    assert done.returncode == 1
    assert "--strict" in done.stdout
    assert not (demo / "feeds").exists()
    assert run_pim("build", "--project", str(demo)).returncode == 0


def test_a_title_the_mapping_asks_to_truncate_is_cut_at_a_word_boundary(demo):
    long_name = "Trail Shell Jacket " + "with an exceptionally long marketing name " * 4
    _set_line(demo / "catalog/products/TJ-100.yaml", r"^name:", f"name: {{en-US: {long_name.strip()}, fr-FR: Veste Trail Shell}}")
    assert run_pim("build", "--project", str(demo), "--channel", "google").returncode == 0
    feed = (demo / "feeds/google/US.xml").read_text(encoding="utf-8")
    titles = re.findall(r"<g:title>(Trail Shell Jacket[^<]*)</g:title>", feed)
    assert titles and all(len(t) <= 150 for t in titles)
    assert all(long_name.startswith(t) and long_name[len(t)] == " " for t in titles)


def test_a_mapping_that_reaches_python_internals_is_refused_with_its_location(demo):
    mapping = demo / "mappings/tiktok.yaml"
    mapping.write_text(mapping.read_text(encoding="utf-8") + "  custom_label_0: product.name.__class__.__mro__\n", encoding="utf-8")
    line = len(mapping.read_text(encoding="utf-8").splitlines())
    done = run_pim("build", "--project", str(demo))
    assert done.returncode == 1
    assert "mappings/tiktok.yaml" in done.stdout
    assert re.search(rf"^\s+{line}:3\s+error\s+PIM403\s", done.stdout, re.MULTILINE), done.stdout
    assert not (demo / "feeds").exists()


def test_a_mapping_that_mutates_a_record_at_run_time_excludes_its_items(demo):
    # Not visible in the expression's syntax: the immutable sandbox stops it when it runs.
    mapping = demo / "mappings/pinterest.yaml"
    mapping.write_text(mapping.read_text(encoding="utf-8") + '  custom_label_0: product.attributes.pop("gender")\n', encoding="utf-8")
    done = run_pim("build", "--project", str(demo), "--channel", "pinterest", "--market", "US")
    assert done.returncode == 0
    excluded = _excluded(_manifest(demo), "pinterest", "US")
    assert excluded and all(p["code"] == "PIM403" for e in excluded for p in e["problems"])
    assert run_pim("build", "--project", str(demo), "--channel", "pinterest", "--strict").returncode == 1


def test_a_part_that_reads_only_the_product_and_fails_where_the_variant_skips_it_fails_no_item(demo):
    # The division would fail, but no variant has this color: evaluated once per product ahead of the
    # variants, it fails there, and each item is then evaluated whole, as written.
    mapping = demo / "mappings/pinterest.yaml"
    field = '  custom_label_0: \'(product.name / 0) if variant.color == "no such color" else "kept"\'\n'
    mapping.write_text(mapping.read_text(encoding="utf-8") + field, encoding="utf-8")
    assert run_pim("build", "--project", str(demo), "--channel", "pinterest", "--market", "US").returncode == 0
    assert not _excluded(_manifest(demo), "pinterest", "US")
    with (demo / "feeds/pinterest/US.csv").open(encoding="utf-8", newline="") as feed:
        rows = list(csv.DictReader(feed))
    assert rows and {row["custom_label_0"] for row in rows} == {"kept"}


def test_build_subset_by_channel_and_market(demo):
    done = run_pim("build", "--project", str(demo), "--channel", "google", "--market", "FR")
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in (demo / "feeds/google").iterdir()) == ["FR.xml"]
    manifest = _manifest(demo)
    assert [c["channel"] for c in manifest["channels"]] == ["google"]


def test_unknown_channel_kind_and_unknown_market_are_located_problems(demo):
    (demo / "mappings/extra.yaml").write_text("channel: google-shopping\nmarkets: [US]\nfields: {id: variant.sku}\n", encoding="utf-8")
    done = run_pim("build", "--project", str(demo))
    assert done.returncode == 1
    assert "mappings/extra.yaml" in done.stdout and "PIM405" in done.stdout


def test_a_build_with_catalog_errors_writes_nothing(demo):
    _set_line(demo / "catalog/products/TJ-100.yaml", r"^status:", "status: live")
    done = run_pim("build", "--project", str(demo))
    assert done.returncode == 1
    assert "PIM104" in done.stdout and "nothing was written" in done.stdout
    assert not (demo / "feeds").exists()


def test_a_rebuild_replaces_only_the_files_whose_bytes_changed(demo):
    assert run_pim("build", "--project", str(demo)).returncode == 0
    feeds = demo / "feeds"
    before = {p.relative_to(feeds).as_posix(): p.stat().st_ino for p in feeds.rglob("*") if p.is_file()}
    (feeds / "pinterest/FR.csv").write_bytes((feeds / "pinterest/FR.csv").read_bytes().replace(b"Trail", b"TRAIL"))  # a hand edit
    _set_line(demo / "catalog/products/TJ-100.yaml", r"^name:", "name: {en-US: Trail Shell Jacket Two, fr-FR: Veste Trail Shell}")
    done = run_pim("build", "--project", str(demo))
    assert done.returncode == 0, done.stdout + done.stderr
    after = {p.relative_to(feeds).as_posix(): p.stat().st_ino for p in feeds.rglob("*") if p.is_file()}
    replaced = {path for path in after if after[path] != before.get(path)}
    # The feeds naming the jacket in English changed, and the hand-edited French Pinterest feed is put right;
    # the other French feeds stay as they were.
    assert {"google/US.xml", "meta/US.csv", "pinterest/FR.csv", "manifest.json"} <= replaced
    assert "google/FR.xml" not in replaced and "amazon/FR.json" not in replaced
    assert re.search(rf"Wrote {len(after)} files into .*\({len(replaced)} changed; {len(after) - len(replaced)} had the same bytes", done.stdout)
    expected = _manifest(demo)
    for entry in expected["channels"]:
        for file in entry["files"]:
            assert hashlib.sha256((feeds / file["path"]).read_bytes()).hexdigest() == file["sha256"]
    again = run_pim("build", "--project", str(demo))
    assert re.search(rf"Wrote {len(after)} files into .*\(0 changed;", again.stdout), again.stdout  # not even the manifest
    assert {p.relative_to(feeds).as_posix(): p.stat().st_ino for p in feeds.rglob("*") if p.is_file()} == after
