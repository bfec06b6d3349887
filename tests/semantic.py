"""Semantic comparison of two bundled OpenAPI documents: every `$ref` inlined, `required`
lists compared as sets; key order and where a schema is named (`$ref` layout) do not count."""

from __future__ import annotations

from typing import Any

from enode_codegen.generator.yaml_source import escape_pointer, unescape_pointer

__all__ = ["semantic_differences"]


def _inline(document: dict[str, Any], node: Any, seen: tuple[str, ...] = ()) -> Any:
    if isinstance(node, list):
        return [_inline(document, item, seen) for item in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/"):
        if ref in seen:
            return {"$ref": ref}  # a recursive schema: compared by name
        target: Any = document
        for token in ref[2:].split("/"):
            target = target[unescape_pointer(token)]
        siblings = {k: v for k, v in node.items() if k != "$ref"}
        inlined = _inline(document, target, (*seen, ref))
        return {**inlined, **_inline(document, siblings, seen)} if siblings else inlined
    out = {key: _inline(document, value, seen) for key, value in node.items()}
    if isinstance(out.get("required"), list):
        out["required"] = sorted(out["required"])
    return out


def semantic_differences(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """Pointers (with both values) where the two documents differ in meaning. The order of
    `tags` does not count (generated clients sort resources by tag name)."""
    a, b = _inline(old, old), _inline(new, new)
    for document in (a, b):
        if isinstance(document.get("tags"), list):
            document["tags"] = sorted(document["tags"], key=lambda tag: str(tag.get("name")))
    found: list[str] = []
    _compare(a, b, "", found)
    return found


def _compare(a: Any, b: Any, pointer: str, found: list[str]) -> None:
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(a.keys() | b.keys()):
            child = f"{pointer}/{escape_pointer(key)}"
            if key not in a:
                found.append(f"{child}: only in the second: {_short(b[key])}")
            elif key not in b:
                found.append(f"{child}: only in the first: {_short(a[key])}")
            else:
                _compare(a[key], b[key], child, found)
    elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for index, (x, y) in enumerate(zip(a, b, strict=True)):
            _compare(x, y, f"{pointer}/{index}", found)
    elif a != b:
        found.append(f"{pointer}: {_short(a)} != {_short(b)}")


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) < 160 else text[:160] + "..."
