"""Lay out one client package from the intermediate model: file path -> text.

The templates in `templates/package/` only place what `ir.Api` already holds;
the runtime in `runtime/` is copied verbatim (with a header line) so every
package carries the same hand-written, tested code.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jinja2

from . import paths
from .ir import Api, Operation, Resource, WebhookEvent
from .text import doc_line
from .third_party import ThirdParty

__all__ = ["render_package"]

PACKAGE_VERSION = "0.1.0"


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(paths.TEMPLATES_DIR / "package"),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )
    env.filters["py"] = _string_literal  # a Python (and TOML) string literal
    env.filters["doc"] = doc_line  # text safe inside a docstring
    # `calls is offering("a", "b")`: the README shows a section only when every operation
    # it calls is in this version (a version without one of them leaves the section out)
    env.tests["offering"] = _offering
    return env


def _offering(calls: dict[str, str], *operation_ids: str) -> bool:
    return all(operation_id in calls for operation_id in operation_ids)


def _string_literal(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def render_package(
    api: Api,
    models_source: str,
    *,
    header: str,
    enum_members: dict[str, str] | None = None,
    third_party: ThirdParty | None = None,
) -> dict[str, str]:
    """Every file of the package, keyed by its path relative to the package's folder.

    `third_party`: the spec is not Enode's; its client and README have nothing of Enode."""
    env = _environment()
    context = {
        "api": api,
        "header": header,
        "header_md": f"<!-- {header.lstrip('# ')} -->",
        "package_version": PACKAGE_VERSION,
        "third_party": third_party,
        **_readme_examples(api, enum_members or {}),
    }
    if third_party is not None:
        user_agent = f"{api.distribution}-python/{PACKAGE_VERSION}"
        context |= {
            "profile": third_party.profile_source(user_agent),
            "user_agent": user_agent,
            "first_call": _first_call(api, enum_members or {}),
        }
    readme = "README.md.jinja" if third_party is None else "README.third_party.md.jinja"
    pkg = api.package
    files = {
        "pyproject.toml": env.get_template("pyproject.toml.jinja").render(context),
        "README.md": env.get_template(readme).render(context),
        f"{pkg}/__init__.py": env.get_template("__init__.py.jinja").render(context),
        f"{pkg}/_client.py": env.get_template("_client.py.jinja").render(context),
        f"{pkg}/models.py": models_source,
        f"{pkg}/py.typed": "",
    }
    if api.has_webhooks:
        files[f"{pkg}/webhooks.py"] = env.get_template("webhooks.py.jinja").render(context)
    for source in sorted(paths.RUNTIME_DIR.rglob("*.py")):
        relative = source.relative_to(paths.RUNTIME_DIR).as_posix()
        files[f"{pkg}/_runtime/{relative}"] = f"{header}\n{source.read_text(encoding='utf-8')}"
    return files


def _readme_examples(api: Api, enum_members: dict[str, str]) -> dict[str, Any]:
    """Example calls for the package README, picked from the API's own operations."""
    read = next((op for r in api.resources for op in r.operations if _is_simple_get(op)), None)
    page = next(
        ((r, op) for r in api.resources for op in r.operations if op.response.kind == "page"), None
    )
    action = next(
        (
            (r, op)
            for r in api.resources
            if r.get_action
            for op in r.operations
            if _creates_action(op)
        ),
        None,
    )
    return {
        "example_event": _example_event(api),
        "example_read": _read_example(api, read),
        "example_page": f"client.{page[0].attr_name}.{page[1].method_name}(page_size=50)"
        if page
        else "",
        "example_action": _action_example(action, enum_members) if action else "",
        # operationId -> "client.<resource>.<method>", for the README's Enode examples
        "calls": {
            op.operation_id: f"client.{r.attr_name}.{op.method_name}"
            for r in api.resources
            for op in r.operations
        },
    }


_EXAMPLE_ID = '"54d827e1-8355-4fed-97b5-55940d1d09ba"'
_SIMPLE_EXAMPLES = {
    "str": '"text"',
    "int": "10",
    "float": "10.0",
    "bool": "True",
    "UUID | str": _EXAMPLE_ID,
}


def _example_value(annotation: str, enum_members: dict[str, str]) -> str:
    """A literal for a README example: an enum's first member, or a plain value."""
    first = annotation if annotation in _SIMPLE_EXAMPLES else annotation.split(" | ")[0]
    if first.startswith("models.") and first[7:] in enum_members:
        return f"{first}.{enum_members[first[7:]]}"
    return _SIMPLE_EXAMPLES.get(first, "...")


def _example_event(api: Api) -> WebhookEvent | None:
    """The event the README's webhook examples dispatch on: an action's or asset's update
    when there is one (what receivers mostly handle), else the first."""
    events = api.webhook_events
    preferred = [e for e in events if e.name.endswith("vendor-action:updated")] or [
        e for e in events if e.name.endswith(":updated")
    ]
    return (preferred or list(events))[0] if events else None


def _is_simple_get(op: Operation) -> bool:
    required = [p for p in op.params if p.required]
    return op.http_method == "GET" and not required and op.response.kind in ("model", "page")


def _read_example(api: Api, op: Operation | None) -> str:
    if op is None:
        return ""
    resource = next(r for r in api.resources if op in r.operations)
    return f"result = client.{resource.attr_name}.{op.method_name}()\n    print(result)"


def _first_call(api: Api, enum_members: dict[str, str]) -> str:
    """A third-party README's first call: the spec's first GET operation, its required
    arguments filled with example values ("" when the spec has no GET)."""
    found = next(
        ((r, op) for r in api.resources for op in r.operations if op.http_method == "GET"), None
    )
    if found is None:
        return ""
    resource, op = found
    args = [_example_value(p.annotation, enum_members) for p in op.path_params]
    args += [
        f"{p.py_name}={_example_value(p.annotation, enum_members)}"
        for p in op.query_params + op.header_params
        if p.required
    ]
    return f"client.{resource.attr_name}.{op.method_name}({', '.join(args)})"


def _creates_action(op: Operation) -> bool:
    """A control request: a POST with a flattened body that answers with an action."""
    return (
        op.http_method == "POST"
        and not op.path.endswith("/cancel")
        and "Action" in op.response.annotation
        and op.body is not None
        and op.body.flattened
    )


def _action_example(found: tuple[Resource, Operation], enum_members: dict[str, str]) -> str:
    resource, op = found
    args = [_EXAMPLE_ID for _ in op.path_params]
    if op.body and op.body.flattened:
        args += [
            f"{f.py_name}={_example_value(f.annotation, enum_members)}"
            for f in op.body.fields
            if f.required
        ]
    call = f"client.{resource.attr_name}.{op.method_name}({', '.join(args)})"
    return (
        "try:\n"
        f"    action = {call}\n"
        "except UnprocessableEntityError as exc:  # e.g. the target is controlled by a schedule\n"
        "    raise SystemExit(exc.detail)\n"
        f"final = client.{resource.attr_name}.wait_for_action(action, timeout=300)\n"
        "print(final.state)  # CONFIRMED, FAILED or CANCELLED\n"
        "try:\n"
        f"    client.{resource.attr_name}.{_cancel_name(resource)}(final.id)\n"
        "except ConflictError as exc:  # already resolved: the body is the action\n"
        "    print(exc.action)"
    )


def _cancel_name(resource: Resource) -> str:
    return next(
        (
            op.method_name
            for op in resource.operations
            if op.path.endswith("/actions/{actionId}/cancel")
        ),
        resource.get_action or "",
    )


def runtime_files() -> list[Path]:
    return sorted(paths.RUNTIME_DIR.rglob("*.py"))
