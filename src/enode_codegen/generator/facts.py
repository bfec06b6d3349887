"""The structure of an OpenAPI document as facts, and the differences between two sets of facts.

Enode publishes an OpenAPI document for 2024-10-01 (S1 in docs/enode-surface-facts.md). The
project may hold only its own writing, so it keeps S1's *structure*, not its file: operations
(`METHOD /path`), parameters (in, name, required, type, format, enum), request and response
bodies per status (media types and every property as a flattened JSON path with its type,
format, nullability, enum values and whether its parent requires it) and webhook events.
No descriptions, summaries, examples or other prose. S1 and our documents are flattened by
the same walk; it follows `$ref`s as `diff.py` does, but unlike `diff.py`'s (which keeps the
first member's property) it merges every `oneOf`/`anyOf` alternative into the same JSON path,
since S1 and ours split the same shapes into alternatives differently.

    python -m enode_codegen.generator.facts ENODE_API.json [--output FILE]

writes S1's facts (sorted, deterministic) to FILE (default: the packaged
`spec/enode-published/2024-10-01.facts.json`). `compare` lists every difference between two
fact sets; `tests/test_enode_published.py` holds each one to `spec/enode-published/errata.yaml`.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .diff import _follow, _parameters, _webhooks
from .paths import SPEC_DIR
from .refs import escape_pointer
from .validate import iter_operations

__all__ = [
    "ENODE_PUBLISHED_DIR",
    "ERRATA_CLASSES",
    "ERRATA_FILE",
    "FACTS_FILE",
    "Erratum",
    "FactDifference",
    "compare",
    "document_facts",
    "explain",
    "load_errata",
    "main",
]

ENODE_PUBLISHED_DIR = SPEC_DIR / "enode-published"
FACTS_FILE = ENODE_PUBLISHED_DIR / "2024-10-01.facts.json"
ERRATA_FILE = ENODE_PUBLISHED_DIR / "errata.yaml"
ERRATA_CLASSES = ("deliberate", "s1-defect", "sources-disagree", "equivalent", "owned-elsewhere")
Facts = dict[str, Any]


class _Facts:
    """The facts of one JSON path, merged over every schema that describes it (the members
    of a `oneOf`/`anyOf` each describe the same path)."""

    def __init__(self) -> None:
        self.types: set[str] = set()
        self.required = False
        self.formats: set[str] = set()
        self.enum: set[str] | None = None

    def as_dict(self) -> dict[str, Any]:
        fact: dict[str, Any] = {"type": sorted(self.types - {"null"}) or ["any"]}
        if "null" in self.types:
            fact["nullable"] = True
        if self.required:
            fact["required"] = True
        if self.formats:
            fact["format"] = " | ".join(sorted(self.formats))
        if self.enum is not None:
            fact["enum"] = sorted(self.enum)
        return fact


def _group(
    document: dict[str, Any], schema: Any, pointer: str, seen: tuple[str, ...]
) -> tuple[list[dict[str, Any]], list[tuple[Any, str]]]:
    """The schema and its `allOf` members (all followed), and the `oneOf`/`anyOf`
    alternatives found among them."""
    schema, pointer = _follow(document, schema, pointer)
    if pointer in seen:
        return [], []
    members, alternatives = [schema], []
    for index, member in enumerate(schema.get("allOf") or []):
        found, more = _group(document, member, f"{pointer}/allOf/{index}", (*seen, pointer))
        members += found
        alternatives += more
    for key in ("oneOf", "anyOf"):
        for index, member in enumerate(schema.get(key) or []):
            alternatives.append((member, f"{pointer}/{key}/{index}"))
    return members, alternatives


def _walk(
    document: dict[str, Any],
    schema: Any,
    pointer: str,
    path: str,
    required: bool,
    out: dict[str, _Facts],
    seen: tuple[str, ...] = (),
) -> None:
    """Every JSON path under `schema` into `out` (`data[].location.id`); the alternatives
    of a `oneOf`/`anyOf` add to the same paths (types and enum values are their union)."""
    resolved, at = _follow(document, schema, pointer)
    if at in seen or len(seen) > 40:
        return
    seen = (*seen, at)
    fact = out.setdefault(path, _Facts())
    fact.required = fact.required or required
    members, alternatives = _group(document, resolved, at, seen[:-1])
    properties: dict[str, list[tuple[Any, str]]] = {}
    required_names: set[str] = set()
    items: list[tuple[Any, str]] = []
    for member in members:
        raw = member.get("type")
        fact.types.update([raw] if isinstance(raw, str) else [str(t) for t in raw or []])
        if "enum" in member or "const" in member:
            values = member.get("enum", [member.get("const")])
            if None in values:
                fact.types.add("null")
            fact.enum = (fact.enum or set()) | {str(v) for v in values if v is not None}
        if isinstance(member.get("format"), str):
            fact.formats.add(member["format"])
        for name, prop in (member.get("properties") or {}).items():
            properties.setdefault(name, []).append((prop, f"{at}/properties/{name}"))
            if "object" not in fact.types and not member.get("type"):
                fact.types.add("object")
        required_names.update(member.get("required") or [])
        if "items" in member:
            items.append((member["items"], f"{at}/items"))
            if not member.get("type"):
                fact.types.add("array")
    for name, schemas in properties.items():
        child = f"{path}.{name}" if path else name
        for prop, prop_pointer in schemas:
            _walk(document, prop, prop_pointer, child, name in required_names, out, seen)
    for item, item_pointer in items:
        _walk(document, item, item_pointer, f"{path}[]", True, out, seen)
    for alternative, alternative_pointer in alternatives:
        _walk(document, alternative, alternative_pointer, path, required, out, seen)


def _schema_facts(document: dict[str, Any], schema: Any, pointer: str) -> dict[str, Any]:
    out: dict[str, _Facts] = {}
    _walk(document, schema, pointer, "", True, out)
    return {path or "(body)": fact.as_dict() for path, fact in sorted(out.items())}


def _body_facts(document: dict[str, Any], holder: Any, pointer: str) -> dict[str, Any]:
    """The facts of the JSON body of a request body or response ({} without one)."""
    holder, pointer = _follow(document, holder, pointer)
    content = holder.get("content") or {}
    for media in sorted(content, key=lambda m: (not m.endswith("json"), m)):
        if isinstance(content[media], dict) and "schema" in content[media]:
            return _schema_facts(document, content[media]["schema"], f"{pointer}/content")
    return {}


def _media(document: dict[str, Any], holder: Any) -> list[str]:
    holder, _ = _follow(document, holder, "")
    return sorted(holder.get("content") or {})


def document_facts(document: dict[str, Any]) -> Facts:
    """The structure of `document` (a bundled OpenAPI 3.1 document) as sorted facts."""
    operations: dict[str, Any] = {}
    for path, method, operation in iter_operations(document):
        pointer = f"/paths/{escape_pointer(path)}/{method}"
        parameters = {}
        for (where, name), (parameter, sites) in _parameters(
            document, path, method, operation
        ).items():
            fact = _schema_facts(document, parameter.get("schema", {}), f"{sites[-1]}/schema")
            fact = fact.pop("(body)")
            fact.pop("required", None)
            if parameter.get("required"):
                fact["required"] = True
            parameters[f"{where} {name}"] = fact
        entry: dict[str, Any] = {"parameters": dict(sorted(parameters.items()))}
        body = operation.get("requestBody")
        if body is not None:
            resolved, _ = _follow(document, body, f"{pointer}/requestBody")
            entry["request"] = {
                "media": _media(document, body),
                "required": bool(resolved.get("required")),
                "fields": _body_facts(document, body, f"{pointer}/requestBody"),
            }
        responses = {}
        for code, response in sorted((operation.get("responses") or {}).items()):
            at = f"{pointer}/responses/{code}"
            responses[str(code)] = {
                "media": _media(document, response),
                "fields": _body_facts(document, response, at),
            }
        entry["responses"] = responses
        operations[f"{method.upper()} {path}"] = entry
    webhooks = {}
    for name, (pointer, _, operation) in _webhooks(document).items():
        body = operation.get("requestBody", {})
        fields = _body_facts(document, body, f"{pointer}/requestBody")
        batch = fields.get("(body)", {}).get("type") == ["array"]
        if batch:  # a delivery of several events: the facts are those of one event
            fields = {k[3:] or "(body)": v for k, v in fields.items() if k.startswith("[]")}
        webhooks[name] = {"batch": batch, "fields": fields}
    return {
        "operations": dict(sorted(operations.items())),
        "webhooks": dict(sorted(webhooks.items())),
    }


# --- comparing ------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class FactDifference:
    """One difference: `kind` (e.g. `field-nullable`), `where` (`GET /vehicles 200
    data[].information.brand`) and `detail` (`S1 true, ours false`)."""

    kind: str
    where: str
    detail: str = ""

    def __str__(self) -> str:
        return f"{self.kind}: {self.where}" + (f" ({self.detail})" if self.detail else "")


def _values(fact: dict[str, Any], key: str) -> Any:
    return fact.get(key, False if key in ("nullable", "required") else None)


def _compare_fields(
    where: str, theirs: dict[str, Any], ours: dict[str, Any]
) -> list[FactDifference]:
    found: list[FactDifference] = []
    gone: list[str] = []  # a field only one side has: its children are not listed again

    def below(path: str) -> bool:
        return any(path.startswith((f"{g}.", f"{g}[]")) for g in gone)

    for path in sorted(theirs.keys() | ours.keys(), key=lambda p: (len(p), p)):
        if below(path):
            continue
        at = f"{where} {path}"
        if path not in ours:
            found.append(FactDifference("field-only-s1", at))
            gone.append(path)
            continue
        if path not in theirs:
            found.append(FactDifference("field-only-ours", at))
            gone.append(path)
            continue
        a, b = theirs[path], ours[path]
        for key in ("type", "nullable", "required", "format"):
            if _values(a, key) != _values(b, key):
                detail = f"S1 {_values(a, key)}, ours {_values(b, key)}"
                found.append(FactDifference(f"field-{key}", at, detail))
        enum_a, enum_b = a.get("enum"), b.get("enum")
        if enum_a != enum_b:
            if enum_a is None or enum_b is None:
                found.append(
                    FactDifference(
                        "field-enum", at, "S1 enumerated" if enum_b is None else "ours enumerated"
                    )
                )
            else:
                for value in sorted(set(enum_a) - set(enum_b)):
                    found.append(FactDifference("enum-value-only-s1", at, value))
                for value in sorted(set(enum_b) - set(enum_a)):
                    found.append(FactDifference("enum-value-only-ours", at, value))
    return found


def compare(theirs: Facts, ours: Facts) -> list[FactDifference]:
    """Every structural difference between S1's facts (`theirs`) and ours, sorted."""
    found: list[FactDifference] = []
    ops_a, ops_b = theirs["operations"], ours["operations"]
    for key in sorted(ops_a.keys() - ops_b.keys()):
        found.append(FactDifference("operation-only-s1", key))
    for key in sorted(ops_b.keys() - ops_a.keys()):
        found.append(FactDifference("operation-only-ours", key))
    for key in sorted(ops_a.keys() & ops_b.keys()):
        a, b = ops_a[key], ops_b[key]
        for name in sorted(a["parameters"].keys() | b["parameters"].keys()):
            at = f"{key} parameter {name}"
            if name not in b["parameters"]:
                found.append(FactDifference("parameter-only-s1", at))
            elif name not in a["parameters"]:
                found.append(FactDifference("parameter-only-ours", at))
            else:
                found += [
                    FactDifference(d.kind.replace("field-", "parameter-"), at, d.detail)
                    for d in _compare_fields(
                        at, {"": a["parameters"][name]}, {"": b["parameters"][name]}
                    )
                ]
        req_a, req_b = a.get("request"), b.get("request")
        if (req_a is None) != (req_b is None):
            found.append(
                FactDifference("request-body-only-" + ("s1" if req_b is None else "ours"), key)
            )
        elif req_a is not None and req_b is not None:
            if req_a["media"] != req_b["media"]:
                detail = f"S1 {', '.join(req_a['media'])}; ours {', '.join(req_b['media'])}"
                found.append(FactDifference("request-media", key, detail))
            if req_a["required"] != req_b["required"]:
                detail = f"S1 {req_a['required']}, ours {req_b['required']}"
                found.append(FactDifference("request-body-required", key, detail))
            found += _compare_fields(f"{key} request", req_a["fields"], req_b["fields"])
        res_a, res_b = a["responses"], b["responses"]
        for code in sorted(res_a.keys() - res_b.keys()):
            found.append(FactDifference("status-only-s1", f"{key} {code}"))
        for code in sorted(res_b.keys() - res_a.keys()):
            found.append(FactDifference("status-only-ours", f"{key} {code}"))
        for code in sorted(res_a.keys() & res_b.keys()):
            if res_a[code]["media"] != res_b[code]["media"]:
                media_a = ", ".join(res_a[code]["media"]) or "none"
                media_b = ", ".join(res_b[code]["media"]) or "none"
                detail = f"S1 {media_a}; ours {media_b}"
                found.append(FactDifference("response-media", f"{key} {code}", detail))
            else:
                found += _compare_fields(
                    f"{key} {code}", res_a[code]["fields"], res_b[code]["fields"]
                )
    hooks_a, hooks_b = theirs["webhooks"], ours["webhooks"]
    for name in sorted(hooks_a.keys() - hooks_b.keys()):
        found.append(FactDifference("webhook-only-s1", name))
    for name in sorted(hooks_b.keys() - hooks_a.keys()):
        found.append(FactDifference("webhook-only-ours", name))
    for name in sorted(hooks_a.keys() & hooks_b.keys()):
        if hooks_a[name]["batch"] != hooks_b[name]["batch"]:
            detail = f"S1 {hooks_a[name]['batch']}, ours {hooks_b[name]['batch']}"
            found.append(FactDifference("webhook-batch", f"webhook {name}", detail))
        found += _compare_fields(
            f"webhook {name}", hooks_a[name]["fields"], hooks_b[name]["fields"]
        )
    return sorted(found)


# --- errata ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Erratum:
    """One kept difference (errata.yaml): which differences it explains, and why."""

    id: str
    klass: str
    kind: str
    where: tuple[str, ...]
    detail: str | None
    why: str

    def explains(self, difference: FactDifference) -> bool:
        return (
            _matches(difference.kind, self.kind)
            and any(_matches(difference.where, w) for w in self.where)
            and (self.detail is None or _matches(difference.detail, self.detail))
        )


def _matches(text: str, pattern: str) -> bool:
    """Shell-style `*` and `?`; `[` is literal (JSON paths are full of `[]`)."""
    return fnmatch.fnmatchcase(text, pattern.replace("[", "[[]"))


def load_errata(path: Path = ERRATA_FILE) -> list[Erratum]:
    """The entries of an errata file; ValueError saying which entry is malformed."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    found = []
    for index, raw in enumerate(data.get("entries") or []):
        where = f"{path.name}: entry {index + 1} ({raw.get('id', 'no id')})"
        missing = {"id", "class", "kind", "where", "why"} - set(raw)
        if missing:
            raise ValueError(f"{where}: missing {', '.join(sorted(missing))}")
        if raw["class"] not in ERRATA_CLASSES:
            raise ValueError(f"{where}: class {raw['class']!r} is not one of {ERRATA_CLASSES}")
        found.append(
            Erratum(
                str(raw["id"]),
                str(raw["class"]),
                str(raw["kind"]),
                tuple(str(w) for w in raw["where"]),
                None if raw.get("detail") is None else str(raw["detail"]),
                " ".join(str(raw["why"]).split()),
            )
        )
    return found


def explain(
    differences: list[FactDifference], errata: list[Erratum]
) -> tuple[dict[str, list[FactDifference]], list[FactDifference]]:
    """({erratum id: the differences it explains (first match wins)}, unexplained)."""
    explained: dict[str, list[FactDifference]] = {e.id: [] for e in errata}
    unexplained = []
    for difference in differences:
        entry = next((e for e in errata if e.explains(difference)), None)
        if entry is None:
            unexplained.append(difference)
        else:
            explained[entry.id].append(difference)
    return explained, unexplained


# --- command line -----------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m enode_codegen.generator.facts",
        description="write the structure (no prose) of Enode's published OpenAPI document as facts",
    )
    parser.add_argument("document", type=Path, help="Enode's OpenAPI document (JSON)")
    parser.add_argument("--output", type=Path, default=FACTS_FILE)
    args = parser.parse_args(argv)
    try:
        document = json.loads(args.document.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        print(f"error: cannot read {args.document}: {error}", file=sys.stderr)
        return 2
    if not isinstance(document, dict) or not isinstance(document.get("paths"), dict):
        print(f"error: {args.document} is not an OpenAPI document (no `paths`)", file=sys.stderr)
        return 2
    facts = {
        "version": str(document.get("info", {}).get("version", "")),
        **document_facts(document),
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(facts, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(
        f"wrote {args.output}: {len(facts['operations'])} operations,"
        f" {len(facts['webhooks'])} webhook events"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
