"""A deterministic synthetic OpenAPI 3.0.3 document of N operations, for scale figures.

    python bench/synthetic.py 5000 > spec.json        # or: --seed 7 --output spec.json

The same (N, seed) always gives the same bytes. Operations come in resources of five
(list, create, get, update, delete on `/resourceK` and `/resourceK/{id}`), each resource
with its own component schemas: an entity with nested objects two levels deep, an enum,
arrays of `$ref`s to earlier resources' entities, a create body and a page envelope;
shared `Error`, `Cursor` and `Money` components, path/query parameters, tags and
descriptions. About 4 KB of JSON per operation (5,000 operations: about 20 MB), the size
of issue 25's report.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path
from typing import Any

__all__ = ["synthetic_spec", "write_synthetic"]

_WORDS = [
    "account",
    "battery",
    "charger",
    "vehicle",
    "meter",
    "tariff",
    "site",
    "grid",
    "device",
    "vendor",
    "schedule",
    "session",
    "price",
    "reading",
    "invoice",
    "region",
    "contract",
    "plan",
    "limit",
    "window",
    "alert",
    "export",
    "import",
]
_FIELDS = [
    "label",
    "note",
    "owner",
    "region",
    "source",
    "target",
    "reference",
    "category",
    "channel",
    "model",
    "serial",
    "firmware",
    "vendor",
]
_STATES = ("ACTIVE", "PENDING", "FAILED", "PAUSED", "ARCHIVED", "UNKNOWN", "QUEUED")
_FORMATS = ("date-time", "date", "uuid", "email", "uri", None)


def _prose(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(_WORDS) for _ in range(words)).capitalize() + "."


def _scalar(rng: random.Random) -> dict[str, Any]:
    kind = rng.choice(("string", "string", "integer", "number", "boolean"))
    schema: dict[str, Any] = {"type": kind, "description": _prose(rng, 8)}
    if kind == "string":
        fmt = rng.choice(_FORMATS)
        if fmt:
            schema["format"] = fmt
        else:
            schema["maxLength"] = rng.choice((32, 64, 255))
            schema["example"] = rng.choice(_WORDS)
    elif kind == "integer":
        schema["minimum"] = 0
        schema["example"] = rng.randrange(1000)
    elif kind == "number":
        schema["format"] = "double"
    return schema


def _resource(rng: random.Random, k: int, names: list[str]) -> dict[str, Any]:
    """The component schemas of resource `k` (names[k] is its entity's name)."""
    name = names[k]
    states = sorted(rng.sample(_STATES, rng.randint(2, 5)))
    inner = {
        "type": "object",
        "description": _prose(rng, 6),
        "properties": {f: _scalar(rng) for f in rng.sample(_FIELDS, 3)},
        "required": [],
    }
    inner["required"] = sorted(inner["properties"])[:1]
    nested = {
        "type": "object",
        "description": _prose(rng, 10),
        "properties": {
            "kind": {"type": "string", "enum": states, "description": _prose(rng, 5)},
            "detail": inner,
            "values": {"type": "array", "items": _scalar(rng)},
        },
        "required": ["kind"],
    }
    properties: dict[str, Any] = {
        "id": {"type": "string", "format": "uuid", "description": f"The {name}'s id."},
        "createdAt": {"type": "string", "format": "date-time"},
        "state": {"$ref": f"#/components/schemas/{name}State"},
        "settings": nested,
        "price": {"$ref": "#/components/schemas/Money"},
    }
    for f in rng.sample(_FIELDS, 4):
        properties[f] = _scalar(rng)
    if k:  # links to earlier resources, so $refs reach across the document
        for other in sorted({rng.randrange(k) for _ in range(2)}):
            properties[f"{names[other][0].lower()}{names[other][1:]}s"] = {
                "type": "array",
                "items": {"$ref": f"#/components/schemas/{names[other]}"},
            }
    entity = {
        "type": "object",
        "description": _prose(rng, 14),
        "properties": properties,
        "required": ["id", "createdAt", "state"],
    }
    create = {
        "type": "object",
        "description": f"What creating a {name} takes.",
        "properties": {
            "state": {"$ref": f"#/components/schemas/{name}State"},
            "settings": nested,
            **{f: _scalar(rng) for f in rng.sample(_FIELDS, 2)},
        },
        "required": ["state"],
    }
    page = {
        "type": "object",
        "properties": {
            "data": {"type": "array", "items": {"$ref": f"#/components/schemas/{name}"}},
            "pagination": {"$ref": "#/components/schemas/Cursor"},
        },
        "required": ["data", "pagination"],
    }
    return {
        name: entity,
        f"{name}State": {"type": "string", "enum": states, "description": _prose(rng, 6)},
        f"{name}Create": create,
        f"{name}Page": page,
    }


def _json(ref: str) -> dict[str, Any]:
    return {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}}


def _operations(rng: random.Random, k: int, name: str, count: int) -> dict[str, Any]:
    """`count` (1-5) operations of resource `k`, as path items."""
    tag = f"group{k % 40}"
    base, item = f"/resource{k}", f"/resource{k}/{{id}}"
    error = {"description": "Problem", "content": _json("Error")}
    id_param = {
        "name": "id",
        "in": "path",
        "required": True,
        "schema": {"type": "string", "format": "uuid"},
    }
    ops: list[tuple[str, str, dict[str, Any]]] = [
        (base, "get", {
            "parameters": [
                {"name": "after", "in": "query", "schema": {"type": "string"}},
                {"name": "pageSize", "in": "query",
                 "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 50}},
                {"name": "state", "in": "query",
                 "schema": {"$ref": f"#/components/schemas/{name}State"}},
            ],
            "responses": {"200": {"description": "A page", "content": _json(f"{name}Page")},
                          "400": error},
        }),
        (base, "post", {
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object",  # inline, as many public specs write bodies: hoisted
                "properties": {
                    "state": {"$ref": f"#/components/schemas/{name}State"},
                    "options": {
                        "type": "object",
                        "properties": {
                            "mode": {"type": "string", "enum": ["FAST", "SLOW", "AUTO"]},
                            "limit": _scalar(rng),
                            "notify": {"type": "boolean"},
                        },
                    },
                    **{f: _scalar(rng) for f in rng.sample(_FIELDS, 3)},
                },
                "required": ["state"],
            }}}},
            "responses": {"201": {"description": "Created", "content": _json(name)},
                          "422": error},
        }),
        (item, "get", {
            "parameters": [id_param],
            "responses": {
                "200": {"description": "Found", "content": _json(name)},
                "404": error,
                "409": {"description": "Conflict", "content": {"application/json": {"schema": {
                    "type": "object",  # inline, the same shape in every resource: shared
                    "properties": {"reason": {"type": "string",
                                              "enum": ["LOCKED", "BUSY", "STALE"]},
                                   "retryAfter": {"type": "integer"}},
                    "required": ["reason"],
                }}}},
            },
        }),
        (item, "patch", {
            "parameters": [id_param],
            "requestBody": {"required": True, "content": _json(f"{name}Create")},
            "responses": {"200": {"description": "Updated", "content": _json(name)},
                          "404": error},
        }),
        (item, "delete", {
            "parameters": [id_param],
            "responses": {"204": {"description": "Deleted"}, "404": error},
        }),
    ]  # fmt: skip
    verbs = {"get": "Get", "post": "Create", "patch": "Update", "delete": "Delete"}
    paths: dict[str, Any] = {}
    for path, method, op in ops[:count]:
        verb = "List" if path == base and method == "get" else verbs[method]
        op_id = f"{verb[0].lower()}{verb[1:]}{name}"
        paths.setdefault(path, {})[method] = {
            "operationId": op_id,
            "summary": f"{verb} {name}",
            "description": _prose(rng, 40),
            "tags": [tag],
            **op,
        }
    return paths


def synthetic_spec(operations: int, seed: int = 0) -> dict[str, Any]:
    """An OpenAPI 3.0.3 document with exactly `operations` operations."""
    rng = random.Random(seed)
    resources = (operations + 4) // 5
    names = [f"{rng.choice(_WORDS).capitalize()}{rng.choice(_WORDS).capitalize()}{k}"
             for k in range(resources)]  # fmt: skip
    schemas: dict[str, Any] = {
        "Error": {
            "type": "object",
            "properties": {"type": {"type": "string"}, "title": {"type": "string"},
                           "detail": {"type": "string"}},
            "required": ["type", "title"],
        },
        "Cursor": {
            "type": "object",
            "properties": {"after": {"type": "string", "nullable": True},
                           "before": {"type": "string", "nullable": True}},
            "required": ["after", "before"],
        },
        "Money": {
            "type": "object",
            "properties": {"amount": {"type": "number"},
                           "currency": {"type": "string", "enum": ["EUR", "NOK", "SEK", "USD"]}},
            "required": ["amount", "currency"],
        },
    }  # fmt: skip
    paths: dict[str, Any] = {}
    for k in range(resources):
        schemas.update(_resource(rng, k, names))
        paths.update(_operations(rng, k, names[k], min(5, operations - 5 * k)))
    return {
        "openapi": "3.0.3",
        "info": {"title": "Synthetic", "version": "1.0.0",
                 "description": f"{operations} synthetic operations (seed {seed})."},
        "servers": [{"url": "https://api.example.com"}],
        "paths": paths,
        "components": {"schemas": schemas},
    }  # fmt: skip


def write_synthetic(path: Path, operations: int, seed: int = 0) -> Path:
    """Write the document as JSON to `path` (unless it is there already) and return `path`."""
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(synthetic_spec(operations, seed), indent=1) + "\n", "utf-8")
        tmp.replace(path)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("operations", type=int)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--output", type=Path, help="write here instead of stdout")
    args = parser.parse_args(argv)
    if args.operations < 1:
        parser.error("operations must be at least 1")
    if args.output:
        args.output.unlink(missing_ok=True)
        write_synthetic(args.output, args.operations, args.seed)
    else:
        json.dump(synthetic_spec(args.operations, args.seed), sys.stdout, indent=1)
        sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
