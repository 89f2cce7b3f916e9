"""Meta Catalog Batch API: `POST /{catalog_id}/items_batch` (at most 5,000 requests each), then
`GET /{catalog_id}/check_batch_request_status?handle=...` until the batch is processed.

Changed items go as `UPDATE` with `allow_upsert`, keyed by the retailer id (`data.id`), so a batch
sent twice leaves the same items; removed items go as `DELETE`. The handle is written to the state
file before waiting, so a run that dies while Meta processes checks that batch instead of sending it again.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from pim.publish.config import MetaCatalogDestination
from pim.publish.delta import compute_delta
from pim.publish.feeds import content_hash, read_items, read_vouched
from pim.publish.http import DeliveryError, json_body as _json
from pim.publish.outcome import Context, Plan

LISTS = ("additional_image_link",)  # written comma-joined in the CSV, an array in the API


def item_data(fields: dict[str, Any]) -> dict[str, Any]:
    return {name: [v for v in value.split(",") if v] if name in LISTS else value for name, value in fields.items()}


def plan(dest: MetaCatalogDestination, ctx: Context) -> Plan:
    data = read_vouched(ctx.feeds, ctx.manifest, dest.channel, dest.file)
    fmt = ctx.manifest.channels[dest.channel]["format"]
    items = {}
    for item_id, fields in read_items(data, fmt, dest.file).items():
        payload = item_data(fields)
        items[item_id] = (content_hash(payload), payload)
    delta = compute_delta(items, ctx.state.items)
    requests = [{"method": "UPDATE", "data": p} for p in delta.changed.values()] + [{"method": "DELETE", "data": {"id": i}} for i in delta.removed]
    size = sum(len(json.dumps(r)) for r in requests)
    return Plan(delta, len(items), size, -(-len(requests) // dest.batch_size), requests)


def _base(dest: MetaCatalogDestination) -> str:
    return f"{dest.endpoint}/{dest.api_version}/{dest.catalog_id}"


def send(dest: MetaCatalogDestination, plan: Plan, ctx: Context) -> None:
    headers = {"Authorization": f"Bearer {ctx.token}", "Content-Type": "application/json"}
    for start in range(0, len(plan.payloads), dest.batch_size):
        batch = plan.payloads[start : start + dest.batch_size]
        body = json.dumps({"item_type": "PRODUCT_ITEM", "allow_upsert": True, "requests": batch}, ensure_ascii=False).encode()
        response = ctx.transport.request("POST", f"{_base(dest)}/items_batch", headers=headers, data=body)
        ctx.outcome.bytes += len(body)
        handles = _json(response).get("handles") or []
        if not handles:
            raise DeliveryError(f"items_batch answered without a handle: {ctx.transport.redact(response.text[:200])}")
        expected = {r["data"]["id"]: (plan.delta.hashes[r["data"]["id"]] if r["method"] == "UPDATE" else None) for r in batch}
        ctx.state.pending.append({"handles": handles, "items": expected})
        ctx.state.save()
        settle(dest, ctx)


def settle(dest: MetaCatalogDestination, ctx: Context) -> None:
    """Wait for every pending handle to finish, then record its items, except those Meta reported errors for."""
    headers = {"Authorization": f"Bearer {ctx.token}"}
    while ctx.state.pending:
        work = ctx.state.pending[0]
        errors: dict[str, str] = {}
        for handle in work["handles"]:
            errors.update(_wait_for(dest, handle, headers, ctx))
        for item, digest in work["items"].items():
            if item in errors:
                ctx.outcome.item_failed(item, errors[item], dest.file)
            else:
                ctx.acknowledge(item, digest)
        ctx.state.pending.pop(0)
        ctx.state.save()


def _wait_for(dest: MetaCatalogDestination, handle: str, headers: dict, ctx: Context) -> dict[str, str]:
    url = f"{_base(dest)}/check_batch_request_status?handle={quote(handle, safe='')}"
    while True:
        status = (_json(ctx.transport.request("GET", url, headers=headers)).get("data") or [{}])[0]
        if status.get("status") == "finished":
            errors: dict[str, str] = {}
            for error in status.get("errors") or []:
                item = str(error.get("id") or error.get("retailer_id") or "")
                errors[item] = ctx.transport.redact(str(error.get("message", "rejected")))[:300]
            return errors
        if status.get("status") in ("error", "failed"):
            raise DeliveryError(f"Meta could not process batch {handle}: {ctx.transport.redact(json.dumps(status)[:300])}")
        ctx.transport.wait(ctx.transport.retry.poll_interval, f"waiting for Meta to process batch {handle}")
