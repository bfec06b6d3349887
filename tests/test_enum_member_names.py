"""Enum values without letters or digits get names a reader understands, not
datamodel-code-generator's `FIELD_`: `WebhookEvent.ALL` for Enode's `*` subscription."""

from __future__ import annotations

import ast

from enode_codegen.generator.models import generate_models


def _enum_members(source: str, name: str) -> dict[str, object]:
    [cls] = [n for n in ast.parse(source).body if isinstance(n, ast.ClassDef) and n.name == name]
    return {
        stmt.targets[0].id: stmt.value.value  # type: ignore[attr-defined]
        for stmt in cls.body
        if isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Constant)
    }


def test_symbol_only_values_are_named_after_what_they_are() -> None:
    document = {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": {},
        "components": {
            "schemas": {
                "Event": {"type": "string", "enum": ["*", "-", "a:b", "+"]},
                "Subscription": {
                    "type": "object",
                    "properties": {
                        "events": {
                            "type": "array",
                            "items": {"$ref": "#/components/schemas/Event"},
                            "default": ["*"],
                        }
                    },
                },
            }
        },
    }
    models = generate_models(document, package="pkg", header="# test")
    assert _enum_members(models.source, "Event") == {
        "ALL": "*",
        "HYPHEN_MINUS": "-",
        "A_B": "a:b",
        "PLUS_SIGN": "+",
    }
    assert "Event.ALL" in models.source and "FIELD_" not in models.source
    ast.parse(models.source)


def test_the_generated_webhook_subscription_default_reads_all() -> None:
    from enode_2024_10_01 import models

    assert models.WebhookEvent.ALL.value == "*"
    assert models.WebhookCreatePayload(url="https://e.test/h", secret="s" * 20).events == [
        models.WebhookEvent.ALL
    ]
