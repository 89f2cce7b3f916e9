"""Meta catalog CSV: full feeds per market, or a base feed plus country and language override feeds."""

from __future__ import annotations

import csv
import tempfile
from decimal import Decimal
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from pim.feed import Feed, FeedInfo, Item
from pim.output import FeedOutput
from pim.writers import meta_csv

COLUMNS = ["id", "title", "description", "availability", "price", "link", "image_link", "additional_image_link"]
MARKETS = {"US": ("US", "en-US"), "FR": ("FR", "fr-FR"), "BE": ("BE", "fr-BE"), "GB": ("GB", "en-GB")}


def info(market: str, **options) -> FeedInfo:
    country, locale = MARKETS[market]
    return FeedInfo("meta", "meta", "meta-csv", market=market, country=country, locale=locale,
                    options={"columns": COLUMNS, **options})  # fmt: skip


def item(sku: str, title: str, price: str, **extra) -> Item:
    fields = {"id": sku, "title": title, "description": f"About {title}", "availability": "in stock",
              "price": price, "link": f"https://shop.example/{sku}", "image_link": f"https://img.example/{sku}.jpg",
              "additional_image_link": [f"https://img.example/{sku}-{n}.jpg" for n in (2, 3)]}  # fmt: skip
    return Item(id=sku, fields={**fields, **extra}, product_id=sku.split("-")[0])


US = (item("P1-S", "Trail Shell, size S", "99.00 USD"), item("P1-M", 'The "best" shell', Decimal("99.00")))
FR = (item("P1-S", "Veste Trail, taille S", "89.00 EUR"), item("P1-M", "Veste\nTrail", "89.00 EUR"),
      item("P9-X", "Seulement en France", "5.00 EUR"))  # fmt: skip


def write(tmp: Path, feeds) -> dict[str, list[dict[str, str]]]:
    out = FeedOutput(tmp)
    meta_csv.write_feeds(feeds, out)
    out.commit()
    return {path: read(tmp / path) for path in sorted(out.files)}


def read(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def header(path: Path) -> list[str]:
    with open(path, encoding="utf-8", newline="") as handle:
        return next(csv.reader(handle))


def test_without_overrides_every_market_is_a_full_feed(tmp_path):
    files = write(tmp_path, [Feed(info("US"), US), Feed(info("FR"), FR)])
    assert list(files) == ["meta/FR.csv", "meta/US.csv"]
    assert header(tmp_path / "meta/US.csv") == COLUMNS
    assert [row["id"] for row in files["meta/FR.csv"]] == ["P1-S", "P1-M", "P9-X"]
    first = files["meta/US.csv"][0]
    assert first["title"] == "Trail Shell, size S"
    assert first["additional_image_link"] == "https://img.example/P1-S-2.jpg,https://img.example/P1-S-3.jpg"
    assert files["meta/US.csv"][1]["title"] == 'The "best" shell'
    assert files["meta/US.csv"][1]["price"] == "99.00"
    assert files["meta/FR.csv"][1]["title"] == "Veste\nTrail"


def test_override_feeds_split_country_and_language_fields(tmp_path):
    files = write(tmp_path, [Feed(info("US", overrides=True), US), Feed(info("FR", overrides=True), FR)])
    assert list(files) == ["meta/US.csv", "meta/override-country-FR.csv", "meta/override-language-fr_XX.csv"]
    assert header(tmp_path / "meta/override-country-FR.csv") == ["id", "override", "availability", "price", "link"]
    assert header(tmp_path / "meta/override-language-fr_XX.csv") == ["id", "override", "title", "description"]
    country = files["meta/override-country-FR.csv"]
    assert [(row["id"], row["override"], row["price"]) for row in country] == [
        ("P1-S", "FR", "89.00 EUR"),
        ("P1-M", "FR", "89.00 EUR"),
    ]
    language = files["meta/override-language-fr_XX.csv"]
    assert [(row["id"], row["override"], row["title"]) for row in language] == [
        ("P1-S", "fr_XX", "Veste Trail, taille S"),
        ("P1-M", "fr_XX", "Veste\nTrail"),
    ]


def test_only_base_ids_reach_override_feeds(tmp_path):
    files = write(tmp_path, [Feed(info("US", overrides=True), US), Feed(info("FR", overrides=True), FR)])
    for path in ("meta/override-country-FR.csv", "meta/override-language-fr_XX.csv"):
        assert "P9-X" not in {row["id"] for row in files[path]}


def test_one_language_feed_per_language_and_none_for_the_base_language(tmp_path):
    feeds = [Feed(info(market, overrides=True), US if market in ("US", "GB") else FR) for market in MARKETS]
    files = write(tmp_path, feeds)
    assert list(files) == [
        "meta/US.csv",
        "meta/override-country-BE.csv",
        "meta/override-country-FR.csv",
        "meta/override-country-GB.csv",
        "meta/override-language-fr_XX.csv",
    ]
    assert {row["override"] for row in files["meta/override-country-BE.csv"]} == {"BE"}


def test_language_fields_option_adds_text_fields_but_never_country_only_ones(tmp_path):
    options = {"overrides": True, "language_fields": ["image_link", "price", "availability"]}
    write(tmp_path, [Feed(info("US", **options), US), Feed(info("FR", **options), FR)])
    assert header(tmp_path / "meta/override-language-fr_XX.csv") == ["id", "override", "title", "description",
                                                                      "image_link"]  # fmt: skip


def test_output_is_deterministic(tmp_path):
    feeds = [Feed(info("US", overrides=True), US), Feed(info("FR", overrides=True), FR)]
    first, second = FeedOutput(tmp_path / "a"), FeedOutput(tmp_path / "b")
    meta_csv.write_feeds(feeds, first)
    meta_csv.write_feeds(feeds, second)
    assert {p: f.sha256 for p, f in first.files.items()} == {p: f.sha256 for p, f in second.files.items()}
    first.discard()
    second.discard()


@settings(max_examples=50)
@given(st.lists(st.tuples(st.text(), st.text()), min_size=1, max_size=5))
def test_law_text_values_round_trip(values):
    items = tuple(Item(f"S{i}", {"id": f"S{i}", "title": t, "description": d}, "P") for i, (t, d) in enumerate(values))
    feed = Feed(FeedInfo("meta", "meta", "meta-csv", market="US", options={"columns": ["id", "title", "description"]}),
                items)  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        rows = write(Path(tmp), [feed])["meta/US.csv"]
    crlf = lambda text: text.replace("\r\n", "\n").replace("\r", "\n")  # noqa: E731
    assert [(row["title"], row["description"]) for row in rows] == [(crlf(t), crlf(d)) for t, d in values]
