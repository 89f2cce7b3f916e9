"""publish.yaml mistakes are located problems; the command's exit codes; credentials never leave the process."""

from __future__ import annotations

import json
import logging

import pytest
from typer.testing import CliRunner

from pim.cli import app
from pim.publish.http import retry_after
from tests.publish.conftest import RETRY, TOKEN, meta_items, skus
from tests.publish.services import FakeMeta

GOOD = """\
destinations:
  - name: meta
    kind: meta-catalog
    channel: meta
    file: meta/US.csv
    catalog_id: "99"
    token_env: PIM_TOKEN
"""


@pytest.mark.parametrize(
    ("change", "code", "line", "column", "words"),
    [
        (("    token_env: PIM_TOKEN\n", "    token_env: PIM_TOKEN\n    retries: 3\n"), "PIM702", 8, 5, "unknown key `retries`"),
        (("kind: meta-catalog", "kind: tiktok-api"), "PIM702", 3, 11, "kind must be one of"),
        (("    token_env: PIM_TOKEN\n", "    token_env: PIM_TOKEN\n    endpoint: http://graph.example.com\n"), "PIM703", 8, 15, "must be an https:// URL"),
        (("    token_env: PIM_TOKEN\n", "    token_env: PIM_TOKEN\n    max_drop: 1.5\n"), "PIM702", 8, 15, "max_drop"),
        (('    catalog_id: "99"\n', ""), "PIM702", 2, 5, "catalog_id is required"),
    ],
)
def test_a_mistake_in_publish_yaml_is_reported_where_it_is(project, change, code, line, column, words):
    project.configure(GOOD.replace(*change))
    result = project.publish()
    assert result.cannot_run
    [problem] = result.problems
    assert (problem.code, problem.location.path, problem.location.line, problem.location.column) == (code, "publish.yaml", line, column)
    assert words in problem.message


def test_the_command_exits_2_when_it_cannot_run_and_1_when_something_was_not_delivered(project):
    runner = CliRunner()
    assert runner.invoke(app, ["publish", "--project", str(project.root)]).exit_code == 2  # no publish.yaml
    project.configure(GOOD)
    missing_manifest = runner.invoke(app, ["publish", "--project", str(project.root)])
    assert missing_manifest.exit_code == 2 and "PIM705" in missing_manifest.output
    project.build(meta=meta_items(skus(2)))
    unknown = runner.invoke(app, ["publish", "--project", str(project.root), "--destination", "tiktok"])
    assert unknown.exit_code == 2 and "PIM717" in unknown.output
    no_token = runner.invoke(app, ["publish", "--project", str(project.root)], env={"PIM_TOKEN": ""})
    assert no_token.exit_code == 1 and "PIM707" in no_token.output and "PIM_TOKEN" in no_token.output
    dry = runner.invoke(app, ["publish", "--project", str(project.root), "--dry-run"], env={"PIM_TOKEN": ""})
    assert dry.exit_code == 0 and "would send 2 items" in dry.output


def test_a_state_file_that_cannot_be_trusted_stops_that_destination(project):
    project.build(meta=meta_items(skus(2)))
    project.configure(GOOD)
    (project.root / ".pim/publish-state").mkdir(parents=True)
    (project.root / ".pim/publish-state/meta.json").write_text("{not json")
    outcome = project.publish().outcomes[0]
    assert outcome.status == "failed" and outcome.problems[0].code == "PIM714"


def test_no_credential_value_appears_in_any_output_state_file_or_log(project, caplog):
    caplog.set_level(logging.DEBUG)
    ids = skus(6)
    project.build(meta=meta_items(ids, without_price={"TJ-0003"}))
    with FakeMeta(TOKEN) as service:
        project.configure(f"{RETRY}\n" + GOOD + f"    endpoint: {service.url}\n")
        runner = CliRunner()
        env = {"PIM_TOKEN": TOKEN}
        # A careless service that repeats the credential in its error body, then a normal run, in both formats.
        service.fail("401-echo", when=lambda method, path: method == "POST")
        outputs = [runner.invoke(app, ["publish", "--project", str(project.root), "--format", fmt], env=env) for fmt in ("human", "json")]
        outputs.append(runner.invoke(app, ["publish", "--project", str(project.root), "--dry-run"], env=env))
    assert [o.exit_code for o in outputs] == [1, 1, 0]
    assert "PIM712" in outputs[0].output and "bad credentials: Bearer ***" in outputs[0].output
    assert json.loads(outputs[1].output)["destinations"][0]["failed"][0]["item"] == "TJ-0003"
    written = [p.read_text() for p in project.root.rglob("*") if p.is_file()]
    for text in [o.output for o in outputs] + [caplog.text] + written:
        assert TOKEN not in text


def test_retry_after_is_read_as_seconds_or_as_an_http_date():
    assert retry_after("7", now=0) == 7.0
    assert retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470.0) == 10.0
    assert retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412490.0) == 0.0
    assert retry_after("soon", now=0) is None and retry_after(None, now=0) is None


def test_a_retry_after_longer_than_the_budget_ends_the_destination_at_once(project):
    project.build(meta=meta_items(skus(2)))
    with FakeMeta(TOKEN) as service:
        project.configure(f"{RETRY}\n" + GOOD + f"    endpoint: {service.url}\n")
        service.fail("429")
        service.retry_after = 3600
        outcome = project.publish().outcomes[0]
    assert outcome.status == "failed" and outcome.problems[0].code == "PIM711"
    assert "time budget of 30 s would run out" in outcome.problems[0].message
    assert project.clock.slept == []
