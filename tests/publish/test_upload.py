"""Uploads: the exact bytes that were built, once per change, through dropped connections and slow answers."""

from __future__ import annotations

from tests.publish.conftest import RETRY, TOKEN, google_items, meta_items, skus
from tests.publish.services import FakeHosting


def configure(project, service, *, channel="meta", method="PUT", files=None):
    listed = f"files: [{', '.join(files)}]" if files else ""
    project.configure(
        f"""
        {RETRY}
        destinations:
          - name: hosting
            kind: upload
            channel: {channel}
            endpoint: {service.url}/import/{{path}}
            method: {method}
            token_env: PIM_TOKEN
            {listed}
        """
    )


def test_the_built_bytes_arrive_once_even_when_the_connection_drops_mid_upload(project):
    project.build(google=google_items(skus(300)))
    with FakeHosting(TOKEN) as service:
        configure(project, service, channel="google")
        service.fail("close", "500")
        result = project.publish()
    assert result.delivered, result.outcomes[0].problems
    assert service.items == {"google/US.xml": (project.root / "feeds/google/US.xml").read_bytes()}
    assert service.arrivals == {"google/US.xml": 1}


def test_an_unchanged_file_is_not_sent_again_and_a_changed_one_is(project):
    project.build(meta=meta_items(skus(10)))
    with FakeHosting(TOKEN) as service:
        configure(project, service, method="POST")
        assert project.publish().outcomes[0].sent == 1
        assert project.publish().outcomes[0].status == "unchanged"
        project.build(meta=meta_items(skus(10), price="9.00 USD"))
        outcome = project.publish().outcomes[0]
    assert outcome.sent == 1 and service.arrivals == {"meta/US.csv": 2}
    assert b"9.00 USD" in service.items["meta/US.csv"]


def test_a_slow_answer_is_retried_and_the_file_is_replaced_not_duplicated(project):
    project.build(meta=meta_items(skus(3)))
    with FakeHosting(TOKEN) as service:
        configure(project, service)
        service.fail("slow")
        result = project.publish()
    assert result.delivered and service.arrivals == {"meta/US.csv": 2}
    assert service.items["meta/US.csv"] == (project.root / "feeds/meta/US.csv").read_bytes()


def test_a_file_changed_after_the_build_is_refused(project):
    project.build(meta=meta_items(skus(3)))
    (project.root / "feeds/meta/US.csv").write_text("id,title\nX,edited by hand\n")
    with FakeHosting(TOKEN) as service:
        configure(project, service)
        result = project.publish()
    assert [p.code for p in result.outcomes[0].problems] == ["PIM706"]
    assert service.requests == []


def test_several_files_need_a_path_placeholder_in_the_endpoint(project):
    project.build(markets=("US", "FR"), google=google_items(skus(3)))
    with FakeHosting(TOKEN) as service:
        project.configure(
            f"""
            destinations:
              - {{name: one-url, kind: upload, channel: google, endpoint: "{service.url}/import/feed.xml", files: [google/FR.xml], token_env: PIM_TOKEN}}
              - {{name: no-path, kind: upload, channel: google, endpoint: "{service.url}/import/x", token_env: PIM_TOKEN}}
              - {{name: per-path, kind: upload, channel: google, endpoint: "{service.url}/import/all/{{path}}", token_env: PIM_TOKEN}}
            """
        )
        result = project.publish()
    one, two, three = result.outcomes
    assert one.status == "delivered" and two.status == "failed" and three.status == "delivered"
    assert two.problems[0].code == "PIM702" and "{path}" in two.problems[0].message
    assert service.arrivals == {"feed.xml": 1, "all/google/FR.xml": 1, "all/google/US.xml": 1}
