"""Google Merchant API: every item arrives exactly once through batches, faults and re-runs; removed items are deleted."""

from __future__ import annotations

from tests.publish.conftest import RETRY, TOKEN, google_items, skus
from tests.publish.services import FakeMerchant


def configure(project, service, *, batch_size=10):
    project.configure(
        f"""
        {RETRY}
        destinations:
          - name: google-us
            kind: google-merchant
            channel: google
            file: google/US.xml
            endpoint: {service.url}
            account: "123"
            data_source: "456"
            content_language: en
            feed_label: US
            token_env: PIM_TOKEN
            batch_size: {batch_size}
        """
    )


def test_items_arrive_once_as_product_inputs_in_batches(project):
    ids = skus(25)
    project.build(google=google_items(ids))
    with FakeMerchant(TOKEN) as service:
        configure(project, service)
        result = project.publish()
    assert result.delivered, result.outcomes[0].problems
    assert service.batch_sizes == [10, 10, 5]
    assert sorted(service.arrivals) == ids and set(service.arrivals.values()) == {1}
    product = service.items["en~US~TJ-0001"]
    assert product["offerId"] == "TJ-0001" and product["feedLabel"] == "US" and product["contentLanguage"] == "en"
    attributes = product["productAttributes"]
    assert attributes["price"] == {"amountMicros": "10000000", "currencyCode": "USD"}
    assert attributes["availability"] == "IN_STOCK" and attributes["gtins"] == ["00012345678905"]
    assert attributes["additionalImageLinks"] == ["https://cdn.example.com/TJ-0001-2.jpg"]
    assert attributes["shippingWeight"] == {"value": 1.2, "unit": "kg"}


def test_a_rerun_sends_only_changed_items_and_deletes_removed_ones(project):
    ids = skus(20)
    project.build(google=google_items(ids))
    with FakeMerchant(TOKEN) as service:
        configure(project, service)
        assert project.publish().delivered
        service.arrivals.clear()
        assert project.publish().outcomes[0].status == "unchanged"
        assert service.arrivals == {}
        changed = google_items(ids[:2], price="12.00 USD") + google_items(ids[2:19])  # TJ-0020 removed
        project.build(google=changed)
        outcome = project.publish().outcomes[0]
    assert (outcome.status, outcome.sent, outcome.deleted, outcome.unchanged) == ("delivered", 2, 1, 17)
    assert dict(service.arrivals) == {"TJ-0001": 1, "TJ-0002": 1, "delete TJ-0020": 1}
    assert "en~US~TJ-0020" not in service.items
    assert service.items["en~US~TJ-0001"]["productAttributes"]["price"]["amountMicros"] == "12000000"
    assert set(project.state("google-us")["items"]) == set(ids[:19])


def test_500_429_and_a_dropped_connection_are_retried_without_losing_or_repeating_an_item(project):
    ids = skus(30)
    project.build(google=google_items(ids))
    with FakeMerchant(TOKEN) as service:
        configure(project, service)
        service.fail("500", "429", "close")
        service.retry_after = 3
        result = project.publish()
    assert result.delivered, result.outcomes[0].problems
    assert sorted(service.arrivals) == ids and set(service.arrivals.values()) == {1}
    assert 3.0 in project.clock.slept  # Retry-After honoured
    assert result.outcomes[0].retries == 3


def test_a_call_refused_inside_the_batch_is_resent_alone_and_a_bad_item_is_reported(project):
    items = google_items(skus(6))
    broken = google_items(["TJ-0007"])[0]
    items.append(type(broken)(broken.id, {k: v for k, v in broken.fields.items() if k != "price"}, broken.product_id))
    project.build(google=items)
    with FakeMerchant(TOKEN) as service:
        configure(project, service)
        service.part_faults = {"TJ-0003": [503, 429]}
        result = project.publish()
    outcome = result.outcomes[0]
    assert not result.delivered and outcome.status == "failed"
    assert [(f.item, "price" in f.message) for f in outcome.failed] == [("TJ-0007", True)]
    assert sorted(service.arrivals) == skus(6) and set(service.arrivals.values()) == {1}
    assert "TJ-0007" not in project.state("google-us")["items"]  # not delivered, so sent again next time


def test_a_response_slower_than_the_timeout_is_retried_and_the_keyed_insert_keeps_one_copy(project):
    ids = skus(4)
    project.build(google=google_items(ids))
    with FakeMerchant(TOKEN) as service:
        configure(project, service)
        service.fail("slow")
        result = project.publish()
    assert result.delivered
    # The slow batch was applied and then sent again: the service holds each product once, because an
    # insert replaces the product input with the same language, feed label and offer id.
    assert sorted(key.rsplit("~", 1)[1] for key in service.items) == ids
    assert set(service.arrivals.values()) == {2}


def test_an_offer_id_with_a_slash_is_deleted_by_its_base64url_name(project):
    ids = [f"TJ-{k:04d}/B" for k in range(1, 11)]
    project.build(google=google_items(ids))
    with FakeMerchant(TOKEN) as service:
        configure(project, service)
        assert project.publish().delivered
        project.build(google=google_items(ids[:9]))
        outcome = project.publish().outcomes[0]
    assert outcome.deleted == 1 and "en~US~TJ-0010/B" not in service.items and len(service.items) == 9
