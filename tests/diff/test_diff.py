"""`pim diff`: each change to a tiny project shows exactly itself; laws on generated feeds; bounded Markdown; the command."""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest
from hypothesis import given, settings, strategies as st
from typer.testing import CliRunner

from pim.build import build
from pim.cli import app
from pim.diff import FeedDiff, FieldChange, check_committed_feeds, diff_feeds, only_fields
from pim.diff_report import MARKDOWN_LIMIT, feed_summary, render_diff
from pim.feed import Exclusion, Feed, FeedInfo, Item
from pim.problems import Location, Problem
from pim.sources import GitRevision, WorkingTree

MG1 = "catalog/products/MG-1.yaml"
MG2 = "catalog/products/MG-2.yaml"
GOOGLE = "mappings/google.yaml"


def flat(diff: FeedDiff) -> set[tuple]:
    """Every change as one comparable tuple, so a test states the whole expected set."""
    found: set[tuple] = set()
    for feed in diff.feeds:
        found |= {("feed added", feed.name)} if feed.feed_added else set()
        found |= {("feed removed", feed.name)} if feed.feed_removed else set()
        found |= {("settings", feed.name, c.field) for c in feed.info}
        found |= {("added", feed.name, i) for i in feed.added}
        found |= {("removed", feed.name, i) for i in feed.removed}
        found |= {("changed", feed.name, i.item_id, c.name, _hashable(c.before), _hashable(c.after)) for i in feed.changed for c in i.fields}
        found |= {("excluded", feed.name, e.item_id, tuple(r.code for r in e.reasons)) for e in feed.excluded}
        found |= {("included", feed.name, e.item_id, tuple(r.code for r in e.reasons)) for e in feed.included}
    return found


def _hashable(value):
    return repr(value) if isinstance(value, (dict, list)) else value


# --- One change, exactly that change -------------------------------------------------------


def test_no_change_is_an_empty_diff(project):
    diff = project.diff()
    assert diff.is_empty and flat(diff) == set()
    assert diff.unchanged == ("google/FR", "google/US", "headless/US")


def test_a_price(project):
    project.replace(MG1, 'USD: "18.00"', 'USD: "19.50"')
    assert flat(project.diff()) == {
        ("changed", "google/US", "MG-1-WHT", "price", "18.00 USD", "19.50 USD"),
        ("changed", "google/US", "MG-1-NVY", "price", "18.00 USD", "19.50 USD"),
        ("changed", "headless/US", "MG-1", "price", "18.00", "19.50"),
    }


def test_a_title_translation(project):
    project.replace(MG1, "fr-FR: Mug de camp}", "fr-FR: Tasse de camp}")
    assert flat(project.diff()) == {
        ("changed", "google/FR", "MG-1-WHT", "title", "Mug de camp", "Tasse de camp"),
        ("changed", "google/FR", "MG-1-NVY", "title", "Mug de camp", "Tasse de camp"),
    }


def test_a_mapping_expression(project):
    project.replace(GOOGLE, "title: product.name", "title: '[product.name, product.brand] | join(\" by \")'")
    assert flat(project.diff()) == {
        ("changed", "google/US", "MG-1-WHT", "title", "Camp Mug", "Camp Mug by Hearth"),
        ("changed", "google/US", "MG-1-NVY", "title", "Camp Mug", "Camp Mug by Hearth"),
        ("changed", "google/US", "MG-2-RED", "title", "Tall Mug", "Tall Mug by Hearth"),
        ("changed", "google/FR", "MG-1-WHT", "title", "Mug de camp", "Mug de camp by Hearth"),
        ("changed", "google/FR", "MG-1-NVY", "title", "Mug de camp", "Mug de camp by Hearth"),
        ("changed", "google/FR", "MG-2-RED", "title", "Grand mug", "Grand mug by Hearth"),
    }


def test_a_deleted_product(project):
    project.delete(MG2)
    assert flat(project.diff()) == {
        ("removed", "google/US", "MG-2-RED"),
        ("removed", "google/FR", "MG-2-RED"),
        ("removed", "headless/US", "MG-2"),
    }


def test_an_added_variant(project):
    project.replace(MG1, "color: navy, stock: 3}", 'color: navy, stock: 3}\n  - {sku: MG-1-RED, gtin: "850031600041", color: red, stock: 2}')
    assert flat(project.diff()) == {("added", "google/US", "MG-1-RED"), ("added", "google/FR", "MG-1-RED")}


def test_an_item_the_channel_starts_and_stops_refusing(project):
    long_name = "Tall Mug " + "very " * 40
    project.replace(MG2, "en-US: Tall Mug,", f"en-US: {long_name.strip()},")
    diff = project.diff()
    assert flat(diff) == {
        ("excluded", "google/US", "MG-2-RED", ("PIM302",)),
        ("changed", "headless/US", "MG-2", "name", "Tall Mug", long_name.strip()),
    }
    project.commit("a long name")
    assert ("included", "google/US", "MG-2-RED", ("PIM302",)) in flat(project.diff("HEAD", "HEAD~1"))


def test_two_revisions_leave_the_working_tree_alone(project):
    first = project.git("rev-parse", "HEAD")
    project.replace(MG1, 'USD: "18.00"', 'USD: "21.00"')
    second = project.commit("price")
    project.replace(MG1, 'USD: "21.00"', 'USD: "99.00"')  # uncommitted: not in either revision
    assert ("changed", "google/US", "MG-1-WHT", "price", "18.00 USD", "21.00 USD") in flat(project.diff(first, second))
    assert 'USD: "99.00"' in (project.root / MG1).read_text()
    assert not (project.root / "feeds").exists()


def test_a_revision_reads_its_files_in_one_batch_with_the_same_bytes_as_one_by_one(project):
    project.replace(MG1, 'USD: "18.00"', 'USD: "21.00"')
    project.write("catalog/products/EMPTY.yaml", "")
    project.commit("price and an empty file")
    one_by_one = GitRevision(project.root, "HEAD")
    batched = GitRevision(project.root, "HEAD")
    paths = batched.list("catalog/products") + ["catalog/settings.yaml", "catalog/nowhere.yaml"]
    batched.preload(paths)
    assert {p: batched.read(p) for p in paths} == {p: one_by_one.read(p) for p in paths}
    assert batched.read("catalog/products/EMPTY.yaml") == b""
    assert b'USD: "21.00"' in batched.read(MG1)


def test_problems_introduced_and_fixed_by_code_path_and_message(project):
    project.replace(MG2, "categories: [home/mugs]", "categories: [home/cups]")
    diff = project.diff()
    assert [(p.code, p.location.path) for p in diff.introduced] == [("PIM204", MG2)]
    assert diff.fixed == ()
    project.commit("broken")
    back = project.diff("HEAD", "HEAD~1")
    assert [(p.code, p.location.path) for p in back.fixed] == [("PIM204", MG2)] and back.introduced == ()


def test_a_problem_that_only_moved_lines_is_not_introduced(project):
    project.replace(MG2, "categories: [home/mugs]", "categories: [home/cups]")
    project.commit("broken")
    project.replace(MG2, "id: MG-2\n", "# a comment pushes every line down\nid: MG-2\n")
    diff = project.diff()
    assert diff.introduced == () and diff.fixed == ()


def test_a_broken_mapping_leaves_its_channel_uncompared(project):
    project.replace(GOOGLE, "title: product.name", "title: product.name |")
    diff = project.diff()
    assert diff.uncompared == ("google",)
    assert {p.code for p in diff.introduced} == {"PIM402"}
    assert not any(f.channel == "google" for f in diff.feeds)


def test_filters(project):
    project.replace(MG1, 'USD: "18.00", EUR: "17.00"', 'USD: "19.00", EUR: "16.00"')
    project.replace(MG1, "en-US: Camp Mug,", "en-US: Camping Mug,")
    assert {(f.name) for f in project.diff(channels=["headless"]).feeds} == {"headless/US"}
    assert {(f.name) for f in project.diff(markets=["FR"]).feeds} == {"google/FR"}
    narrowed = only_fields(project.diff(), ["title"])
    assert {(c[1], c[3]) for c in flat(narrowed)} == {("google/US", "title")}


def test_a_new_mapping_is_a_new_feed(project):
    project.write("mappings/web.yaml", "channel: headless\nformat: headless-json\nmarkets: [FR]\nitem: product\nfields:\n  id: product.id\n")
    assert flat(project.diff()) == {("feed added", "web/FR"), ("added", "web/FR", "MG-1"), ("added", "web/FR", "MG-2")}


# --- Laws, on feeds made directly --------------------------------------------------------------

scalars = st.one_of(st.none(), st.text(max_size=4), st.integers(-3, 3), st.decimals(places=2, min_value=0, max_value=9, allow_nan=False))
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from("ab"), inner, max_size=2), max_leaves=6)
field_maps = st.dictionaries(st.sampled_from(["title", "price", "color", "link"]), values, max_size=4)


@st.composite
def feeds(draw) -> list[Feed]:
    keys = draw(st.sets(st.tuples(st.sampled_from(["google", "meta"]), st.sampled_from(["US", "FR", None])), max_size=4))
    built = []
    for channel, market in sorted(keys, key=lambda k: (k[0], k[1] or "")):
        ids = draw(st.sets(st.sampled_from([f"SKU-{n}" for n in range(8)]), max_size=6))
        left_out = draw(st.sets(st.sampled_from(sorted(ids)), max_size=len(ids))) if ids else set()
        items = tuple(Item(i, draw(field_maps), i.split("-")[0], draw(st.sampled_from([None, "G"]))) for i in sorted(ids - left_out))
        why = (Problem(draw(st.sampled_from(["PIM301", "PIM302"])), "no", Location("catalog/products/x.yaml", 1, 1)),)
        excluded = tuple(Exclusion(i, "SKU", why) for i in sorted(left_out))
        info = FeedInfo(channel, "google-merchant", "google-rss", market, title=draw(st.sampled_from(["A", "B"])), build_time=draw(st.sampled_from(["1970-01-01T00:00:00Z", "2026-01-01T00:00:00Z"])))
        built.append(Feed(info, items, excluded))
    return built


problems = st.lists(st.builds(Problem, st.sampled_from(["PIM201", "PIM301"]), st.sampled_from(["a", "b"]), st.builds(Location, st.sampled_from(["x.yaml", "y.yaml"]), st.integers(0, 3))), max_size=3)


@settings(max_examples=200, deadline=None)
@given(feeds(), problems)
def test_a_build_compared_with_itself_has_no_changes(a, found):
    diff = diff_feeds(a, a, old_problems=found, new_problems=found)
    assert diff.is_empty and diff.feeds == () and len(diff.unchanged) == len(a)


@settings(max_examples=300, deadline=None)
@given(feeds(), feeds(), problems, problems)
def test_what_one_way_adds_the_other_way_removes(a, b, pa, pb):
    forward, backward = diff_feeds(a, b, old_problems=pa, new_problems=pb), diff_feeds(b, a, old_problems=pb, new_problems=pa)
    assert [f.name for f in forward.feeds] == [f.name for f in backward.feeds]
    for there, back in zip(forward.feeds, backward.feeds):
        assert there.added == back.removed and there.removed == back.added
        assert there.excluded == back.included and there.included == back.excluded
        assert (there.feed_added, there.feed_removed) == (back.feed_removed, back.feed_added)
        assert [c.item_id for c in there.changed] == [c.item_id for c in back.changed]
        for item, reverse in zip(there.changed, back.changed):
            assert item.fields == tuple(FieldChange(c.field, c.after, c.before, c.path) for c in reverse.fields)
        assert there.info == tuple(FieldChange(c.field, c.after, c.before, c.path) for c in back.info)
    assert forward.introduced == backward.fixed and forward.fixed == backward.introduced


def test_a_change_inside_a_value_is_shown_where_it_is():
    def feed(variants: list) -> Feed:
        return Feed(FeedInfo("headless", "headless", "headless-json", "US"), (Item("P", {"variants": variants, "name": "Mug"}, "P", None, "product"),))

    white, navy = {"sku": "P-WHT", "price": "18.00"}, {"sku": "P-NVY", "price": "18.00"}
    diff = diff_feeds([feed([white, navy])], [feed([white, {**navy, "price": "19.00"}, {"sku": "P-RED"}])])
    assert flat(diff) == {
        ("changed", "headless/US", "P", "variants[1].price", "18.00", "19.00"),
        ("changed", "headless/US", "P", "variants[2]", None, repr({"sku": "P-RED"})),
    }
    assert feed_summary(diff.feeds[0]) == "headless/US: +0 -0 ~1 (variants on 1)"
    assert flat(diff_feeds([feed([{"sku": "A"}])], [feed([{"sku": "A", "gtin": None}])])) == {("changed", "headless/US", "P", "variants[0].gtin", None, None)}


def test_build_time_is_never_a_change():
    def feed(time: str) -> Feed:
        return Feed(FeedInfo("google", "google-merchant", "google-rss", "US", build_time=time), (Item("A", {"price": "1 USD"}, "A"),))

    assert diff_feeds([feed("1970-01-01T00:00:00Z")], [feed("2026-01-01T00:00:00Z")]).is_empty


def test_decimals_that_print_differently_are_a_change():
    def feed(price) -> Feed:
        return Feed(FeedInfo("headless", "headless", "headless-json", "US"), (Item("A", {"price": price}, "A"),))

    assert not diff_feeds([feed(Decimal("18.0"))], [feed(Decimal("18.00"))]).is_empty
    assert diff_feeds([feed(None)], [Feed(FeedInfo("headless", "headless", "headless-json", "US"), (Item("A", {}, "A"),))]).is_empty


# --- Reports -----------------------------------------------------------------------------------


def _big_change(items: int, fields: dict[str, tuple[str, str]], channel: str = "google", market: str = "US") -> tuple[Feed, Feed]:
    info = FeedInfo(channel, "google-merchant", "google-rss", market)
    old = Feed(info, tuple(Item(f"SKU-{n:04}", {k: v[0] for k, v in fields.items()}, "P") for n in range(items)))
    new = Feed(info, tuple(Item(f"SKU-{n:04}", {k: v[1] for k, v in fields.items()}, "P") for n in range(items)))
    return old, new


def test_markdown_of_a_200_item_change_is_bounded_and_summarised():
    old, new = _big_change(200, {"price": ("18.00 USD", "19.00 USD")})
    extra = Item("SKU-9999", {"price": "1.00 USD"}, "P")
    diff = diff_feeds([old], [Feed(new.info, new.items[:199] + (extra,))])
    text = render_diff(diff, "markdown", old="main", new="HEAD")
    assert "- google/US: +1 -1 ~199 (price on 199)" in text.splitlines()
    assert len(text) < MARKDOWN_LIMIT and text.count("\n| `SKU-") == 50
    assert "… and 151 more" in text and text.count("<details>") == text.count("</details>") == 1


def test_markdown_stays_under_the_limit_however_large_the_change():
    long = ("x" * 500, "y" * 500)
    pairs = [_big_change(300, {f"field_{n}": long for n in range(12)}, channel=f"channel{c}", market=m) for c in range(10) for m in ("US", "FR")]
    text = render_diff(diff_feeds([o for o, _ in pairs], [n for _, n in pairs]), "markdown", old="main", new="HEAD")
    assert len(text) <= MARKDOWN_LIMIT
    assert text.count("<details>") == text.count("</details>") and "left out to keep this comment short" in text
    assert "- channel0/FR: +0 -0 ~300 (field_0 on 300, field_1 on 300, field_10 on 300, 9 more fields)" in text


def test_summary_line_names_the_most_changed_fields_first():
    old, new = _big_change(3, {"price": ("1", "2")})
    changed = Feed(new.info, (Item("SKU-0000", {"price": "2", "title": "t"}, "P"), *new.items[1:]))
    (feed,) = diff_feeds([old], [changed]).feeds
    assert feed_summary(feed) == "google/US: +0 -0 ~3 (price on 3, title on 1)"


def test_markdown_escapes_catalog_text_in_tables():
    old, new = _big_change(1, {"title": ("a|b", "<script>x</script> `tick`")})
    text = render_diff(diff_feeds([old], [new]), "markdown", old="a", new="b")
    row = next(line for line in text.splitlines() if line.startswith("| `SKU-0000`"))
    assert row == '| `SKU-0000` | **title**: `"a\\|b"` → `` "<script>x</script> `tick`" `` |'  # code spans: shown, never run


def test_human_is_plain_unless_coloured(project):
    project.replace(MG1, 'USD: "18.00"', 'USD: "19.50"')
    diff = project.diff()
    plain_text = render_diff(diff, "human", old="HEAD", new="working tree")
    assert "\033[" not in plain_text and '~ MG-1-WHT' in plain_text and 'price: "18.00 USD" → "19.50 USD"' in plain_text
    assert "\033[" in render_diff(diff, "human", old="HEAD", new="working tree", color=True)


# --- The command -------------------------------------------------------------------------------


def run(*args: str):
    return CliRunner().invoke(app, ["diff", *args])


def test_cli_exit_codes(project):
    root = str(project.root)
    assert run("-p", root).exit_code == 0
    assert run("-p", root, "--exit-code").exit_code == 0
    project.replace(MG1, 'USD: "18.00"', 'USD: "19.50"')
    assert run("-p", root).exit_code == 0
    changed = run("-p", root, "--exit-code")
    assert changed.exit_code == 1 and "google/US: +0 -0 ~2 (price on 2)" in changed.stdout
    assert run("-p", root, "--exit-code", "--field", "title").exit_code == 0


def test_cli_json_parses(project):
    project.delete(MG2)
    result = run("-p", str(project.root), "--format", "json")
    document = json.loads(result.stdout)
    assert result.exit_code == 0 and document["changed"] is True and document["old"] == "HEAD" and document["new"] == "working tree"
    assert [(f["channel"], f["market"], f["removed"]) for f in document["feeds"]] == [("google", "FR", ["MG-2-RED"]), ("google", "US", ["MG-2-RED"]), ("headless", "US", ["MG-2"])]


def test_cli_two_revisions_markdown(project):
    project.replace(MG1, 'USD: "18.00"', 'USD: "19.50"')
    project.commit("price")
    result = run("-p", str(project.root), "HEAD~1", "HEAD", "--format", "markdown")
    assert result.exit_code == 0 and "- headless/US: +0 -0 ~1 (price on 1)" in result.stdout


@pytest.mark.parametrize(
    "args, message",
    [
        (["nosuchrev"], r"^pim: git ls-tree -r failed: fatal: Not a valid object name nosuchrev$"),
        (["--", "--output=x"], r"^pim: '--output=x' is not a revision"),
        (["--channel", "amazon"], r"^pim: no channel amazon on either side"),
        (["--format", "xml"], r"^pim: unknown format 'xml'"),
    ],
)
def test_cli_errors_exit_2_with_one_line(project, args, message):
    result = run("-p", str(project.root), *args)
    assert result.exit_code == 2 and result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1 and re.match(message, result.stderr.strip())


def test_cli_outside_a_project_or_repository(tmp_path):
    result = run("-p", str(tmp_path))
    assert result.exit_code == 2 and len(result.stderr.strip().splitlines()) == 1
    (tmp_path / "catalog").mkdir()
    result = run("-p", str(tmp_path))
    assert result.exit_code == 2 and "git" in result.stderr and len(result.stderr.strip().splitlines()) == 1


# --- Committed feeds -----------------------------------------------------------------------------


BMECAT = """
    channel: bmecat
    format: bmecat-xml
    markets: [FR]
    options: {catalog_id: MINI, catalog_version: "1.0", catalog_name: Mini, supplier_name: Mini Shop}
    fields:
      supplier_pid: variant.sku
      description_short: product.name
      price_amount: item.price_amount
"""


def test_committed_feeds_up_to_date_or_not(project, monkeypatch):
    project.write("mappings/bmecat.yaml", BMECAT)  # its header carries the build time
    source = WorkingTree(project.root)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    assert build(source).written
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    assert check_committed_feeds(source) == []  # rebuilt at the time the manifest records, not at the commit's
    feeds = project.root / "feeds"
    (feeds / "google/US.xml").write_bytes((feeds / "google/US.xml").read_bytes().replace(b"18.00 USD", b"18.01 USD"))
    (feeds / "headless/US/products/MG-2.json").unlink()
    (feeds / "google/DE.xml").write_text("stale")
    assert check_committed_feeds(source) == [
        "feeds/google/DE.xml: not written by the build",
        "feeds/google/US.xml: differs",
        "feeds/headless/US/products/MG-2.json: missing (the build writes it)",
    ]
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767312000")  # asked for another instant: the BMEcat header differs
    assert "feeds/bmecat/FR.xml: differs" in check_committed_feeds(source)


def test_committed_feeds_after_a_catalog_change(project):
    source = WorkingTree(project.root)
    build(source)
    project.delete(MG2)
    assert check_committed_feeds(source) == [
        "feeds/google/FR.xml: differs",
        "feeds/google/US.xml: differs",
        "feeds/headless/US/index.json: differs",
        "feeds/headless/US/products/MG-2.json: not written by the build",
        "feeds/manifest.json: differs",
    ]
    (project.root / "catalog/products/MG-1.yaml").write_text("id: [\n")
    assert check_committed_feeds(source) == ["cannot build: the catalog or a mapping has errors (run pim build to see them)"]
