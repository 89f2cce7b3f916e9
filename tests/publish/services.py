"""Imitations of the services pim publishes to, as real HTTP servers on 127.0.0.1, with injectable faults.

Each speaks its service's request and response shapes, checks the credential, records what arrived
(`arrivals[id]` counts how often an item was applied) and keeps the service's final state (`items`).
Faults are queued with `fail(kind, when=...)` and consumed by the next matching request:
  "500"        answer 500 without applying anything
  "429"        answer 429 with `Retry-After: <seconds>` (`retry_after`), nothing applied
  "429-date"   the same with Retry-After as an HTTP date
  "slow"       apply the request, but answer only after `slow_seconds` (past the client's timeout)
  "close"      read half the body, then drop the connection without answering; nothing applied
  "401-echo"   answer 401 with a body that repeats the credential the client sent (a careless service)
"""

from __future__ import annotations

import base64
import email.utils
import gzip
import json
import re
import socket
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable
from urllib.parse import parse_qs, unquote, urlsplit

Answer = tuple[int, dict[str, str], bytes]


class FakeService:
    token_header = "Authorization"

    def __init__(self, token: str):
        self.token = token
        self.faults: list[tuple[str, Callable[[str, str], bool]]] = []
        self.retry_after = 2
        self.slow_seconds = 0.6
        self.arrivals: Counter[str] = Counter()
        self.items: dict[str, object] = {}
        self.requests: list[tuple[str, str]] = []  # (method, path) of every request, faulty ones included
        self.lock = threading.Lock()
        service = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet: the test output stays readable
                pass

            def _serve(self):
                service._dispatch(self)

            do_GET = do_POST = do_PUT = do_DELETE = _serve

        class Server(ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request, client_address):  # a client that hung up on a slow answer
                pass

        self.server = Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def fail(self, *kinds: str, when: Callable[[str, str], bool] = lambda method, path: True) -> None:
        self.faults.extend((kind, when) for kind in kinds)

    def expected_auth(self) -> str:
        return f"Bearer {self.token}"

    def _take_fault(self, method: str, path: str) -> str | None:
        with self.lock:
            for index, (kind, when) in enumerate(self.faults):
                if when(method, path):
                    del self.faults[index]
                    return kind
        return None

    def _dispatch(self, handler: BaseHTTPRequestHandler) -> None:
        method, path = handler.command, handler.path
        self.requests.append((method, path))
        length = int(handler.headers.get("Content-Length") or 0)
        fault = self._take_fault(method, path)
        if fault == "close":
            handler.rfile.read(length // 2)
            handler.close_connection = True
            handler.connection.shutdown(socket.SHUT_RDWR)
            return
        body = handler.rfile.read(length) if length else b""
        if fault in ("500", "429", "429-date", "401-echo"):
            headers = {}
            if fault == "429":
                headers["Retry-After"] = str(self.retry_after)
            elif fault == "429-date":
                headers["Retry-After"] = email.utils.formatdate(time.time() + self.retry_after, usegmt=True)
            text = f"bad credentials: {handler.headers.get(self.token_header)}" if fault == "401-echo" else "try again"
            status = {"500": 500, "429": 429, "429-date": 429, "401-echo": 401}[fault]
            return self._answer(handler, (status, headers, text.encode()))
        if not self._authorised(handler, path):
            return self._answer(handler, (401, {}, b'{"error": {"message": "not authorised"}}'))
        with self.lock:
            answer = self.handle(method, path, dict(handler.headers), body)
        if fault == "slow":
            time.sleep(self.slow_seconds)
        try:
            self._answer(handler, answer)
        except OSError:
            pass  # the client gave up waiting

    def _authorised(self, handler, path: str) -> bool:
        return handler.headers.get(self.token_header) == self.expected_auth()

    @staticmethod
    def _answer(handler, answer: Answer) -> None:
        status, headers, body = answer
        handler.send_response(status)
        headers.setdefault("Content-Type", "application/json")
        for name, value in headers.items():
            handler.send_header(name, value)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    def handle(self, method: str, path: str, headers: dict, body: bytes) -> Answer:
        raise NotImplementedError


def _json(status: int, value) -> Answer:
    return status, {"Content-Type": "application/json"}, json.dumps(value).encode()


class FakeHosting(FakeService):
    """Feed hosting or a shop import endpoint: PUT/POST /import/<path> stores the file."""

    def handle(self, method, path, headers, body):
        if method not in ("PUT", "POST") or not path.startswith("/import/"):
            return _json(404, {"error": "no such endpoint"})
        name = unquote(path.removeprefix("/import/"))
        self.items[name] = body
        self.arrivals[name] += 1
        return _json(200, {"stored": name, "bytes": len(body)})


class FakeMerchant(FakeService):
    """Merchant API products_v1 behind Google's HTTP batch endpoint (multipart/mixed of application/http parts)."""

    def __init__(self, token: str, account: str = "123", data_source: str = "456"):
        super().__init__(token)
        self.account, self.data_source = account, data_source
        self.part_faults: dict[str, list[int]] = {}  # offerId -> statuses its next parts get answered with
        self.batch_sizes: list[int] = []

    def handle(self, method, path, headers, body):
        found = re.search(r"boundary=([^;]+)", headers.get("Content-Type", ""))
        if method != "POST" or path != "/batch/products/v1" or not found:
            return _json(400, {"error": {"code": 400, "message": "expected a multipart/mixed batch", "status": "INVALID_ARGUMENT"}})
        parts = [p for p in body.decode().split(f"--{found.group(1)}")[1:] if not p.startswith("--")]
        self.batch_sizes.append(len(parts))
        answers = []
        for part in parts:
            outer, _, inner = part.lstrip("\r\n").partition("\r\n\r\n")
            content_id = re.search(r"Content-ID: <([^>]+)>", outer).group(1)
            request_line, _, rest = inner.partition("\r\n")
            call_body = rest.partition("\r\n\r\n")[2].strip()
            status, answer = self._call(*request_line.split(" ")[:2], call_body)
            answers.append(f"--batch_fake\r\nContent-Type: application/http\r\nContent-ID: <response-{content_id}>\r\n\r\nHTTP/1.1 {status} X\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n{json.dumps(answer)}\r\n")
        return 200, {"Content-Type": "multipart/mixed; boundary=batch_fake"}, ("".join(answers) + "--batch_fake--\r\n").encode()

    def _call(self, method: str, target: str, body: str) -> tuple[int, dict]:
        url = urlsplit(target)
        data_source = parse_qs(url.query).get("dataSource", [""])[0]
        if data_source != f"accounts/{self.account}/dataSources/{self.data_source}":
            return 400, {"error": {"code": 400, "message": f"unknown dataSource {data_source}"}}
        if method == "POST" and url.path == f"/products/v1/accounts/{self.account}/productInputs:insert":
            product = json.loads(body)
            key = f"{product['contentLanguage']}~{product['feedLabel']}~{product['offerId']}"
            if statuses := self.part_faults.get(product["offerId"]):
                return statuses.pop(0), {"error": {"code": 503, "message": "backend unavailable"}}
            if "price" not in product.get("productAttributes", {}):
                return 400, {"error": {"code": 400, "message": "[price] required attribute missing", "status": "INVALID_ARGUMENT"}}
            self.items[key] = product
            self.arrivals[product["offerId"]] += 1
            return 200, {"name": f"accounts/{self.account}/productInputs/{key}", **product}
        prefix = f"/products/v1/accounts/{self.account}/productInputs/"
        if method == "DELETE" and url.path.startswith(prefix):
            key = unquote(url.path.removeprefix(prefix))
            if "~" not in key:  # the unpadded base64url form, required when the offer id holds / % or ~
                key = base64.urlsafe_b64decode(key + "=" * (-len(key) % 4)).decode()
            if self.items.pop(key, None) is None:
                return 404, {"error": {"code": 404, "message": "not found"}}
            self.arrivals["delete " + key.rsplit("~", 1)[-1]] += 1
            return 200, {}
        return 404, {"error": {"code": 404, "message": f"no method {method} {url.path}"}}


class FakeMeta(FakeService):
    """Graph API /{catalog_id}/items_batch and /{catalog_id}/check_batch_request_status."""

    def __init__(self, token: str, catalog: str = "99", version: str = "v21.0"):
        super().__init__(token)
        self.base = f"/{version}/{catalog}"
        self.batches: dict[str, dict] = {}
        self.batch_sizes: list[int] = []

    def handle(self, method, path, headers, body):
        url = urlsplit(path)
        if method == "POST" and url.path == f"{self.base}/items_batch":
            request = json.loads(body)
            if request.get("item_type") != "PRODUCT_ITEM" or not 1 <= len(request.get("requests", [])) <= 5000:
                return _json(400, {"error": {"message": "(#100) requests must hold 1 to 5000 PRODUCT_ITEM requests", "type": "OAuthException", "code": 100}})
            self.batch_sizes.append(len(request["requests"]))
            errors = []
            for line, r in enumerate(request["requests"]):
                item = r["data"]["id"]
                if r["method"] == "DELETE":
                    self.items.pop(item, None)
                    self.arrivals["delete " + item] += 1
                elif r["method"] in ("UPDATE", "CREATE") and "price" in r["data"]:
                    self.items[item] = r["data"]
                    self.arrivals[item] += 1
                else:
                    errors.append({"line": line, "id": item, "message": "Missing required field: price"})
            handle = f"handle-{len(self.batches) + 1}"
            self.batches[handle] = {"errors": errors, "checks": 0}
            return _json(200, {"handles": [handle]})
        if method == "GET" and url.path == f"{self.base}/check_batch_request_status":
            handle = parse_qs(url.query)["handle"][0]
            batch = self.batches[handle]
            batch["checks"] += 1
            if batch["checks"] == 1:  # still being processed the first time it is asked
                return _json(200, {"data": [{"handle": handle, "status": "started"}]})
            return _json(200, {"data": [{"handle": handle, "status": "finished", "errors_total_count": len(batch["errors"]), "errors": batch["errors"], "warnings": []}]})
        return _json(404, {"error": {"message": f"Unknown path {url.path}"}})


class FakeAmazon(FakeService):
    """SP-API Feeds 2021-06-30 with its document storage: createFeedDocument, upload, createFeed, getFeed, getFeedDocument."""

    token_header = "x-amz-access-token"
    MESSAGE_TYPES = {"UPDATE", "PARTIAL_UPDATE", "PATCH", "DELETE"}

    def __init__(self, token: str, seller: str = "A2EXAMPLESELLER"):
        super().__init__(token)
        self.seller = seller
        self.reject: dict[str, str] = {}  # sku -> the issue message Amazon reports for it
        self.documents: dict[str, bytes] = {}
        self.feeds: dict[str, dict] = {}
        self.uploads = 0

    def expected_auth(self) -> str:
        return self.token

    def _authorised(self, handler, path):
        # Uploads and report downloads use presigned URLs: no access token is sent there.
        return path.startswith(("/upload/", "/reports/")) or super()._authorised(handler, path)

    def handle(self, method, path, headers, body):
        url = urlsplit(path)
        if method == "POST" and url.path == "/feeds/2021-06-30/documents":
            assert json.loads(body)["contentType"].startswith("application/json")
            doc = f"doc-{len(self.documents) + 1}"
            self.documents[doc] = b""
            return _json(201, {"feedDocumentId": doc, "url": f"{self.url}/upload/{doc}?X-Amz-Signature=sig"})
        if method == "PUT" and url.path.startswith("/upload/"):
            self.documents[url.path.removeprefix("/upload/")] = body
            self.uploads += 1
            return 200, {"Content-Type": "text/plain"}, b""
        if method == "POST" and url.path == "/feeds/2021-06-30/feeds":
            spec = json.loads(body)
            assert spec["feedType"] == "JSON_LISTINGS_FEED" and spec["marketplaceIds"], spec
            feed = f"feed-{len(self.feeds) + 1}"
            self.feeds[feed] = {"document": spec["inputFeedDocumentId"], "checks": 0, "status": "IN_QUEUE"}
            return _json(202, {"feedId": feed})
        if method == "GET" and url.path.startswith("/feeds/2021-06-30/feeds/"):
            feed_id = url.path.rsplit("/", 1)[1]
            feed = self.feeds[feed_id]
            feed["checks"] += 1
            if feed["checks"] >= 2 and feed["status"] != "DONE":
                self._process(feed_id, feed)
            answer = {"feedId": feed_id, "feedType": "JSON_LISTINGS_FEED", "createdTime": "2026-11-22T10:00:00Z", "processingStatus": feed["status"] if feed["checks"] >= 2 else "IN_PROGRESS"}
            if feed["status"] == "DONE":
                answer["resultFeedDocumentId"] = f"report-{feed_id}"
            return _json(200, answer)
        if method == "GET" and url.path.startswith("/feeds/2021-06-30/documents/report-"):
            doc = url.path.rsplit("/", 1)[1]
            return _json(200, {"feedDocumentId": doc, "url": f"{self.url}/reports/{doc}?X-Amz-Signature=sig", "compressionAlgorithm": "GZIP"})
        if method == "GET" and url.path.startswith("/reports/report-"):
            feed = self.feeds[url.path.removeprefix("/reports/report-")]
            return 200, {"Content-Type": "application/octet-stream"}, gzip.compress(json.dumps(feed["report"]).encode())
        return _json(404, {"errors": [{"code": "NotFound", "message": f"no resource {url.path}"}]})

    def _process(self, feed_id: str, feed: dict) -> None:
        document = json.loads(self.documents[feed["document"]])
        header, messages = document["header"], document["messages"]
        assert header["sellerId"] == self.seller and header["version"] == "2.0"
        assert 1 <= len(messages) <= 25000 and len({m["messageId"] for m in messages}) == len(messages)
        issues = []
        for m in messages:
            assert m["operationType"] in self.MESSAGE_TYPES and m["sku"]
            if m["operationType"] == "DELETE":
                assert set(m) == {"messageId", "sku", "operationType"}
                self.items.pop(m["sku"], None)
                self.arrivals["delete " + m["sku"]] += 1
            elif m["sku"] in self.reject:
                issues.append({"messageId": m["messageId"], "sku": m["sku"], "code": "90220", "severity": "ERROR", "message": self.reject[m["sku"]], "attributeName": "item_name"})
            else:
                self.items[m["sku"]] = m
                self.arrivals[m["sku"]] += 1
        accepted = len(messages) - len(issues)
        feed["report"] = {
            "header": {"sellerId": self.seller, "version": "2.0", "feedId": feed_id},
            "issues": issues,
            "summary": {"errors": len(issues), "warnings": 0, "messagesProcessed": len(messages), "messagesAccepted": accepted, "messagesInvalid": len(issues)},
        }
        feed["status"] = "DONE"
