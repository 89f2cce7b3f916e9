"""HTTP for publishing, requests' only home: retries with backoff and full jitter, Retry-After, a time budget.

urllib3's own `Retry` is not used: it does not retry POST unless told to, its jitter is a fixed
amount rather than full jitter, and it knows nothing of a budget for a whole destination. Every
message that leaves this module has the destination's credentials replaced by `***`.
"""

from __future__ import annotations

import email.utils
import random
import re
import time
from dataclasses import dataclass, field
from typing import Callable

import requests

from pim.publish.config import RetrySettings

RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
# A dropped connection, a timeout, a body cut short: the request may not have arrived, so send it again.
RETRY_ERRORS = (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError)


class DeliveryError(Exception):
    """A request that did not succeed: after the last retry, on a refusal (4xx), or past the budget."""

    def __init__(self, message: str, *, status: int | None = None, retryable: bool = False):
        super().__init__(message)
        self.status = status
        self.retryable = retryable


@dataclass
class Redactor:
    """Replaces every credential value in a text. Applied to each message before it is kept."""

    secrets: list[str] = field(default_factory=list)

    def add(self, secret: str | None) -> None:
        if secret and len(secret) >= 4:
            self.secrets.append(secret)

    def __call__(self, text: str) -> str:
        for secret in sorted(self.secrets, key=len, reverse=True):
            text = text.replace(secret, "***")
        return text


@dataclass
class Transport:
    """One destination's connection to its service. Waits and the clock are injected so tests stay fast."""

    retry: RetrySettings
    redact: Redactor = field(default_factory=Redactor)
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    jitter: Callable[[], float] = random.random
    requests_sent: int = 0
    retries: int = 0
    _deadline: float | None = None
    _session: requests.Session | None = None

    @property
    def session(self) -> requests.Session:
        if self._session is None:
            self._session = requests.Session()
            self._session.verify = True  # never turned off; a private CA goes in REQUESTS_CA_BUNDLE
        return self._session

    def start(self) -> None:
        self._deadline = self.clock() + self.retry.budget

    def remaining(self) -> float:
        if self._deadline is None:
            self.start()
        return self._deadline - self.clock()  # type: ignore[operator]

    def wait(self, seconds: float, why: str) -> None:
        """Sleep within the budget, or fail saying what was being waited for."""
        if seconds > self.remaining():
            raise DeliveryError(f"{why}: the time budget of {self.retry.budget:g} s would run out (retry.budget in publish.yaml)", retryable=True)
        self.sleep(seconds)

    def request(self, method: str, url: str, *, headers: dict[str, str] | None = None, data: bytes | None = None) -> requests.Response:
        """Send until a final answer: 2xx is returned; other statuses raise at once, except 408, 425, 429 and
        5xx, which are retried like timeouts and dropped connections. Redirects are not followed, so the
        credential never reaches another host."""
        last = ""
        for attempt in range(self.retry.attempts):
            remaining = self.remaining()
            if remaining <= 0:
                raise DeliveryError(f"{method} {_short(url)}: the time budget of {self.retry.budget:g} s ran out; last: {last or 'nothing sent'}", retryable=True)
            timeout = min(self.retry.timeout, remaining)
            try:
                self.requests_sent += 1
                response = self.session.request(method, url, headers=headers, data=data, timeout=(timeout, timeout), allow_redirects=False)
                response.content  # read the whole body inside the timeout, so a cut-off body is retried here
            except requests.exceptions.SSLError as exc:  # a certificate problem does not heal by retrying
                raise DeliveryError(self.redact(f"{method} {_short(url)}: TLS verification failed: {_first_line(exc)}")) from None
            except RETRY_ERRORS as exc:
                last = self.redact(f"{type(exc).__name__}: {_first_line(exc)}")
                pause = self._backoff(attempt)
            except requests.RequestException as exc:
                raise DeliveryError(self.redact(f"{method} {_short(url)}: {type(exc).__name__}: {_first_line(exc)}")) from None
            else:
                if 200 <= response.status_code < 300:
                    return response
                last = self.redact(f"HTTP {response.status_code} {_body_excerpt(response)}")
                if response.status_code not in RETRY_STATUSES:
                    raise DeliveryError(f"{method} {_short(url)}: {last}", status=response.status_code)
                pause = retry_after(response.headers.get("Retry-After"), time.time())
                pause = self._backoff(attempt) if pause is None else pause
            if attempt + 1 < self.retry.attempts:
                self.retries += 1
                self.wait(pause, f"{method} {_short(url)} after {last}")
        raise DeliveryError(f"{method} {_short(url)}: gave up after {self.retry.attempts} attempts; last: {last}", retryable=True)

    def _backoff(self, attempt: int) -> float:
        # Full jitter (a random wait between 0 and the exponential cap) spreads retries from many clients.
        return self.jitter() * min(self.retry.max_backoff, self.retry.backoff * 2**attempt)

    def close(self) -> None:
        if self._session is not None:
            self._session.close()
            self._session = None


def retry_after(value: str | None, now: float) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP date (RFC 9110 10.2.3)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, moment.timestamp() - now)


def _short(url: str) -> str:
    # Query strings may carry signatures (a presigned upload URL): never repeat them.
    return url.split("?", 1)[0]


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return _QUERY.sub("?...", text[0][:300]) if text else type(exc).__name__


_QUERY = re.compile(r"\?[^\s'\")]+")


def _body_excerpt(response: requests.Response) -> str:
    text = response.text.strip().replace("\n", " ")
    return text[:300]


def json_body(response: requests.Response) -> dict:
    """The response's JSON object, or {} when it holds none (the caller says what was missing)."""
    try:
        value = response.json()
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
