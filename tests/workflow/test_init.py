"""`pim init`: a new catalog repository that validates, builds and diffs as created, editor and CI wired."""

from __future__ import annotations

import json
import re
from pathlib import Path

from pim.project_init import init_project, project_files

from .conftest import PRODUCT, REPO, Repository, pim


def test_a_new_project_validates_builds_and_diffs(tmp_path: Path):
    root = tmp_path / "shop"
    done = pim("init", root)
    assert done.exit_code == 0, done.output
    assert "Wrote" in done.output

    assert pim("validate", "--project", root).output == "No problems found.\n"

    built = pim("build", "--project", root, "--strict")  # --strict: no item is left out of any channel
    assert built.exit_code == 0, built.output
    manifest = json.loads((root / "feeds/manifest.json").read_text())
    channels = {path.stem for path in (root / "mappings").glob("*.yaml")}
    assert {channel["channel"] for channel in manifest["channels"]} == channels
    assert [m["excluded"] for c in manifest["channels"] for m in c["markets"] if m["excluded"]] == []

    repo = Repository(root)
    repo.git("init", "-q")
    repo.commit_all("Start the catalog")
    repo.replace(PRODUCT, 'price: {USD: "25.00", EUR: "23.00"}', 'price: {USD: "27.00", EUR: "23.00"}')
    diff = pim("diff", "--project", root, "--channel", "google", "--market", "US", "--no-color")
    assert diff.exit_code == 0, diff.output
    assert "27.00 USD" in diff.output and "25.00 USD" in diff.output


def test_the_installed_command_writes_the_project_from_any_folder(tmp_path: Path):
    # The console script, not the in-process app: how pim finds its template must survive the install.
    import subprocess
    import sys

    pim_script = Path(sys.executable).parent / "pim"
    done = subprocess.run([str(pim_script), "init", "shop"], cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "shop" / PRODUCT).is_file() and (tmp_path / "shop/.github/workflows/pim.yml").is_file()


def test_the_new_project_is_already_in_canonical_form(tmp_path: Path):
    init_project(tmp_path)
    done = pim("fmt", "--check", "--project", tmp_path)
    assert done.exit_code == 0, done.output


def test_every_catalog_file_points_its_editor_at_a_schema_that_exists(tmp_path: Path):
    init_project(tmp_path)
    yaml_files = sorted((tmp_path / "catalog").rglob("*.yaml"))
    assert len(yaml_files) == 6
    for path in yaml_files:
        first = path.read_text(encoding="utf-8").splitlines()[0]
        schema = re.fullmatch(r"# yaml-language-server: \$schema=(\S+)", first)
        assert schema, f"{path} does not start with a schema line"
        assert (path.parent / schema.group(1)).is_file(), first


def test_vscode_maps_each_schema_to_the_files_it_describes(tmp_path: Path):
    init_project(tmp_path)
    mapping = json.loads((tmp_path / ".vscode/settings.json").read_text())["yaml.schemas"]
    for schema, pattern in mapping.items():
        assert (tmp_path / schema).is_file(), schema
        assert list(tmp_path.glob(pattern)), f"{pattern} matches no file"
    assert len(mapping) == len(list((tmp_path / "catalog/schemas").glob("*.json")))


def test_no_mapping_or_setting_reaches_outside_the_new_repository(tmp_path: Path):
    init_project(tmp_path)
    for path in [*(tmp_path / "mappings").glob("*.yaml"), tmp_path / "catalog/settings.yaml"]:
        live = [line for line in path.read_text().splitlines() if not line.lstrip().startswith("#")]
        assert not [line for line in live if "../" in line], path


def test_gitignore_keeps_build_output_and_local_state_out_of_git(shop: Repository):
    assert pim("build", "--project", shop.root).exit_code == 0
    (shop.root / ".pim/publish-state").mkdir(parents=True)
    (shop.root / ".pim/publish-state/google.json").write_text("{}")
    untracked = shop.git("status", "--porcelain", "--untracked-files=all")
    assert untracked == ""  # feeds/ and .pim/ are ignored
    assert "feeds/README.md" in shop.git("ls-files")


def test_the_workflows_it_writes_are_the_examples_shipped_here(tmp_path: Path):
    init_project(tmp_path)
    assert (tmp_path / ".github/workflows/pim.yml").read_bytes() == (REPO / "examples/github/pim.yml").read_bytes()
    assert (tmp_path / ".gitlab-ci.yml").read_bytes() == (REPO / "examples/gitlab/.gitlab-ci.yml").read_bytes()


def test_a_folder_with_other_files_is_fine(tmp_path: Path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "NOTES.md").write_text("ours")
    assert pim("init", tmp_path).exit_code == 0
    assert (tmp_path / "NOTES.md").read_text() == "ours"
    assert (tmp_path / PRODUCT).is_file()


def test_pim_replaces_no_file_without_force(tmp_path: Path):
    (tmp_path / "catalog").mkdir()
    (tmp_path / "catalog/settings.yaml").write_text("# our own settings\n")
    refused = pim("init", tmp_path)
    assert refused.exit_code == 2
    assert "already has catalog/settings.yaml" in refused.output and "--force" in refused.output
    assert (tmp_path / "catalog/settings.yaml").read_text() == "# our own settings\n"
    assert not (tmp_path / PRODUCT).exists()  # nothing written at all

    forced = pim("init", tmp_path, "--force")
    assert forced.exit_code == 0
    assert (tmp_path / "catalog/settings.yaml").read_bytes() == project_files()["catalog/settings.yaml"]


def test_init_into_a_file_cannot_run(tmp_path: Path):
    (tmp_path / "shop").write_text("")
    done = pim("init", tmp_path / "shop")
    assert done.exit_code == 2 and "is a file" in done.output


def test_files_are_written_readable_as_the_umask_says(tmp_path: Path):
    init_project(tmp_path)
    assert (tmp_path / "catalog/products/TS-100.yaml").stat().st_mode & 0o044 == 0o044


def test_the_template_holds_no_dot_files_so_packaging_keeps_them_all():
    template = REPO / "pim/project_template"
    assert not [p for p in template.rglob(".*")]
    assert {".gitignore", ".gitlab-ci.yml", ".pre-commit-config.yaml", ".github/workflows/pim.yml", ".vscode/settings.json"} <= set(project_files())
