import json
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st
from jsonschema import Draft7Validator

from pim.feed import Feed, FeedInfo, Item
from pim.output import FeedOutput
from pim.writers import amazon_json

SHARED = Path(__file__).resolve().parents[3] / "shared"  # ../shared beside the repository root
SCHEMA = SHARED / "data" / "amazon" / "listings-feed-schema-v2.json"
MARKETPLACE = "ATVPDKIKX0DER"


def info(**options) -> FeedInfo:
    return FeedInfo(channel="amazon", kind="amazon-sp-api", format="amazon-json", market="US", locale="en-US",
                    currency="USD", options={"seller_id": "A1SELLER", **options})


def listing(sku: str, title: str, **extra) -> Item:
    attributes = {
        "item_name": [{"value": title, "language_tag": "en_US", "marketplace_id": MARKETPLACE}],
        "purchasable_offer": [{"currency": "USD", "our_price": [{"schedule": [{"value_with_tax": Decimal("19.90")}]}],
                               "marketplace_id": MARKETPLACE}],
        "bullet_point": [],
        "color": None,
        "fulfillment_availability": [{"fulfillment_channel_code": "DEFAULT", "quantity": 3}],
    }
    fields = {"product_type": "LUGGAGE", "attributes": attributes, **extra}
    return Item(id=sku, fields=fields, product_id=sku.split("-")[0], group_id=sku.split("-")[0])


ITEMS = (
    listing("BAG-S", 'Bag "Small" & <light> – é'),
    listing("BAG-L", "Bag Large", requirements="LISTING_OFFER_ONLY"),
    listing("BAG-M", "Bag Medium", operation="PARTIAL_UPDATE"),
    Item(id="OLD-1", fields={"operation": "DELETE", "product_type": "LUGGAGE"}, product_id="OLD"),
    Item(id="BAG-X", product_id="BAG", fields={"operation": "PATCH", "product_type": "LUGGAGE", "patches": [
        {"op": "replace", "path": "/attributes/fulfillment_availability",
         "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": 0}]}]}),
)


def write(feeds, root: Path) -> FeedOutput:
    out = FeedOutput(root)
    amazon_json.write_feeds(feeds, out)
    out.commit()
    return out


@pytest.fixture(scope="module")
def validator() -> Draft7Validator:
    if not SCHEMA.exists():
        pytest.skip(f"Amazon schema not found at {SCHEMA}")
    return Draft7Validator(json.loads(SCHEMA.read_text()))


def test_feed_validates_against_amazon_schema(tmp_path, validator):
    write([Feed(info(), ITEMS)], tmp_path)
    document = json.loads((tmp_path / "amazon" / "US.json").read_text("utf-8"))
    assert list(validator.iter_errors(document)) == []
    assert document["header"] == {"sellerId": "A1SELLER", "version": "2.0", "issueLocale": "en_US"}
    first, second, partial, delete, patch = document["messages"]
    assert [m["messageId"] for m in document["messages"]] == [1, 2, 3, 4, 5]
    assert first["sku"] == "BAG-S" and first["operationType"] == "UPDATE" and first["requirements"] == "LISTING"
    assert list(first["attributes"]) == ["item_name", "purchasable_offer", "fulfillment_availability"]
    assert first["attributes"]["item_name"][0]["value"] == 'Bag "Small" & <light> – é'
    assert second["requirements"] == "LISTING_OFFER_ONLY"
    assert "requirements" not in partial
    assert delete == {"messageId": 4, "sku": "OLD-1", "operationType": "DELETE"}
    assert patch["patches"][0]["value"][0]["quantity"] == 0


def test_decimal_is_an_exact_json_number_and_text_is_utf8(tmp_path):
    write([Feed(info(), ITEMS[:1])], tmp_path)
    raw = (tmp_path / "amazon" / "US.json").read_bytes()
    assert b'"value_with_tax":19.90' in raw
    assert "– é".encode() in raw and b"\\u" not in raw
    assert raw.endswith(b"\n]}\n") and b"\r" not in raw


def test_split_at_messages_per_file(tmp_path, validator):
    items = tuple(listing(f"SKU-{n}", f"Item {n}") for n in range(5))
    out = write([Feed(info(messages_per_file=2), items)], tmp_path)
    assert sorted(out.files) == ["amazon/US-2.json", "amazon/US-3.json", "amazon/US.json"]
    documents = [json.loads((tmp_path / "amazon" / name).read_text()) for name in ("US.json", "US-2.json", "US-3.json")]
    for document in documents:
        assert list(validator.iter_errors(document)) == []
    assert [[m["messageId"] for m in d["messages"]] for d in documents] == [[1, 2], [1, 2], [1]]
    assert [m["sku"] for d in documents for m in d["messages"]] == [item.id for item in items]


def test_market_without_items_writes_nothing(tmp_path):
    assert write([Feed(info(), ())], tmp_path).files == {}


def test_deterministic(tmp_path):
    write([Feed(info(), ITEMS)], tmp_path / "a")
    write([Feed(info(), ITEMS)], tmp_path / "b")
    assert (tmp_path / "a/amazon/US.json").read_bytes() == (tmp_path / "b/amazon/US.json").read_bytes()


@pytest.mark.parametrize("options, message", [
    ({"seller_id": ""}, "seller_id"),
    ({"messages_per_file": 25_001}, "messages_per_file"),
    ({"messages_per_file": 0}, "messages_per_file"),
])
def test_bad_options_are_refused(tmp_path, options, message):
    with pytest.raises(ValueError, match=message):
        write([Feed(info(**options), ITEMS)], tmp_path)


def test_update_without_attributes_is_refused(tmp_path):
    item = Item(id="X", product_id="X", fields={"product_type": "LUGGAGE", "attributes": {"color": []}})
    with pytest.raises(ValueError, match="item X.*attributes"):
        write([Feed(info(), (item,))], tmp_path)


@settings(max_examples=50, deadline=None)
@given(count=st.integers(1, 12), size=st.integers(1, 5))
def test_split_keeps_every_message_once_in_order(tmp_path_factory, count, size):
    items = tuple(listing(f"SKU-{n}", f"Item {n}") for n in range(count))
    root = tmp_path_factory.mktemp("amazon")
    out = write([Feed(info(messages_per_file=size), items)], root)
    names = ["US.json"] + [f"US-{n}.json" for n in range(2, len(out.files) + 1)]
    assert sorted(out.files) == sorted(f"amazon/{name}" for name in names)
    assert len(out.files) == -(-count // size)
    skus = [m["sku"] for name in names for m in json.loads((root / "amazon" / name).read_text())["messages"]]
    assert skus == [item.id for item in items]
