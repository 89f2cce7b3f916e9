"""Loading a catalog: every file parsed and typed, problems gathered with their locations."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Callable, Iterable, Iterator

from pydantic import BaseModel, ValidationError

from pim.cache import DocumentCache
from pim.model import AttributeDefinition, AttributesFile, CategoriesFile, Category, ContentFile, Family, Product, Settings
from pim.problems import Location, Problem
from pim.sources import Source
from pim.validation_cache import Known, UntypedProduct, ValidationCache, variant_ids
from pim.validation_errors import translate_errors
from pim.workers import default_jobs, map_forked
from pim.yamlfile import ParseFailure, PathPart, SourceMap, decode, parse

CATALOG = "catalog"


@dataclass(frozen=True, slots=True)
class CategoryEntry:
    id: str  # path of keys, e.g. "apparel/jackets"
    label: dict[str, str] | str
    google: int | None
    parents: tuple[str, ...]  # ids from the root down, excluding this one


@dataclass
class Catalog:
    """The whole catalog, typed and indexed. Products are sorted by id, so output never depends on file order."""

    settings: Settings
    attributes: dict[str, AttributeDefinition]
    families: dict[str, Family]
    categories: dict[str, CategoryEntry]
    content: dict[str, dict[str, str]]  # "care/machine-wash" -> text per locale
    products: tuple[Product, ...]  # an UntypedProduct where the file is unchanged since it was validated
    product_files: dict[str, str]  # product id -> relpath
    product_keys: dict[str, bytes] = field(default_factory=dict)  # product id -> content key of its file (where cached)
    channels: frozenset[str] = frozenset()  # channel names from mappings/
    # The duplicate SKUs and GTINs the last run found, when no product file changed since (else None).
    found_across: list[Problem] | None = None


@dataclass
class Locator:
    """Turns (file, path in the document) into file:line:column, reading a file only when asked."""

    source: Source
    _maps: dict[str, SourceMap] = field(default_factory=dict)

    def at(self, relpath: str, path: tuple[PathPart, ...] = (), *, key: bool = False) -> Location:
        if not path:
            return Location(relpath, 1, 1)
        if relpath not in self._maps:
            data = self.source.read(relpath) or b""
            text = decode(data)
            self._maps[relpath] = SourceMap(text if isinstance(text, str) else "")
        line, column = self._maps[relpath].locate(path, key=key)
        return Location(relpath, line, column)


@dataclass
class FreshFiles:
    """The product files this run read and validated: what the validation cache will keep of them."""

    signatures: dict[str, bytes | None]  # taken before reading, so a change made meanwhile is seen next run
    keys: dict[str, bytes] = field(default_factory=dict)
    products: dict[str, Product | None] = field(default_factory=dict)


@dataclass
class Loaded:
    catalog: Catalog | None
    problems: list[Problem]
    locator: Locator
    validated: ValidationCache | None = None
    fresh: FreshFiles = field(default_factory=lambda: FreshFiles({}))
    documents: DocumentCache | None = None

    def untyped(self) -> Catalog | None:
        """The catalog with every product validated in this run replaced by an UntypedProduct (after
        `remember`): it types itself again from the parse cache when read, one at a time. A cold build
        of 100,000 products would otherwise hold about 0.8 GB of typed products it reads once each."""
        if self.catalog is None or self.validated is None or self.documents is None:
            return self.catalog
        products = []
        for product in self.catalog.products:
            relpath = self.catalog.product_files[product.id]
            entry = self.validated.current.get(relpath)
            if not isinstance(product, UntypedProduct) and entry is not None and entry[1] == product.id:
                product = UntypedProduct(Known(*entry), relpath, self.locator.source, self.documents)
            products.append(product)
        return replace(self.catalog, products=tuple(products))

    def remember(self, problems: list[Problem]) -> None:
        """Keep, for the next run, what every check found in each product file read in this one."""
        if self.validated is None:
            return
        in_file: dict[str, list[Problem]] = {}
        for problem in problems:
            in_file.setdefault(problem.location.path, []).append(problem)
        for relpath, signature in self.fresh.signatures.items():
            self.validated.remember(relpath, signature, self.fresh.keys.get(relpath), self.fresh.products.get(relpath), in_file.get(relpath, []))
        self.validated.remember_across(problems)
        self.validated.save()


def read_document(source: Source, relpath: str, problems: list[Problem], cache: DocumentCache | None = None) -> Any | None:
    """The parsed YAML of one file, or None after adding the problem that stopped it."""
    data = source.read(relpath)
    if data is not None and cache is not None:
        key, document = cache.get(data)
        if document is not None:
            return document
    return _kept(_parse_file(relpath, data, cache), problems)


def read_documents(source: Source, relpaths: list[str], problems: list[Problem], cache: DocumentCache | None) -> tuple[dict[str, Any], dict[str, bytes]]:
    """Each file's parsed YAML (None where a problem stopped it), and the content key of each file read.
    Files the cache does not hold are parsed in forked processes when there are many (a first build of a
    large catalog): libyaml costs about 700 us per product, the largest part of a cold validation."""
    documents: dict[str, Any] = {}
    keys: dict[str, bytes] = {}
    missing: list[str] = []
    if hasattr(source, "preload"):
        source.preload(relpaths)
    for relpath in relpaths:
        data = source.read(relpath)
        document = None
        if data is not None and cache is not None:
            keys[relpath], document = cache.get(data)
        if document is None:
            missing.append(relpath)
        documents[relpath] = document
    for relpath, parsed in _per_file(_parse_files, (source, cache), missing):
        documents[relpath] = _kept(parsed, problems)
    return documents, keys


PARALLEL_PARSE_FROM = 500  # files to parse; below this, forking costs more than it saves
PARSE_CHUNK = 250


def _per_file(function: Callable[[Any, list[str]], list], shared: Any, relpaths: list[str]) -> Iterator[Any]:
    """`function(shared, chunk)` over the files in chunks, in forked processes from PARALLEL_PARSE_FROM
    files on; each chunk's results, in order."""
    jobs = default_jobs() if len(relpaths) >= PARALLEL_PARSE_FROM else 1
    chunks = [relpaths[start : start + PARSE_CHUNK] for start in range(0, len(relpaths), PARSE_CHUNK)]
    for results in map_forked(function, shared, chunks, jobs):
        yield from results


def _parse_files(shared: tuple[Source, DocumentCache | None], relpaths: list[str]) -> list[tuple[str, Any]]:
    source, cache = shared
    return [(relpath, _parse_file(relpath, source.read(relpath), cache)) for relpath in relpaths]


def _parse_file(relpath: str, data: bytes | None, cache: DocumentCache | None) -> Any:
    """The document, stored in the cache, or the Problem that stopped it."""
    if data is None:
        return Problem("PIM007", f"{relpath} is missing: create it (see docs/catalog-format.md)", Location(relpath))
    text = decode(data)
    document = parse(text) if isinstance(text, str) else text
    if isinstance(document, ParseFailure):
        return Problem(document.code, document.message, Location(relpath, document.line, document.column))
    if document is None:
        return Problem("PIM002", "the file is empty: add its content or delete the file", Location(relpath, 1, 1))
    if cache is not None:
        cache.put(cache.key(data), document)
    return document


def _kept(parsed: Any, problems: list[Problem]) -> Any | None:
    if isinstance(parsed, Problem):
        problems.append(parsed)
        return None
    return parsed


def validate_document(model: type[BaseModel], document: Any, relpath: str, locator: Locator, problems: list[Problem]) -> Any | None:
    """The typed record, or None after adding one located problem per validation error."""
    if not isinstance(document, dict):
        kind = type(document).__name__.replace("str", "text").replace("list", "a list")
        problems.append(Problem("PIM004", f"the file holds {kind}, but a catalog file must be a mapping of keys to values", Location(relpath, 1, 1)))
        return None
    try:
        return model.model_validate(document)
    except ValidationError as exc:
        problems.extend(translate_errors(exc, model, relpath, locator))
        return None


def flatten_categories(tree: dict[str, Category], parents: tuple[str, ...] = ()) -> dict[str, CategoryEntry]:
    flat: dict[str, CategoryEntry] = {}
    for key, node in tree.items():
        cid = "/".join((*parents[-1:], key)) if parents else key
        flat[cid] = CategoryEntry(cid, node.label, node.google, parents)
        flat.update(flatten_categories(node.children, (*parents, cid)))
    return flat


ProductCheck = Callable[[Catalog, Locator, Product, str], Iterable[Problem]]  # pim.checks.check_product


@dataclass(frozen=True, slots=True)
class ProductFile:
    """What validating one product file found, in whichever process did it: all a build keeps of it."""

    relpath: str
    key: bytes | None  # content key of its bytes
    product_id: str | None  # None: the file gave no product (`loaded` says why)
    skus: str | tuple[str, ...]  # `joined`, as the validation cache keeps them
    gtins: str | tuple[str, ...]
    loaded: tuple[Problem, ...]  # from parsing and typing it
    checked: tuple[Problem, ...]  # from the checks of one product (reported unless another file has its id)


def validate_product_files(source: Source, relpaths: list[str], locator: Locator, cache: DocumentCache, context: Catalog | None, check: ProductCheck) -> list[ProductFile]:
    """Each product file parsed, typed and checked on its own, in forked processes when there are many:
    only ids and problems come back, so a cold load never holds every document or typed product at
    once (100,000 products: 1.7 GB), and typing runs on every core."""
    if hasattr(source, "preload"):
        source.preload(relpaths)
    found = list(_per_file(_validate_files, (source, locator, cache, context, check), relpaths))
    if cache.packs is not None:
        cache.packs.refresh()  # the documents the workers parsed, which products read when they type themselves
    return found


def _validate_files(shared: tuple, relpaths: list[str]) -> list[ProductFile]:
    source, locator, cache, context, check = shared
    found = []
    for relpath in relpaths:
        problems: list[Problem] = []
        data = source.read(relpath)
        key, document = cache.get(data) if data is not None else (None, None)
        if document is None:
            document = _kept(_parse_file(relpath, data, cache), problems)
        product = None if document is None else validate_document(Product, document, relpath, locator, problems)
        if product is None:
            found.append(ProductFile(relpath, key, None, "", "", tuple(problems), ()))
            continue
        checked = tuple(check(context, locator, product, relpath)) if context is not None else ()
        found.append(ProductFile(relpath, key, product.id, *variant_ids(product), tuple(problems), checked))
    return found


def load_catalog(source: Source, channels: frozenset[str] = frozenset(), check: ProductCheck | None = None) -> Loaded:
    """Read and type every catalog file. Cross-file rules are checked afterwards by `check_catalog`;
    with `check` (and the caches on), each changed product file is checked on its own while it loads
    and comes back as an `UntypedProduct`."""
    problems: list[Problem] = []
    locator = Locator(source)
    cache = DocumentCache.for_project(source.root) if getattr(source, "keeps_parse_cache", True) else None

    def load(relpath: str, model: type[BaseModel]) -> Any | None:
        document = read_document(source, relpath, problems, cache)
        return None if document is None else validate_document(model, document, relpath, locator, problems)

    settings = load(f"{CATALOG}/settings.yaml", Settings)
    attributes = load(f"{CATALOG}/attributes.yaml", AttributesFile)
    categories = load(f"{CATALOG}/categories.yaml", CategoriesFile)
    families = {_stem(p): f for p in source.list(f"{CATALOG}/families") if (f := load(p, Family)) is not None}
    content: dict[str, dict[str, str]] = {}
    for relpath in source.list(f"{CATALOG}/content"):
        if (group := load(relpath, ContentFile)) is not None:
            content.update({f"{_stem(relpath)}/{block}": text for block, text in group.root.items()})
    context = None  # the catalog without its products: what one product's checks read
    if settings is not None and attributes is not None and categories is not None:
        context = Catalog(settings, dict(attributes.root), families, flatten_categories(categories.root), content, (), {}, channels=channels)

    products: dict[str, Product | UntypedProduct] = {}
    product_files: dict[str, str] = {}
    product_keys: dict[str, bytes] = {}
    relpaths = source.list(f"{CATALOG}/products")
    validated = ValidationCache.open(source, channels) if cache is not None else None
    known = validated.unchanged_files(relpaths) if validated is not None else {}
    to_read = [relpath for relpath in relpaths if relpath not in known]
    fresh = FreshFiles(dict(zip(to_read, source.signatures(to_read))) if validated else {})
    checked_apart = validated is not None and check is not None
    if checked_apart:
        found = {f.relpath: f for f in validate_product_files(source, to_read, locator, cache, context, check)}
        documents: dict[str, Any] = {}
    else:
        found = {}
        documents, fresh.keys = read_documents(source, to_read, problems, cache)
    for relpath in relpaths:
        checked: tuple[Problem, ...] = ()
        if (entry := known.get(relpath)) is not None:
            if entry.problems:
                problems.extend(Problem.from_plain(plain) for plain in entry.problems)
            product = None if entry.product_id is None else UntypedProduct(entry, relpath, source, cache)
            key = entry.key
        elif (file := found.get(relpath)) is not None:
            problems.extend(file.loaded)
            key, checked, product = file.key, file.checked, None
            if file.product_id is not None and key is not None:
                known_now = Known((fresh.signatures.get(relpath) or b"") + key, file.product_id, file.skus, file.gtins, ())
                product = fresh.products[relpath] = UntypedProduct(known_now, relpath, source, cache)
            if key is not None:
                fresh.keys[relpath] = key
        else:
            document = documents.pop(relpath)  # each document freed once typed: a cold load never holds both
            product = fresh.products[relpath] = None if document is None else validate_document(Product, document, relpath, locator, problems)
            key = fresh.keys.get(relpath)
        if product is None:
            continue
        if product.id in products:
            first = product_files[product.id]
            problems.append(Problem("PIM220", f"product id {product.id} is also used by {first}: give each product its own id", locator.at(relpath, ("id",))))
            continue
        problems.extend(checked)
        products[product.id] = product
        product_files[product.id] = relpath
        if key is not None:
            product_keys[product.id] = key

    if context is None:
        return Loaded(None, _sorted(problems), locator)  # nothing is remembered: the products were not checked
    catalog = replace(
        context,
        products=tuple(products[pid] for pid in sorted(products)),
        product_files=product_files,
        product_keys=product_keys,
        found_across=validated.found_across() if validated is not None else None,
    )
    return Loaded(catalog, _sorted(problems), locator, validated, fresh, cache)


def _stem(relpath: str) -> str:
    name = relpath.rsplit("/", 1)[-1]
    return name[: -len(".yaml")] if name.endswith(".yaml") else name


def _sorted(problems: list[Problem]) -> list[Problem]:
    return sorted(problems, key=Problem.sort_key)
