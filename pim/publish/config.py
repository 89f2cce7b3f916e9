"""publish.yaml: where each channel's built feeds go, how to authenticate, how hard to retry.

Credentials are never in this file: a destination names the environment variables that hold them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal, Union
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from pim.problems import Location, Problem
from pim.yamlfile import ParseFailure, SourceMap, decode, parse

CONFIG_FILE = "publish.yaml"
DEFAULT_STATE = ".pim/publish-state"
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


class RetrySettings(BaseModel):
    """How a destination survives a flaky network: exponential backoff with full jitter, within a budget."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    attempts: int = Field(6, ge=1, le=20, description="Tries per request, the first included.")
    backoff: float = Field(1.0, gt=0, description="Seconds: the first wait is up to this, doubling per retry.")
    max_backoff: float = Field(60.0, gt=0, description="Seconds: no single wait is longer (a Retry-After beyond the budget ends the run).")
    timeout: float = Field(30.0, gt=0, description="Seconds to connect and, separately, to wait for response bytes.")
    budget: float = Field(900.0, gt=0, description="Seconds for the whole destination, retries and polling included.")
    poll_interval: float = Field(10.0, gt=0, description="Seconds between status checks of a batch or feed being processed.")


def check_endpoint(url: str) -> str:
    """The URL itself when pim may send there: https, or http to this machine only."""
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return url.rstrip("/")
    if parts.scheme == "http" and parts.hostname in LOCAL_HOSTS:
        return url.rstrip("/")  # a service imitated on this machine (tests); TLS is never turned off elsewhere
    raise ValueError(f"{url!r} must be an https:// URL (http:// is allowed only for 127.0.0.1 and localhost)")


class Destination(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", description="Names the state file and `--destination`.")
    channel: str = Field(description="The mapping name whose built feeds this destination receives, e.g. google.")
    endpoint: str = Field(description="Base URL of the service (https).")
    token_env: str | None = Field(None, description="Environment variable holding the access token.")
    max_drop: float = Field(0.10, ge=0, le=1, description="Refuse when more than this share of the items last published would be removed.")
    retry: RetrySettings | None = None

    @field_validator("endpoint")
    @classmethod
    def _check_endpoint(cls, value: str) -> str:
        return check_endpoint(value)

    @property
    def feed_files(self) -> tuple[str, ...]:
        return ()


class UploadDestination(Destination):
    """Whole files by HTTP PUT or POST: a web shop's import endpoint, or hosting for a fetched feed URL."""

    kind: Literal["upload"]
    files: list[str] | None = Field(None, description="Paths in feeds/; default: every file of the channel.")
    method: Literal["PUT", "POST"] = "PUT"
    # `{path}` in the endpoint is replaced by the file's path in feeds/, e.g. https://cdn.example.com/feeds/{path}
    auth_header: str = "Authorization"
    auth_scheme: str = Field("Bearer", description="Prefix before the token in the header; empty for a bare API key.")
    content_type: str | None = Field(None, description="Content-Type to send; default from the file's extension.")

    @property
    def feed_files(self) -> tuple[str, ...]:
        return tuple(self.files or ())


class ApiDestination(Destination):
    file: str = Field(description="The one built feed file (path in feeds/) whose items this destination receives.")
    token_env: str = Field(description="Environment variable holding the access token.")  # type: ignore[assignment]

    @property
    def feed_files(self) -> tuple[str, ...]:
        return (self.file,)


class GoogleMerchantDestination(ApiDestination):
    """Merchant API productInputs: insert changed items, delete removed ones, in HTTP batches."""

    kind: Literal["google-merchant"]
    endpoint: str = "https://merchantapi.googleapis.com"
    account: str = Field(pattern=r"^[0-9]+$")
    data_source: str = Field(pattern=r"^[0-9]+$", description="The API data source id products are inserted into.")
    content_language: str = Field(pattern=r"^[a-z]{2}$")
    feed_label: str = Field(pattern=r"^[A-Z0-9_-]{1,20}$")
    batch_size: int = Field(500, ge=1, le=1000)


class MetaCatalogDestination(ApiDestination):
    """Meta Catalog Batch API: `/{catalog_id}/items_batch`, then `check_batch_request_status`."""

    kind: Literal["meta-catalog"]
    endpoint: str = "https://graph.facebook.com"
    api_version: str = Field("v21.0", pattern=r"^v[0-9]+\.[0-9]+$")
    catalog_id: str = Field(pattern=r"^[0-9]+$")
    batch_size: int = Field(5000, ge=1, le=5000)


class AmazonFeedsDestination(ApiDestination):
    """SP-API Feeds 2021-06-30: a JSON_LISTINGS_FEED of changed and deleted SKUs, and its processing report."""

    kind: Literal["amazon-feeds"]
    endpoint: str = "https://sellingpartnerapi-na.amazon.com"
    seller_id: str
    marketplace_ids: list[str] = Field(min_length=1)
    batch_size: int = Field(25000, ge=1, le=25000, description="Messages per feed (Amazon's maximum is 25,000).")


AnyDestination = Annotated[Union[UploadDestination, GoogleMerchantDestination, MetaCatalogDestination, AmazonFeedsDestination], Field(discriminator="kind")]


class PublishConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    state: str = Field(DEFAULT_STATE, description="Folder of the per-destination state files; CI must keep it between runs.")
    retry: RetrySettings = RetrySettings()
    destinations: list[AnyDestination] = Field(min_length=1)

    @field_validator("destinations")
    @classmethod
    def _unique_names(cls, value: list) -> list:
        names = [d.name for d in value]
        if len(set(names)) != len(names):
            raise ValueError(f"destination names must be unique: {', '.join(sorted({n for n in names if names.count(n) > 1}))}")
        return value

    def retry_for(self, destination: Destination) -> RetrySettings:
        return destination.retry or self.retry


def load_config(root: Path, relpath: str = CONFIG_FILE) -> tuple[PublishConfig | None, list[Problem], SourceMap | None]:
    """The typed configuration, or None with one located problem per mistake."""
    try:
        data = (root / relpath).read_bytes()
    except OSError:
        return None, [Problem("PIM701", f"no {relpath} in {root}: describe the destinations there (see docs/publish.md)", Location(relpath))], None
    text = decode(data)
    document = parse(text) if isinstance(text, str) else text
    if isinstance(document, ParseFailure):
        return None, [Problem(document.code, document.message, Location(relpath, document.line, document.column))], None
    source_map = SourceMap(text if isinstance(text, str) else "")
    if not isinstance(document, dict):
        return None, [Problem("PIM702", "publish.yaml must be a mapping with a `destinations` list", Location(relpath, 1, 1))], source_map
    try:
        return PublishConfig.model_validate(document), [], source_map
    except ValidationError as exc:
        return None, list(_located(exc, relpath, source_map, document)), source_map


def _located(exc: ValidationError, relpath: str, source_map: SourceMap, document: dict):
    for error in exc.errors(include_url=False):
        loc = _document_path(error["loc"], document)
        kind = error["type"]
        what = ".".join(str(p) for p in loc) or "the document"
        if kind == "extra_forbidden":
            message, at = f"unknown key `{loc[-1]}` in {'.'.join(map(str, loc[:-1])) or 'the document'}", source_map.locate(loc, key=True)
        elif kind == "missing":
            message, at = f"{what} is required: add it", source_map.locate(loc[:-1])
        elif kind == "union_tag_invalid" or kind == "union_tag_not_found":
            message, at = f"{what}: kind must be one of upload, google-merchant, meta-catalog, amazon-feeds", source_map.locate((*loc, "kind"))
        else:
            message, at = f"{what}: {error['msg'].removeprefix('Value error, ')}", source_map.locate(loc)
        code = "PIM703" if "https://" in message else "PIM702"
        yield Problem(code, message, Location(relpath, *at))


def _document_path(loc: tuple, document: dict) -> tuple:
    """Pydantic's error path without the union tag it inserts (destinations.0.upload.files -> destinations.0.files)."""
    out: list = []
    node = document
    for part in loc:
        if isinstance(node, dict) and isinstance(part, str) and part not in node and part == node.get("kind"):
            continue
        out.append(part)
        node = node.get(part) if isinstance(node, dict) else (node[part] if isinstance(node, list) and isinstance(part, int) and part < len(node) else None)
    return tuple(out)


def destination_location(relpath: str, source_map: SourceMap | None, index: int) -> Location:
    if source_map is None:
        return Location(relpath)
    return Location(relpath, *source_map.locate(("destinations", index)))
