"""Meta items_batch: UPDATE with allow_upsert per retailer id, DELETE for removed items, status checked by handle."""

from __future__ import annotations

import json

from tests.publish.conftest import RETRY, TOKEN, meta_items, skus
from tests.publish.services import FakeMeta


def configure(project, service, *, batch_size=5000):
    project.configure(
        f"""
        {RETRY}
        destinations:
          - name: meta
            kind: meta-catalog
            channel: meta
            file: meta/US.csv
            endpoint: {service.url}
            catalog_id: "99"
            token_env: PIM_TOKEN
            batch_size: {batch_size}
        """
    )


def test_items_arrive_once_and_each_batch_is_checked_until_finished(project):
    ids = skus(12)
    project.build(meta=meta_items(ids))
    with FakeMeta(TOKEN) as service:
        configure(project, service, batch_size=5)
        result = project.publish()
    assert result.delivered, result.outcomes[0].problems
    assert service.batch_sizes == [5, 5, 2]
    assert sorted(service.arrivals) == ids and set(service.arrivals.values()) == {1}
    assert service.items["TJ-0001"]["additional_image_link"] == ["https://cdn.example.com/TJ-0001-2.jpg", "https://cdn.example.com/TJ-0001-3.jpg"]
    assert service.items["TJ-0001"]["price"] == "10.00 USD"
    assert all(batch["checks"] == 2 for batch in service.batches.values())  # "started", then "finished"
    assert project.state("meta")["pending"] == []


def test_removed_items_are_deleted_and_unchanged_ones_not_sent(project):
    ids = skus(10)
    project.build(meta=meta_items(ids))
    with FakeMeta(TOKEN) as service:
        configure(project, service)
        assert project.publish().delivered
        service.arrivals.clear()
        project.build(meta=meta_items(ids[:9], price="11.00 USD")[:1] + meta_items(ids[1:9]))
        outcome = project.publish().outcomes[0]
    assert (outcome.sent, outcome.deleted, outcome.unchanged) == (1, 1, 8)
    assert dict(service.arrivals) == {"TJ-0001": 1, "delete TJ-0010": 1}
    assert sorted(service.items) == ids[:9]


def test_faults_on_the_batch_and_on_the_status_check_lose_nothing(project):
    ids = skus(8)
    project.build(meta=meta_items(ids))
    with FakeMeta(TOKEN) as service:
        configure(project, service, batch_size=4)
        service.fail("close", "429-date", when=lambda method, path: method == "POST")
        service.fail("500", when=lambda method, path: "check_batch_request_status" in path)
        result = project.publish()
    assert result.delivered, result.outcomes[0].problems
    assert sorted(service.arrivals) == ids and set(service.arrivals.values()) == {1}
    assert any(0.5 <= wait <= 2.5 for wait in project.clock.slept)  # Retry-After given as an HTTP date


def test_an_item_meta_rejects_is_reported_and_left_for_the_next_run(project):
    ids = skus(4)
    project.build(meta=meta_items(ids, without_price={"TJ-0002"}))
    with FakeMeta(TOKEN) as service:
        configure(project, service)
        result = project.publish()
    outcome = result.outcomes[0]
    assert outcome.status == "failed"
    assert [(f.item, f.message) for f in outcome.failed] == [("TJ-0002", "Missing required field: price")]
    assert sorted(project.state("meta")["items"]) == ["TJ-0001", "TJ-0003", "TJ-0004"]


def test_a_run_that_died_while_meta_processed_checks_that_batch_instead_of_sending_it_again(project):
    ids = skus(6)
    project.build(meta=meta_items(ids))
    with FakeMeta(TOKEN) as service:
        configure(project, service)
        # The first run sends the batch, then its budget runs out while Meta still processes it.
        project.configure((project.root / "publish.yaml").read_text().replace("budget: 30", "budget: 0.5").replace("poll_interval: 0.01", "poll_interval: 5"))
        first = project.publish().outcomes[0]
        assert first.status == "failed" and first.problems[0].code == "PIM716"
        assert json.loads((project.root / ".pim/publish-state/meta.json").read_text())["pending"][0]["handles"] == ["handle-1"]
        configure(project, service)
        second = project.publish()
    assert second.delivered and second.outcomes[0].sent == 6
    assert len(service.batches) == 1  # nothing was sent twice
    assert set(service.arrivals.values()) == {1}
