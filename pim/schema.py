"""JSON Schema for each catalog file kind, generated from the record types, for editor completion."""

from __future__ import annotations

import json

from pydantic import BaseModel

from pim.model import AttributesFile, CategoriesFile, ContentFile, Family, Product, Settings

SCHEMAS: dict[str, type[BaseModel]] = {
    "settings": Settings,
    "attributes": AttributesFile,
    "categories": CategoriesFile,
    "family": Family,
    "content": ContentFile,
    "product": Product,
}


def catalog_schemas() -> dict[str, bytes]:
    """File name -> schema bytes. Deterministic: same models, same bytes."""
    out = {}
    for name, model in SCHEMAS.items():
        schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": f"{name}.schema.json", **model.model_json_schema()}
        out[f"{name}.schema.json"] = (json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=False) + "\n").encode()
    return out
