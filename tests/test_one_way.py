"""readOnly/writeOnly follow the direction a schema travels in (generator/one_way.py): what
the server sends (responses, webhook payloads) has its readOnly properties and none of its
writeOnly ones; what the client sends, the other way round; a schema travelling both ways
is two models, and every schema refers to the model of its own direction."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
import yaml

from enode_codegen.generator.generate import generate
from enode_codegen.runtime._webhooks import signed_delivery

SPEC = {
    "openapi": "3.1.0",
    "info": {"title": "Ways", "version": "1.0"},
    "paths": {
        "/items": {
            "post": {
                "operationId": "createItems",
                "tags": ["items"],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "array",
                                "items": {"$ref": "#/components/schemas/Item"},
                            }
                        }
                    },
                },
                "responses": {"204": {"description": "Stored."}},
            }
        },
        "/items/{id}": {
            "get": {
                "operationId": "getItem",
                "tags": ["items"],
                "parameters": [
                    {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
                ],
                "responses": {
                    "200": {
                        "description": "The item.",
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Item"}}
                        },
                    }
                },
            }
        },
    },
    "webhooks": {
        "item-changed": {
            "post": {
                "requestBody": {
                    "content": {
                        "application/json": {
                            "schema": {"$ref": "#/components/schemas/ItemChangedEvent"}
                        }
                    }
                },
                "responses": {"200": {"description": "Received."}},
            }
        }
    },
    "components": {
        "schemas": {
            "Item": {
                "type": "object",
                "required": ["id", "name", "token"],
                "properties": {
                    "id": {"type": "string", "readOnly": True},
                    "name": {"type": "string"},
                    "token": {"type": "string", "writeOnly": True},
                },
            },
            "ItemChangedEvent": {  # sent by the server only: one model
                "type": "object",
                "required": ["event", "item", "seen"],
                "properties": {
                    "event": {"const": "item:changed"},
                    "item": {"$ref": "#/components/schemas/Item"},
                    "seen": {"type": "string", "format": "date-time", "readOnly": True},
                    "ack": {"type": "string", "writeOnly": True},
                },
            },
        }
    },
}


@pytest.fixture(scope="module")
def pkg(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    root = tmp_path_factory.mktemp("ways")
    spec = root / "ways.yaml"
    spec.write_text(yaml.safe_dump(SPEC, sort_keys=False))
    [report], _ = generate([spec], root / "out", enode_rules=False)
    assert not [w for w in report.warnings if "typed loosely" in w], report.warnings
    sys.path.insert(0, str(root / "out" / report.distribution))
    yield importlib.import_module(report.package)
    sys.path.remove(str(root / "out" / report.distribution))


def test_a_schema_both_ways_is_two_models_each_used_in_its_direction(pkg: ModuleType) -> None:
    models = pkg.models
    assert not hasattr(models, "Item")
    assert set(models.ItemRequest.model_fields) == {"name", "token"}
    assert set(models.ItemResponse.model_fields) == {"id", "name"}
    client = (Path(pkg.__file__).parent / "_client.py").read_text()
    assert "body: list[models.ItemRequest]" in client
    assert "-> models.ItemResponse:" in client


def test_a_webhook_payload_is_what_the_server_sends(pkg: ModuleType) -> None:
    event = pkg.models.ItemChangedEvent
    assert set(event.model_fields) == {"event", "item", "seen"}  # no writeOnly `ack`
    assert event.model_fields["seen"].is_required()
    assert event.model_fields["item"].annotation is pkg.models.ItemResponse
    sent = {"event": "item:changed", "item": {"id": "i1", "name": "n"}, "seen": "2024-01-01T00:00Z"}
    raw, headers = signed_delivery([sent], "s" * 20)
    [parsed] = pkg.webhooks.unwrap(raw, headers, secret="s" * 20)
    assert isinstance(parsed, event) and parsed.item.id == "i1"
