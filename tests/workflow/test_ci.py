"""The CI workflows and the pre-commit hooks, read as YAML and their pim commands run for real in a new repository.

Steps that need the hosting service (installing pim from the package index, commenting on the pull
request, GitHub's cache) are not run here; every step that runs pim is, with the same shell text.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from pim.yamlfile import parse

from .conftest import PRODUCT, REPO, Repository, pim

GITHUB = REPO / "examples/github/pim.yml"
GITLAB = REPO / "examples/gitlab/.gitlab-ci.yml"
HOOKS = REPO / ".pre-commit-hooks.yaml"
# What GitHub would put in ${{ ... }} for a pull request into main.
CONTEXT = {"github.base_ref": "main", "github.token": "", "github.repository": "owner/shop", "github.event.pull_request.number": "1"}


def read_yaml(path: Path):
    document = parse(path.read_text(encoding="utf-8"))  # YAML 1.2, as GitHub reads it: `on` stays a key
    assert isinstance(document, (dict, list)), document
    return document


def run_script(script: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """A step's shell text under bash -e (as both CI services run it), with this interpreter's pim on PATH."""
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    return subprocess.run(["bash", "-e", "-c", script], cwd=cwd, env={**os.environ, "PATH": path, **(env or {})}, capture_output=True, text=True, timeout=300, check=False)


def step_env(step: dict, secrets: dict[str, str] | None = None) -> dict[str, str]:
    context = {**CONTEXT, **{f"secrets.{k}": v for k, v in (secrets or {}).items()}}
    return {name: re.sub(r"\$\{\{\s*([\w.]+)\s*\}\}", lambda m: context[m.group(1)], str(value)) for name, value in step.get("env", {}).items()}


def step(job: dict, name: str) -> dict:
    return next(s for s in job["steps"] if s.get("name") == name)


@pytest.fixture
def pull_request(shop: Repository, tmp_path: Path) -> Repository:
    """The new repository pushed to an `origin`, with a branch that raises the tee's US price."""
    subprocess.run(["git", "init", "-q", "--bare", str(tmp_path / "origin.git")], check=True)
    shop.git("remote", "add", "origin", str(tmp_path / "origin.git"))
    shop.git("push", "-q", "origin", "main")
    shop.git("checkout", "-q", "-b", "dearer-tee")
    shop.replace(PRODUCT, '{USD: "25.00", EUR: "23.00"}', '{USD: "27.00", EUR: "23.00"}')
    shop.commit_all("Raise the tee's US price", author="Ben Okafor")
    return shop


# --- GitHub Actions ----------------------------------------------------------------------------


def test_the_github_workflow_checks_pull_requests_and_publishes_merges_to_main():
    workflow = read_yaml(GITHUB)
    assert set(workflow["on"]) == {"pull_request", "push"} and workflow["on"]["push"]["branches"] == ["main"]
    check, publish = workflow["jobs"]["check"], workflow["jobs"]["publish"]
    assert check["steps"][0]["uses"].startswith("actions/checkout@") and check["steps"][0]["with"]["fetch-depth"] == 0
    assert check["permissions"]["pull-requests"] == "write"
    runs = [s.get("run", "") for s in check["steps"]]
    assert any("pim validate --format github" in r for r in runs) and any("pim diff" in r and "--format markdown" in r for r in runs)
    assert "gh pr comment" in step(check, "Comment on the pull request")["run"]
    cache = step(publish, "Restore the publish state")
    assert cache["uses"].startswith("actions/cache@") and cache["with"]["path"] == ".pim/publish-state"
    assert all(value.startswith("${{ secrets.") for value in step(publish, "Publish")["env"].values())


def test_the_github_pull_request_steps_run(pull_request: Repository):
    check = read_yaml(GITHUB)["jobs"]["check"]
    validate = run_script(step(check, "Validate")["run"], pull_request.root)
    assert (validate.returncode, validate.stdout) == (0, ""), validate.stderr  # no problem: no annotation
    formatting = run_script(step(check, "Check formatting")["run"], pull_request.root)
    assert formatting.returncode == 0, formatting.stdout + formatting.stderr
    diff = step(check, "Diff the feeds")
    done = run_script(diff["run"], pull_request.root, step_env(diff))
    assert done.returncode == 0, done.stderr
    comment = (pull_request.root / "pim-diff.md").read_text()
    assert "origin/main" in comment and "25.00 USD" in comment and "27.00 USD" in comment


def test_the_github_validate_step_annotates_the_changed_line(pull_request: Repository):
    pull_request.replace(PRODUCT, "gtin: \"4006381333931\"", "gtin: \"4006381333932\"")
    line = next(n for n, text in enumerate(pull_request.read(PRODUCT).splitlines(), 1) if "4006381333932" in text)
    done = run_script(step(read_yaml(GITHUB)["jobs"]["check"], "Validate")["run"], pull_request.root)
    assert done.returncode == 1
    assert done.stdout.startswith(f"::error file={PRODUCT},line={line},col=")
    assert "title=PIM223" in done.stdout


def test_the_github_merge_steps_build_and_publish_nothing_without_publish_yaml(shop: Repository):
    publish = read_yaml(GITHUB)["jobs"]["publish"]
    built = run_script(step(publish, "Build")["run"], shop.root)
    assert built.returncode == 0, built.stdout + built.stderr
    assert (shop.root / "feeds/manifest.json").is_file()
    publishing = step(publish, "Publish")
    done = run_script(publishing["run"], shop.root, step_env(publishing, {"PIM_GOOGLE_TOKEN": "t", "PIM_META_TOKEN": "t"}))
    assert (done.returncode, done.stdout) == (0, "no publish.yaml: the feeds are built but not published (see publish.example.yaml)\n")


def test_the_github_publish_step_runs_pim_publish_with_the_secrets(shop: Repository):
    if "publish" not in pim("--help").output:
        pytest.skip("pim publish is not in this pim yet: the publish step's command cannot run")
    publish = read_yaml(GITHUB)["jobs"]["publish"]
    assert run_script(step(publish, "Build")["run"], shop.root).returncode == 0
    (shop.root / "publish.yaml").write_bytes((shop.root / "publish.example.yaml").read_bytes())
    publishing = step(publish, "Publish")
    # --dry-run: the example's accounts are placeholders, and a test sends nothing anywhere.
    done = run_script(publishing["run"].replace("pim publish", "pim publish --dry-run"), shop.root, step_env(publishing, {"PIM_GOOGLE_TOKEN": "t", "PIM_META_TOKEN": "t"}))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "google-us" in done.stdout and "meta-us" in done.stdout  # both example destinations were read


# --- GitLab CI ---------------------------------------------------------------------------------


def test_the_gitlab_pipeline_checks_merge_requests_and_publishes_the_default_branch(pull_request: Repository):
    pipeline = read_yaml(GITLAB)
    assert pipeline["validate"]["rules"] == [{"if": '$CI_PIPELINE_SOURCE == "merge_request_event"'}]
    assert pipeline["publish"]["rules"] == [{"if": "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH"}]
    assert pipeline["publish"]["cache"]["paths"] == [".pim/publish-state/"]

    merge_request = {"CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "main"}
    done = run_script("\n".join(pipeline["validate"]["script"]), pull_request.root, merge_request)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "27.00 USD" in (pull_request.root / "pim-diff.md").read_text()

    done = run_script("\n".join(pipeline["publish"]["script"]), pull_request.root)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.endswith("no publish.yaml; nothing published (see publish.example.yaml)\n")


# --- pre-commit --------------------------------------------------------------------------------


def hook(hook_id: str) -> dict:
    return next(h for h in read_yaml(HOOKS) if h["id"] == hook_id)


def test_the_hooks_are_python_hooks_on_catalog_files():
    validate, fmt = hook("pim-validate"), hook("pim-fmt")
    assert validate["language"] == fmt["language"] == "python"
    assert [p for p in ("catalog/products/TS-1.yaml", "mappings/google.yaml", "README.md", "feeds/google/US.xml") if re.search(validate["files"], p)] == ["catalog/products/TS-1.yaml", "mappings/google.yaml"]
    assert [p for p in ("catalog/products/TS-1.yaml", "catalog/images/TS-1.svg", "mappings/google.yaml") if re.search(fmt["files"], p)] == ["catalog/products/TS-1.yaml"]


def test_the_new_repository_uses_the_hooks_defined_here(tmp_path: Path):
    from pim.project_init import init_project

    init_project(tmp_path)
    config = read_yaml(tmp_path / ".pre-commit-config.yaml")
    ids = {h["id"] for h in read_yaml(HOOKS)}
    assert {h["id"] for repo in config["repos"] for h in repo["hooks"]} == ids


def test_the_validate_hook_reports_the_problems_of_the_changed_files_only(shop: Repository):
    broken = "catalog/products/TS-200.yaml"
    shop.write(broken, shop.read(PRODUCT).replace("TS-100", "TS-200").replace("status: active", "status: live"))
    entry = shlex.split(hook("pim-validate")["entry"])

    clean = run_script(shlex.join([*entry, PRODUCT]), shop.root)
    assert (clean.returncode, clean.stdout) == (0, "No problems found.\n")

    failing = run_script(shlex.join([*entry, broken, PRODUCT]), shop.root)
    assert failing.returncode == 1
    assert failing.stdout.startswith(f"{broken}\n") and "PIM104" in failing.stdout and f"{PRODUCT}\n" not in failing.stdout


def test_the_fmt_hook_rewrites_the_changed_catalog_files(shop: Repository):
    shop.replace(PRODUCT, "id: TS-100\nfamily: apparel\n", "family: apparel\nid: 'TS-100'\n")
    entry = shlex.split(hook("pim-fmt")["entry"])
    done = run_script(shlex.join([*entry, PRODUCT]), shop.root)
    assert done.returncode == 0, done.stdout + done.stderr
    assert shop.git("status", "--porcelain") == ""  # back to the committed, canonical text
