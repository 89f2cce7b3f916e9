"""Golden feeds: `pim build` on the demo catalog gives exactly the reviewed files in tests/golden/feeds.

The golden files are made by the real command, never edited by hand. After a deliberate change, run
    PIM_UPDATE_GOLDEN=1 python -m pytest tests/channels/test_golden_feeds.py
and review the change with `git diff tests/golden`.
"""

from __future__ import annotations

import json
import os
import shutil

from tests.channels.demo import ROOT, read_tree, run_pim

GOLDEN = ROOT / "tests/golden/feeds"


def _without_commit(manifest: bytes) -> dict:
    data = json.loads(manifest)
    data.pop("source_commit")  # the commit changes with every commit; everything else must not
    return data


def test_demo_feeds_match_the_goldenread_tree(tmp_path):
    done = run_pim("build", "--project", str(ROOT), "--out", str(tmp_path / "feeds"))
    assert done.returncode == 0, done.stdout + done.stderr
    built = read_tree(tmp_path / "feeds")
    if os.environ.get("PIM_UPDATE_GOLDEN"):
        shutil.rmtree(GOLDEN, ignore_errors=True)
        shutil.copytree(tmp_path / "feeds", GOLDEN)
    golden = read_tree(GOLDEN)
    assert sorted(built) == sorted(golden)
    for name in built:
        if name == "manifest.json":
            assert _without_commit(built[name]) == _without_commit(golden[name])
        else:
            assert built[name] == golden[name], f"{name} differs from its golden file"


def test_every_channel_has_a_golden_feed():
    channels = {p.stem for p in (ROOT / "mappings").glob("*.yaml")}
    assert channels == {p.name for p in GOLDEN.iterdir() if p.is_dir()}


def test_two_builds_give_identical_bytes(tmp_path):
    for name in ("a", "b"):
        assert run_pim("build", "--project", str(ROOT), "--out", str(tmp_path / name)).returncode == 0
    assert read_tree(tmp_path / "a") == read_tree(tmp_path / "b")
