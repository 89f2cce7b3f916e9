"""The built-in channel kinds: for each, the rules its items must meet and the formats it can be written in.

A new channel in an existing format is a mapping file naming one of these kinds. A new format is one
writer module and one line here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

from pim.feed import Feed
from pim.output import FeedOutput
from pim.rules import ChannelRules
from pim.rules import amazon, bmecat, google, meta, pinterest, shopify, tiktok, web
from pim.rules import print as print_rules
from pim.writers import amazon_json, google_rss, google_tsv, headless_json, indesign, jsonld, meta_csv, pinterest as pinterest_writer, shopify_csv, tiktok_csv
from pim.writers import bmecat as bmecat_writer
from pim.writers import pdf
from pim.writers.assembly import Streamed

WriteFeeds = Callable[[Sequence[Feed], FeedOutput], None]


@dataclass(frozen=True)
class ChannelKind:
    rules: ChannelRules
    writers: dict[str, WriteFeeds]  # format name -> writer; the first is the default
    reads_project_files: bool = False  # its rules or writers read files (images) anywhere in the project

    @property
    def default_format(self) -> str:
        return next(iter(self.writers))


CHANNEL_KINDS: dict[str, ChannelKind] = {
    "google-merchant": ChannelKind(google.RULES, {"google-rss": google_rss.write_feeds, "google-tsv": google_tsv.write_feeds}),
    "meta": ChannelKind(meta.RULES, {"meta-csv": meta_csv.write_feeds}),
    "tiktok": ChannelKind(tiktok.RULES, {"tiktok-csv": tiktok_csv.write_feeds}),
    "pinterest": ChannelKind(pinterest.RULES, {"pinterest-csv": pinterest_writer.write_feeds}),
    "amazon": ChannelKind(amazon.RULES, {"amazon-json": amazon_json.write_feeds}),
    "shopify": ChannelKind(shopify.RULES, {"shopify-csv": shopify_csv.write_feeds}),
    "headless": ChannelKind(web.HEADLESS_RULES, {"headless-json": headless_json.write_feeds}),
    "jsonld": ChannelKind(web.JSONLD_RULES, {"jsonld": jsonld.write_feeds}),
    "bmecat": ChannelKind(bmecat.RULES, {"bmecat-xml": bmecat_writer.write_feeds}),
    "indesign": ChannelKind(ChannelRules(channel="InDesign", extra=(print_rules.check_images,)), {"indesign-csv": indesign.write_feeds}, reads_project_files=True),
    "print-pdf": ChannelKind(print_rules.RULES, {"typst-pdf": pdf.write_feeds}, reads_project_files=True),
}

# Formats whose writers are split into pieces per item and file plans (pim/writers/assembly.py): a build
# streams them from its render cache instead of holding their items (pim/streamed.py).
STREAMED: dict[str, Streamed] = {
    "google-rss": google_rss.STREAMED,
    "meta-csv": meta_csv.STREAMED,
    "amazon-json": amazon_json.STREAMED,
    "headless-json": headless_json.STREAMED,
}
