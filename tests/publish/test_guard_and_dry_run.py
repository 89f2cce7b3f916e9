"""The drop guard, --dry-run, and a run that dies half way: nothing is wiped, nothing sent twice, nothing lost."""

from __future__ import annotations

from tests.publish.conftest import RETRY, TOKEN, google_items, meta_items, skus
from tests.publish.services import FakeMerchant, FakeMeta


def configure_meta(project, service, *, max_drop=None, budget=30):
    extra = f"max_drop: {max_drop}" if max_drop is not None else ""
    project.configure(
        f"""
        {RETRY.replace("budget: 30", f"budget: {budget}")}
        destinations:
          - name: meta
            kind: meta-catalog
            channel: meta
            file: meta/US.csv
            endpoint: {service.url}
            catalog_id: "99"
            token_env: PIM_TOKEN
            batch_size: 5
            {extra}
        """
    )


def test_a_feed_that_lost_more_than_a_tenth_of_its_items_is_refused_and_names_them(project):
    ids = skus(20)
    project.build(meta=meta_items(ids))
    with FakeMeta(TOKEN) as service:
        configure_meta(project, service)
        assert project.publish().delivered
        requests_before = len(service.requests)
        project.build(meta=meta_items(ids[:17]))
        result = project.publish()
    outcome = result.outcomes[0]
    assert not result.delivered and outcome.status == "refused"
    assert outcome.removed == ["TJ-0018", "TJ-0019", "TJ-0020"]
    message = outcome.problems[0].message
    assert outcome.problems[0].code == "PIM708" and "remove 3 of the 20 items" in message and "TJ-0018, TJ-0019, TJ-0020" in message
    assert len(service.requests) == requests_before and len(service.items) == 20


def test_force_with_a_reason_publishes_the_drop_and_records_why(project):
    ids = skus(20)
    project.build(meta=meta_items(ids))
    with FakeMeta(TOKEN) as service:
        configure_meta(project, service)
        project.publish()
        project.build(meta=meta_items(ids[:10]))
        without_reason = project.publish(force=True)
        assert without_reason.cannot_run and without_reason.problems[0].code == "PIM710"
        result = project.publish(force=True, reason="autumn range discontinued")
    assert result.delivered and result.outcomes[0].deleted == 10
    assert sorted(service.items) == ids[:10]
    warning = result.outcomes[0].problems[0]
    assert warning.code == "PIM710" and warning.severity.value == "warning" and "autumn range discontinued" in warning.message
    assert project.state("meta")["forced"] == "autumn range discontinued"


def test_max_drop_is_configurable_and_an_empty_feed_is_always_refused(project):
    ids = skus(10)
    project.build(meta=meta_items(ids))
    with FakeMeta(TOKEN) as service:
        configure_meta(project, service, max_drop=0.5)
        project.publish()
        project.build(meta=meta_items(ids[:5]))
        assert project.publish().delivered
        project.build(meta=[])
        result = project.publish()
    assert result.outcomes[0].problems[0].code == "PIM709"
    assert len(service.items) == 5


def test_dry_run_shows_counts_first_items_and_bytes_and_sends_nothing(project):
    ids = skus(12)
    project.build(meta=meta_items(ids))
    with FakeMeta(TOKEN) as service:
        configure_meta(project, service)
        result = project.publish(dry_run=True, env={})  # a pull request's CI may hold no credentials
        outcome = result.outcomes[0]
        assert service.requests == []
    assert result.delivered and outcome.status == "dry-run"
    assert (outcome.would_send, outcome.would_delete, outcome.requests) == (12, 0, 3)
    assert outcome.preview == ids[:5] and outcome.bytes > 12 * 200
    assert not (project.root / ".pim/publish-state/meta.json").exists()


def test_a_run_that_stops_half_way_resends_only_what_was_not_acknowledged(project):
    ids = skus(25)
    project.build(google=google_items(ids))
    with FakeMerchant(TOKEN) as service:
        project.configure(
            f"""
            retry: {{attempts: 2, backoff: 0.01, timeout: 0.3, budget: 30}}
            destinations:
              - {{name: google-us, kind: google-merchant, channel: google, file: google/US.xml, endpoint: "{service.url}", account: "123", data_source: "456", content_language: en, feed_label: US, token_env: PIM_TOKEN, batch_size: 10}}
            """
        )
        # The second batch fails for good: the network is gone, as when CI is cancelled.
        service.fail("500", "500", when=lambda method, path: len(service.batch_sizes) == 1)
        first = project.publish().outcomes[0]
        assert first.status == "failed" and first.problems[0].code == "PIM711" and first.sent == 10
        second = project.publish().outcomes[0]
    assert second.status == "delivered" and second.sent == 15 and second.unchanged == 10
    assert sorted(service.arrivals) == ids and set(service.arrivals.values()) == {1}
