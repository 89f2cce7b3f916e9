"""Amazon SP-API Feeds (2021-06-30): a JSON_LISTINGS_FEED holding only changed SKUs and DELETEs for removed ones.

createFeedDocument -> PUT the feed to the returned URL -> createFeed -> getFeed until DONE ->
getFeedDocument -> the processing report, whose issues are reported per SKU. The feed id is written to
the state file as soon as Amazon returns it, so a run that dies while Amazon processes reads that
feed's report instead of submitting it again. Messages are full `UPDATE`s keyed by SKU: should a
createFeed be retried after its answer was lost, the second feed sets the same listings again.
"""

from __future__ import annotations

import gzip
import json
from typing import Any

from pim.publish.config import AmazonFeedsDestination, check_endpoint
from pim.publish.delta import compute_delta
from pim.publish.feeds import FeedError, amazon_header, content_hash, read_items, read_vouched
from pim.publish.http import DeliveryError, json_body as _json
from pim.publish.outcome import Context, Plan

FEEDS = "/feeds/2021-06-30"
CONTENT_TYPE = "application/json; charset=UTF-8"


def plan(dest: AmazonFeedsDestination, ctx: Context) -> Plan:
    data = read_vouched(ctx.feeds, ctx.manifest, dest.channel, dest.file)
    header = amazon_header(data)
    if header.get("sellerId") != dest.seller_id:
        raise FeedError("PIM704", f"feeds/{dest.file} is written for seller {header.get('sellerId')}, the destination is seller {dest.seller_id}")
    items = {}
    for sku, message in read_items(data, "amazon-json", dest.file).items():
        payload = {k: v for k, v in message.items() if k != "messageId"}  # renumbered per delta feed
        items[sku] = (content_hash(payload), payload)
    delta = compute_delta(items, ctx.state.items)
    messages = list(delta.changed.values()) + [{"sku": sku, "operationType": "DELETE"} for sku in delta.removed]
    documents = [_document(header, messages[i : i + dest.batch_size]) for i in range(0, len(messages), dest.batch_size)]
    return Plan(delta, len(items), sum(len(d) for d in documents), len(documents), documents)


def _document(header: dict, messages: list[dict]) -> bytes:
    numbered = [{"messageId": n, **m} for n, m in enumerate(messages, 1)]
    return json.dumps({"header": header, "messages": numbered}, ensure_ascii=False, separators=(",", ":")).encode()


def send(dest: AmazonFeedsDestination, plan: Plan, ctx: Context) -> None:
    headers = {"x-amz-access-token": ctx.token or "", "Content-Type": "application/json"}
    for document in plan.payloads:
        created = _json(ctx.transport.request("POST", f"{dest.endpoint}{FEEDS}/documents", headers=headers, data=json.dumps({"contentType": CONTENT_TYPE}).encode()))
        upload_url = _https(created.get("url"), "createFeedDocument")
        # The upload URL is presigned: it carries its own authorisation, so no token is sent with it.
        ctx.transport.request("PUT", upload_url, headers={"Content-Type": CONTENT_TYPE}, data=document)
        ctx.outcome.bytes += len(document)
        feed = {"feedType": "JSON_LISTINGS_FEED", "marketplaceIds": dest.marketplace_ids, "inputFeedDocumentId": created["feedDocumentId"]}
        answer = _json(ctx.transport.request("POST", f"{dest.endpoint}{FEEDS}/feeds", headers=headers, data=json.dumps(feed).encode()))
        if "feedId" not in answer:
            raise DeliveryError(f"createFeed answered without a feedId: {ctx.transport.redact(json.dumps(answer)[:200])}")
        messages = json.loads(document)["messages"]
        expected = {m["sku"]: (None if m["operationType"] == "DELETE" else plan.delta.hashes[m["sku"]]) for m in messages}
        ctx.state.pending.append({"feed_id": answer["feedId"], "items": expected})
        ctx.state.save()
        settle(dest, ctx)


def settle(dest: AmazonFeedsDestination, ctx: Context) -> None:
    """Wait for each pending feed's processing report; record the SKUs it accepted, report the issues of the rest."""
    headers = {"x-amz-access-token": ctx.token or ""}
    while ctx.state.pending:
        work = ctx.state.pending[0]
        feed = _wait_for(dest, work["feed_id"], headers, ctx)
        report = _report(dest, feed, headers, ctx) if feed.get("resultFeedDocumentId") else {}
        errors: dict[str, list[str]] = {}
        for issue in report.get("issues") or []:
            if issue.get("severity") == "ERROR" and issue.get("sku"):
                where = f" ({issue['attributeName']})" if issue.get("attributeName") else ""
                errors.setdefault(str(issue["sku"]), []).append(f"{issue.get('code', '')} {issue.get('message', '')}{where}".strip())
        processed = feed.get("processingStatus") == "DONE"
        for sku, digest in work["items"].items():
            if sku in errors:
                ctx.outcome.item_failed(sku, "Amazon: " + "; ".join(errors[sku])[:500], dest.file)
            elif processed:
                ctx.acknowledge(sku, digest)
            else:
                ctx.outcome.item_failed(sku, f"feed {work['feed_id']} ended {feed.get('processingStatus')}: not applied", dest.file)
        ctx.state.pending.pop(0)
        ctx.state.save()


def _wait_for(dest: AmazonFeedsDestination, feed_id: str, headers: dict, ctx: Context) -> dict:
    while True:
        feed = _json(ctx.transport.request("GET", f"{dest.endpoint}{FEEDS}/feeds/{feed_id}", headers=headers))
        if feed.get("processingStatus") in ("DONE", "CANCELLED", "FATAL"):
            return feed
        ctx.transport.wait(ctx.transport.retry.poll_interval, f"waiting for Amazon to process feed {feed_id}")


def _report(dest: AmazonFeedsDestination, feed: dict, headers: dict, ctx: Context) -> dict:
    document = _json(ctx.transport.request("GET", f"{dest.endpoint}{FEEDS}/documents/{feed['resultFeedDocumentId']}", headers=headers))
    body = ctx.transport.request("GET", _https(document.get("url"), "getFeedDocument")).content
    if document.get("compressionAlgorithm") == "GZIP":
        body = gzip.decompress(body)
    try:
        report = json.loads(body)
    except ValueError:
        raise DeliveryError(f"the processing report of feed {feed.get('feedId')} is not JSON") from None
    return report if isinstance(report, dict) else {}


def _https(url: Any, operation: str) -> str:
    """The same rule as configured endpoints: https, or this machine. The URL is never repeated (it is signed)."""
    if not isinstance(url, str):
        raise DeliveryError(f"{operation} answered without a url")
    try:
        return check_endpoint(url)
    except ValueError:
        raise DeliveryError(f"{operation} returned a URL that is not https: pim does not send there") from None
