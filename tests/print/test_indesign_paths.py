"""InDesign's @ image columns: project-relative paths in the feed, full OS paths under options.image_root in the file."""

from __future__ import annotations

from pim.feed import Feed, FeedInfo, Item
from pim.output import FeedOutput
from pim.writers import indesign
from pim.writers.indesign import image_path
from tests.channels.demo import ROOT


def test_a_project_path_joins_the_designers_root_in_the_os_spelling():
    assert image_path("/Users/Shared/altitude/", "catalog/images/TJ-100-front.svg") == "/Users/Shared/altitude/catalog/images/TJ-100-front.svg"
    assert image_path("D:\\Catalog", "catalog/images/TJ-100-front.svg") == "D:\\Catalog\\catalog\\images\\TJ-100-front.svg"
    assert image_path("\\\\server\\print", "catalog/a.png") == "\\\\server\\print\\catalog\\a.png"


def test_absolute_paths_web_addresses_and_no_root_are_left_as_the_mapping_gives_them():
    assert image_path("/Users/Shared/altitude", "/Volumes/Print/TS.tif") == "/Volumes/Print/TS.tif"
    assert image_path("/Users/Shared/altitude", "C:\\Images\\TS.tif") == "C:\\Images\\TS.tif"
    assert image_path("/Users/Shared/altitude", "https://cdn.example.com/a.png") == "https://cdn.example.com/a.png"
    assert image_path(None, "catalog/images/a.svg") == "catalog/images/a.svg"


def test_the_written_record_has_the_full_path_and_the_feed_keeps_the_project_path(tmp_path):
    item = Item("TJ-100-BLK-M", {"sku": "TJ-100-BLK-M", "@image": "catalog/images/TJ-100-front.svg"}, "TJ-100")
    feed = Feed(FeedInfo("print", "indesign", "indesign-csv", market="US", options={"columns": ["sku", "@image"], "image_root": "/Users/Shared/altitude"}), (item,))
    out = FeedOutput(tmp_path)
    indesign.write_feeds([feed], out)
    out.commit()
    lines = (tmp_path / "print/US-datamerge.csv").read_text(encoding="utf-8-sig").splitlines()
    assert lines == ["sku,@image", "TJ-100-BLK-M,/Users/Shared/altitude/catalog/images/TJ-100-front.svg"]
    assert item.fields["@image"] == "catalog/images/TJ-100-front.svg"  # pim diff compares project paths, not machines


def test_the_demo_mapping_names_project_paths_and_a_root():
    mapping = (ROOT / "mappings/print.yaml").read_text(encoding="utf-8")
    assert "image_root: /" in mapping and '("catalog/" ~ item.images[0].path)' in mapping
