"""Google Merchant API products: `productInputs:insert` for changed items, `productInputs.delete` for removed ones.

Calls travel in Google's HTTP batch format (multipart/mixed, one `application/http` part per call, at
most 1,000 per batch). Each part is answered separately: a part refused with 429 or 5xx is sent again
in the next round, one refused with another 4xx is reported for its item. An insert replaces the
product input with the same contentLanguage, feedLabel and offerId, and deleting one that is already
gone answers 404, which counts as done: so sending a call twice leaves the same products.
"""

from __future__ import annotations

import base64
import json
import re
import uuid
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import quote

from pim.publish.config import GoogleMerchantDestination
from pim.publish.delta import compute_delta
from pim.publish.feeds import FeedError, content_hash, read_items, read_vouched
from pim.publish.http import RETRY_STATUSES, DeliveryError
from pim.publish.outcome import Context, Plan

API = "products/v1"
# Feed attributes whose Merchant API field is a list, a price, or an enum written in capitals.
LISTS = {"additional_image_link": "additionalImageLinks", "gtin": "gtins", "product_type": "productTypes", "product_highlight": "productHighlights", "product_detail": "productDetails", "shipping": "shipping", "size_type": "sizeTypes"}
PRICES = {"price", "sale_price", "cost_of_goods_sold"}
ENUMS = {"availability", "condition", "gender", "age_group", "size_system"}
UNIT_VALUES = {"shipping_weight", "product_weight", "shipping_length", "shipping_width", "shipping_height"}


def product_input(fields: dict[str, Any], dest: GoogleMerchantDestination) -> dict:
    """One feed item (RSS or TSV attributes) as a Merchant API ProductInput."""
    attributes: dict[str, Any] = {}
    for name, value in fields.items():
        if name in ("id", "title_prefix"):
            continue
        if name in LISTS:
            values = value if isinstance(value, list) else [v for v in str(value).split(",") if v] if name in ("additional_image_link", "gtin") else [value]
            attributes[LISTS[name]] = [_camel_keys(v) for v in values]
        elif name in PRICES:
            attributes[_camel(name)] = price(str(value))
        elif name in ENUMS:
            attributes[_camel(name)] = str(value).upper()
        elif name == "sale_price_effective_date":  # "start/end" in feeds, an Interval in the API
            start, _, end = str(value).partition("/")
            attributes["salePriceEffectiveDate"] = {"startTime": start, "endTime": end} if end else {"startTime": start}
        elif name in UNIT_VALUES:
            attributes[_camel(name)] = _unit_value(str(value))
        else:
            attributes[_camel(name)] = _camel_keys(value)
    return {"offerId": str(fields["id"]), "contentLanguage": dest.content_language, "feedLabel": dest.feed_label, "productAttributes": attributes}


def price(text: str) -> dict:
    """`149.00 USD` -> {amountMicros: "149000000", currencyCode: "USD"} (the API's Price)."""
    amount, _, currency = text.strip().partition(" ")
    try:
        micros = int((Decimal(amount) * 1_000_000).to_integral_value())
    except InvalidOperation:
        raise ValueError(f"{text!r} is not a price like '149.00 USD'") from None
    return {"amountMicros": str(micros), "currencyCode": currency}


def _unit_value(text: str) -> Any:
    number, _, unit = text.strip().partition(" ")
    try:
        return {"value": float(number), "unit": unit}
    except ValueError:
        return text


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _camel_keys(value: Any) -> Any:
    return {_camel(k): v for k, v in value.items()} if isinstance(value, dict) else value


def input_name(dest: GoogleMerchantDestination, offer_id: str) -> str:
    """accounts/{account}/productInputs/{contentLanguage~feedLabel~offerId}; base64url when the id holds / % or ~."""
    key = f"{dest.content_language}~{dest.feed_label}~{offer_id}"
    if re.search(r"[/%~]", offer_id):
        key = base64.urlsafe_b64encode(key.encode()).decode().rstrip("=")
    return f"accounts/{dest.account}/productInputs/{key}"


def plan(dest: GoogleMerchantDestination, ctx: Context) -> Plan:
    data = read_vouched(ctx.feeds, ctx.manifest, dest.channel, dest.file)
    fmt = ctx.manifest.channels[dest.channel]["format"]
    items = {}
    for item_id, fields in read_items(data, fmt, dest.file).items():
        try:
            payload = product_input(fields, dest)
        except ValueError as exc:
            raise FeedError("PIM715", f"feeds/{dest.file}: item {item_id}: {exc}") from None
        items[item_id] = (content_hash(payload), payload)
    delta = compute_delta(items, ctx.state.items)
    calls = [("insert", i, p) for i, p in delta.changed.items()] + [("delete", i, None) for i in delta.removed]
    size = sum(len(json.dumps(p)) for _, _, p in calls if p is not None)
    return Plan(delta, len(items), size, -(-len(calls) // dest.batch_size), calls)


def send(dest: GoogleMerchantDestination, plan: Plan, ctx: Context) -> None:
    data_source = f"accounts/{dest.account}/dataSources/{dest.data_source}"
    waiting = list(plan.payloads)
    for round_number in range(ctx.transport.retry.attempts):
        if not waiting:
            return
        if round_number:
            ctx.transport.retries += 1
            ctx.transport.wait(ctx.transport.jitter() * min(ctx.transport.retry.max_backoff, ctx.transport.retry.backoff * 2**round_number), "resending calls the batch answered with 429 or 5xx")
        again = []
        for start in range(0, len(waiting), dest.batch_size):
            batch = waiting[start : start + dest.batch_size]
            again += _send_batch(dest, batch, data_source, plan, ctx)
            ctx.state.save()  # after every acknowledged batch: a crash re-sends only what was not acknowledged
        waiting = again
    for _, item, _ in waiting:
        ctx.outcome.item_failed(item, f"still refused with 429 or 5xx after {ctx.transport.retry.attempts} rounds", dest.file)


def _send_batch(dest: GoogleMerchantDestination, batch: list, data_source: str, plan: Plan, ctx: Context) -> list:
    boundary = f"pim-{uuid.uuid4().hex}"
    parts = []
    for number, (action, item, payload) in enumerate(batch):
        if action == "insert":
            line = f"POST /{API}/accounts/{dest.account}/productInputs:insert?dataSource={quote(data_source, safe='')} HTTP/1.1"
            body = json.dumps(payload, ensure_ascii=False)
            inner = f"{line}\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n{body}"
        else:
            inner = f"DELETE /{API}/{quote(input_name(dest, item), safe='/~')}?dataSource={quote(data_source, safe='')} HTTP/1.1\r\n\r\n"
        parts.append(f"--{boundary}\r\nContent-Type: application/http\r\nContent-ID: <item-{number}>\r\n\r\n{inner}\r\n")
    body = ("".join(parts) + f"--{boundary}--\r\n").encode()
    headers = {"Authorization": f"Bearer {ctx.token}", "Content-Type": f"multipart/mixed; boundary={boundary}"}
    response = ctx.transport.request("POST", f"{dest.endpoint}/batch/{API}", headers=headers, data=body)
    ctx.outcome.bytes += len(body)
    answers = parse_batch_response(response.headers.get("Content-Type", ""), response.content)
    again = []
    for number, (action, item, payload) in enumerate(batch):
        status, text = answers.get(number, (0, "no answer for this call in the batch response"))
        if 200 <= status < 300 or (action == "delete" and status == 404):
            ctx.acknowledge(item, plan.delta.hashes[item] if action == "insert" else None)
        elif status in RETRY_STATUSES or status == 0:
            again.append((action, item, payload))
        else:
            ctx.outcome.item_failed(item, f"{action} refused: HTTP {status} {ctx.transport.redact(_error_message(text))}", dest.file)
    return again


def parse_batch_response(content_type: str, body: bytes) -> dict[int, tuple[int, str]]:
    """Part number (from Content-ID `<response-item-N>`) -> (HTTP status, body) of each answered call."""
    found = re.search(r'boundary="?([^";]+)"?', content_type)
    if not found:
        raise DeliveryError(f"the batch response is not multipart/mixed (Content-Type {content_type!r})")
    answers: dict[int, tuple[int, str]] = {}
    text = body.decode("utf-8", "replace")
    for part in text.split(f"--{found.group(1)}")[1:]:
        if part.startswith("--"):
            break
        outer, _, inner = part.lstrip("\r\n").partition("\r\n\r\n")
        number = re.search(r"Content-ID:\s*<response-item-(\d+)>", outer, re.IGNORECASE)
        status = re.match(r"HTTP/1\.[01] (\d{3})", inner)
        if number and status:
            answers[int(number.group(1))] = (int(status.group(1)), inner.partition("\r\n\r\n")[2].strip())
    return answers


def _error_message(text: str) -> str:
    try:
        return str(json.loads(text)["error"]["message"])[:300]
    except (ValueError, KeyError, TypeError):
        return text[:300]
