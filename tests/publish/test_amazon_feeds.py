"""Amazon SP-API Feeds: a delta JSON_LISTINGS_FEED through document, upload, feed and processing report."""

from __future__ import annotations

import json

from tests.publish.conftest import RETRY, TOKEN, amazon_items, skus
from tests.publish.services import FakeAmazon


def configure(project, service, *, batch_size=25000, seller="A2EXAMPLESELLER"):
    project.configure(
        f"""
        {RETRY}
        destinations:
          - name: amazon-us
            kind: amazon-feeds
            channel: amazon
            file: amazon/US.json
            endpoint: {service.url}
            seller_id: {seller}
            marketplace_ids: [ATVPDKIKX0DER]
            token_env: PIM_TOKEN
            batch_size: {batch_size}
        """
    )


def test_listings_arrive_once_and_the_report_is_read(project):
    ids = skus(7)
    project.build(amazon=amazon_items(ids))
    with FakeAmazon(TOKEN) as service:
        configure(project, service, batch_size=4)
        result = project.publish()
    assert result.delivered, result.outcomes[0].problems
    assert len(service.feeds) == 2 and service.uploads == 2
    assert sorted(service.arrivals) == ids and set(service.arrivals.values()) == {1}
    message = service.items["TJ-0001"]
    assert message["operationType"] == "UPDATE" and message["productType"] == "JACKET"
    assert message["attributes"]["fulfillment_availability"] == [{"fulfillment_channel_code": "DEFAULT", "quantity": 5}]


def test_a_rerun_sends_a_feed_of_the_changed_skus_and_deletes_for_removed_ones(project):
    ids = skus(10)
    project.build(amazon=amazon_items(ids))
    with FakeAmazon(TOKEN) as service:
        configure(project, service)
        assert project.publish().delivered
        service.arrivals.clear()
        project.build(amazon=amazon_items(ids[:1], quantity=0) + amazon_items(ids[1:9]))
        outcome = project.publish().outcomes[0]
        last = json.loads(service.documents[f"doc-{len(service.documents)}"])
    assert (outcome.sent, outcome.deleted, outcome.unchanged) == (1, 1, 8)
    assert [(m["messageId"], m["sku"], m["operationType"]) for m in last["messages"]] == [(1, "TJ-0001", "UPDATE"), (2, "TJ-0010", "DELETE")]
    assert sorted(service.items) == ids[:9]


def test_per_sku_issues_from_the_processing_report_are_reported(project):
    ids = skus(3)
    project.build(amazon=amazon_items(ids))
    with FakeAmazon(TOKEN) as service:
        configure(project, service)
        service.reject = {"TJ-0002": "'[batteries_required]' is required but not supplied."}
        result = project.publish()
    outcome = result.outcomes[0]
    assert not result.delivered
    assert [(f.item, f.message) for f in outcome.failed] == [("TJ-0002", "Amazon: 90220 '[batteries_required]' is required but not supplied. (item_name)")]
    assert sorted(project.state("amazon-us")["items"]) == ["TJ-0001", "TJ-0003"]


def test_faults_at_every_step_lose_nothing_and_submit_one_feed(project):
    ids = skus(6)
    project.build(amazon=amazon_items(ids))
    with FakeAmazon(TOKEN) as service:
        configure(project, service)
        service.fail("500", when=lambda method, path: path.endswith("/documents"))
        service.fail("close", when=lambda method, path: path.startswith("/upload/"))
        service.fail("429", when=lambda method, path: path.endswith("/feeds"))
        service.fail("500", when=lambda method, path: "/feeds/feed-" in path)
        service.fail("close", when=lambda method, path: path.startswith("/reports/"))
        service.retry_after = 1
        result = project.publish()
    assert result.delivered, result.outcomes[0].problems
    assert len(service.feeds) == 1
    assert sorted(service.arrivals) == ids and set(service.arrivals.values()) == {1}
    assert result.outcomes[0].retries == 5


def test_a_feed_written_for_another_seller_is_refused_before_anything_is_sent(project):
    project.build(amazon=amazon_items(skus(2)))
    with FakeAmazon(TOKEN) as service:
        configure(project, service, seller="AOTHERSELLER")
        result = project.publish()
    assert result.outcomes[0].problems[0].code == "PIM704"
    assert service.requests == []
