"""The intermediate model: what the templates render, with every name already computed.

`build_api` turns a hoisted OpenAPI document into frozen dataclasses: resources
(one per tag) holding operations, each with typed parameters, body, response,
pagination and action semantics, and the events of the document's top-level
`webhooks` (OpenAPI 3.1), which the `webhooks` resource and module unwrap. Every
collection is sorted, so the rendered output does not depend on dict or set order.
Templates only lay this out.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from .hoist import ref_name
from .ir_model import (
    DEFAULT_STYLES,
    Api,
    Body,
    BodyField,
    Operation,
    Param,
    Resource,
    Response,
    ResponseKind,
    WebhookEvent,
    is_json,
)
from .naming import class_name, snake_name, unique
from .pytypes import TypeMapper
from .refs import deref
from .text import doc_line, docstring, plain
from .validate import HTTP_METHODS, VERSION_HEADER, iter_operations

__all__ = [
    "Api",
    "Body",
    "BodyField",
    "Operation",
    "Param",
    "Resource",
    "Response",
    "WebhookEvent",
    "build_api",
    "resource_attr",
]

JSON_TYPES = ("application/json", "application/problem+json")
FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")
UNTAGGED = "default"  # the resource of operations without tags: `client.default`
WEBHOOKS_ATTR = "webhooks"  # the resource that also unwraps deliveries: `client.webhooks.unwrap`
WEBHOOK_METHODS = ("unwrap", "verify_signature")  # its hand-rendered methods, never operation names


def resource_attr(tag: str, paths: Iterable[str]) -> str:
    """The attribute of a tag's resource on the client, named after its paths, not its display
    name: the literal path segment most of the tag's operations share (`HVAC` on `/hvacs/...`
    -> `hvacs`, `Solar inverters` on `/inverters/...` -> `inverters`). On a tie, a segment the
    tag names wins (`Statistics` on `/users/{userId}/statistics` -> `statistics`), then the
    first; the tag itself when no path has a literal segment."""
    counts: Counter[str] = Counter()
    order: dict[str, int] = {}
    for path in paths:
        segments = {
            snake_name(part): None for part in path.split("/") if part and not part.startswith("{")
        }
        for name in segments:
            counts[name] += 1
            order.setdefault(name, len(order))
    if not counts:
        return snake_name(tag)
    tag_text = snake_name(tag).replace("_", "")

    def named_by_tag(name: str) -> bool:
        stem = name.replace("_", "")
        return stem[:-1] in tag_text if len(stem) > 3 else stem == tag_text

    return min(counts, key=lambda name: (-counts[name], not named_by_tag(name), order[name]))


def build_api(
    document: dict[str, Any],
    classes: set[str],
    *,
    package: str,
    distribution: str,
    directional: dict[str, tuple[str, str]] | None = None,
) -> Api:
    """The intermediate model of a hoisted document whose model classes are `classes`;
    `directional` maps the schemas written as two models to (request, response) class."""
    directional = directional or {}
    info = document.get("info", {})
    tag_docs = {
        t.get("name"): doc_line(t.get("description"))
        for t in document.get("tags", [])
        if isinstance(t, dict)
    }
    raw_by_tag: dict[str, list[tuple[str, str, dict[str, Any]]]] = {}
    for path, method, raw in sorted(iter_operations(document), key=lambda item: (item[0], item[1])):
        raw_by_tag.setdefault(str((raw.get("tags") or [UNTAGGED])[0]), []).append(
            (path, method, raw)
        )
    has_webhooks = bool(document.get("webhooks"))
    resources: list[Resource] = []
    attr_taken: set[str] = {"with_options", "with_raw_response", "close"}
    for tag in sorted(raw_by_tag):
        paths = [path for path, _method, _raw in raw_by_tag[tag]]
        name = tag if tag == UNTAGGED else resource_attr(tag, paths)
        attr = unique(snake_name(name), attr_taken)
        unwraps = has_webhooks and attr == WEBHOOKS_ATTR
        taken: set[str] = set(WEBHOOK_METHODS) if unwraps else set()
        operations = tuple(
            sorted(
                (
                    _operation(document, classes, directional, *item, taken)
                    for item in raw_by_tag[tag]
                ),
                key=lambda op: op.method_name,
            )
        )
        get_action = next(
            (
                op.method_name
                for op in operations
                if op.http_method == "GET" and op.path.endswith("/actions/{actionId}")
            ),
            None,
        )
        resources.append(
            Resource(
                doc_line(tag),
                attr,
                class_name(tag) + "Resource",
                tag_docs.get(tag, ""),
                operations,
                get_action,
                unwraps,
            )
        )
    if has_webhooks and not any(r.unwraps_webhooks for r in resources):
        attr = unique(WEBHOOKS_ATTR, attr_taken)
        resources.append(
            Resource("Webhooks", attr, class_name(attr) + "Resource", "", (), None, True)
        )
        resources.sort(key=lambda r: r.tag)
    events, discriminator, notes = _webhook_events(document, classes, directional)
    servers = tuple(
        (str(s.get("url", "")), str(s.get("description", "")))
        for s in document.get("servers", [])
        if isinstance(s, dict)
    )
    return Api(
        title=" ".join(plain(str(info.get("title", "API"))).split()) or "API",
        version=" ".join(plain(str(info.get("version", ""))).split()),
        description=plain(info.get("description")),
        package=package,
        distribution=distribution,
        resources=tuple(resources),
        servers=servers,
        token_url=_token_url(document),
        has_webhooks=has_webhooks,
        webhook_events=events,
        webhook_discriminator=discriminator,
        webhook_notes=notes,
    )


def _operation(
    document: dict[str, Any],
    classes: set[str],
    directional: dict[str, tuple[str, str]],
    path: str,
    method: str,
    raw: dict[str, Any],
    taken: set[str],
) -> Operation:
    mapper = TypeMapper(document, classes, directional=directional)
    operation_id = str(raw.get("operationId") or f"{method} {path}")
    path_item = document["paths"][path]
    params: dict[tuple[str, str], dict[str, Any]] = {}
    for candidate in [*(path_item.get("parameters") or []), *(raw.get("parameters") or [])]:
        resolved = deref(document, candidate)
        if resolved.get("name") and resolved.get("in"):
            params[(resolved["in"], resolved["name"])] = resolved
    py_taken = {"self", "body", "options", "timeout"}
    grouped: dict[str, list[Param]] = {"path": [], "query": [], "header": [], "cookie": []}
    for (location, name), spec in sorted(
        params.items(), key=lambda item: _param_order(path, item[0])
    ):
        if location not in grouped or (
            location == "header"
            and name.lower() in (VERSION_HEADER, "authorization", "accept", "content-type")
        ):  # OpenAPI: Accept, Content-Type and Authorization header parameters SHALL be ignored
            continue
        grouped[location].append(_param(spec, location, unique(snake_name(name), py_taken), mapper))
    body = _body(document, raw.get("requestBody"), mapper, py_taken)
    response = _response(document, raw, mapper)
    error_models = tuple(
        (int(code), cast) for code, cast in sorted(_error_models(document, raw, mapper).items())
    )
    return Operation(
        operation_id=operation_id,
        method_name=unique(snake_name(operation_id), taken),
        http_method=method.upper(),
        path=path,
        summary=docstring(raw.get("summary")),
        description=docstring(raw.get("description")),
        deprecated=bool(raw.get("deprecated")),
        path_params=tuple(grouped["path"]),
        query_params=tuple(grouped["query"]),
        header_params=tuple(grouped["header"]),
        cookie_params=tuple(grouped["cookie"]),
        body=body,
        response=response,
        idempotent=method.upper() in ("GET", "HEAD", "OPTIONS", "PUT", "DELETE"),
        error_models=error_models,
        loose=tuple(sorted(set(mapper.loose))),
    )


def _param_order(path: str, key: tuple[str, str]) -> tuple[int, int, str]:
    location, name = key
    if location == "path":
        return (0, path.find("{" + name + "}"), name)
    return ({"query": 1, "header": 2, "cookie": 3}.get(location, 4), 0, name)


def _param(spec: dict[str, Any], location: str, py_name: str, mapper: TypeMapper) -> Param:
    schema = spec.get("schema", {})
    required = bool(spec.get("required")) or location == "path"
    annotation = mapper.annotation(schema, for_input=True)
    default = "None"
    if not required:
        annotation = (
            annotation
            if annotation.endswith("| None") or annotation == "Any"
            else f"{annotation} | None"
        )
    style = str(spec.get("style") or DEFAULT_STYLES[location][0])
    return Param(
        name=str(spec["name"]),
        py_name=py_name,
        location=location,  # type: ignore[arg-type]
        annotation=annotation,
        required=required,
        default=default,
        description=docstring(spec.get("description")),
        deprecated=bool(spec.get("deprecated")),
        style=style,
        explode=bool(spec.get("explode", style == "form")),
        allow_reserved=location == "query" and bool(spec.get("allowReserved")),
    )


def _body(
    document: dict[str, Any], raw: Any, mapper: TypeMapper, py_taken: set[str]
) -> Body | None:
    raw = deref(document, raw) if isinstance(raw, dict) else None
    if not raw:
        return None
    content = raw.get("content") or {}
    media_type = _request_media_type(content)
    if media_type is None:
        return None
    media = content.get(media_type) or {}
    schema = media.get("schema", {})
    required = bool(raw.get("required"))
    part_types, form_styles = _encodings(media_type, media.get("encoding"))
    structured = is_json(media_type) or media_type in FORM_TYPES
    target = mapper.resolve(schema)
    if (
        structured
        and isinstance(target.get("properties"), dict)
        and not any(k in target for k in ("allOf", "oneOf", "anyOf"))
    ):
        needed = set(target.get("required") or [])
        fields = []
        for name, prop in target["properties"].items():
            if prop is False or (isinstance(prop, dict) and prop.get("readOnly")):
                continue  # `false`: the property must not be sent (a 3.1 boolean schema)
            annotation = (
                _file_annotation(mapper, prop) if media_type == "multipart/form-data" else None
            ) or mapper.annotation(prop, for_input=True)
            is_required = name in needed
            if not is_required and not (annotation.endswith("| None") or annotation == "Any"):
                annotation = f"{annotation} | None"
            fields.append(
                BodyField(
                    name,
                    unique(snake_name(name), py_taken),
                    annotation,
                    is_required,
                    docstring(prop.get("description") if isinstance(prop, dict) else None),
                )
            )
        fields.sort(key=lambda f: (not f.required, f.py_name))
        if fields:  # an object declaring no writable property is passed whole
            return Body(media_type, required, tuple(fields), "", part_types, form_styles)
    if structured:
        annotation = mapper.annotation(schema, for_input=True)
    else:  # text, XML: a str; anything else (octet-stream, images): bytes or a binary file
        annotation = "str" if _is_text(media_type) else "FileContent"
    return Body(media_type, required, (), annotation, part_types, form_styles)


def _is_text(media_type: str) -> bool:
    essence = media_type.split(";", 1)[0].strip().lower()
    return essence.startswith("text/") or essence.endswith(("/xml", "+xml"))


def _request_media_type(content: dict[str, Any]) -> str | None:
    """The media type the client sends: JSON, else a form (multipart first), else the first."""
    for preferred in (JSON_TYPES, sorted(m for m in content if is_json(m)), FORM_TYPES):
        found = next((m for m in preferred if m in content), None)
        if found is not None:
            return found
    return next(iter(sorted(content)), None)


def _encodings(
    media_type: str, encoding: Any
) -> tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str, bool, bool], ...]]:
    """A form body's Encoding Objects: multipart parts' contentType, urlencoded styles."""
    if media_type not in FORM_TYPES or not isinstance(encoding, dict):
        return (), ()
    part_types: list[tuple[str, str]] = []
    form_styles: list[tuple[str, str, bool, bool]] = []
    for name, spec in sorted(encoding.items()):
        if not isinstance(spec, dict):
            continue
        if media_type == "multipart/form-data":
            if isinstance(spec.get("contentType"), str):
                part_types.append((str(name), spec["contentType"]))
            continue  # multipart `style` (which would override contentType): not supported
        style = str(spec.get("style") or "form")
        explode = bool(spec.get("explode", style == "form"))
        reserved = bool(spec.get("allowReserved"))
        if (style, explode, reserved) != ("form", True, False):
            form_styles.append((str(name), style, explode, reserved))
    return tuple(part_types), tuple(form_styles)


def _file_annotation(mapper: TypeMapper, schema: Any) -> str | None:
    """`FileTypes` for a multipart property that is a file (`format: binary`, or 3.1's
    `contentMediaType`), `list[FileTypes]` for an array of them; None otherwise."""
    target = mapper.resolve(schema)
    if target.get("type") == "array" and isinstance(target.get("items"), dict):
        item = _file_annotation(mapper, target["items"])
        return f"list[{item}]" if item else None
    if target.get("format") == "binary" or "contentMediaType" in target:
        return "FileTypes"
    return None


def _success(raw: dict[str, Any]) -> tuple[str, Any] | None:
    responses = raw.get("responses") or {}
    codes = sorted(str(c) for c in responses if str(c).startswith("2"))
    return (codes[0], responses[codes[0]]) if codes else None


def _response(document: dict[str, Any], raw: dict[str, Any], mapper: TypeMapper) -> Response:
    success = _success(raw)
    if success is None:
        return Response("none", "None", "None", "")
    response = deref(document, success[1])
    content = response.get("content") or {}
    media_type = next((m for m in JSON_TYPES if m in content), None) or next(
        (m for m in sorted(content) if is_json(m)), None
    )
    if media_type is None:
        textual = next((m for m in sorted(content) if _is_text(m)), None)
        if textual is not None:  # text/plain, XML: the body decoded, a str
            return Response("model", "str", "Text", "", accept=textual)
        if content:  # images, archives, octet-stream: the raw body
            return Response("model", "bytes", "bytes", "", accept=", ".join(sorted(content)))
        return Response("none", "None", "None", "")
    schema = (content.get(media_type) or {}).get("schema", {})
    item = _page_item(raw, schema, mapper, document)
    if item is not None:
        return Response("page", item, item, item)
    annotation = mapper.annotation(schema)
    kind: ResponseKind = "any" if annotation == "Any" else "model"
    return Response(kind, annotation, mapper.cast_expression(schema), "")


def _page_item(
    raw: dict[str, Any], schema: Any, mapper: TypeMapper, document: dict[str, Any]
) -> str | None:
    """The item annotation when the response is a cursor page (`{data: [...], pagination}`) and the
    operation takes an `after` cursor; otherwise None."""
    params = {str(deref(document, p).get("name")) for p in raw.get("parameters") or []}
    if "after" not in params:
        return None
    target = mapper.resolve(schema)
    properties = target.get("properties") or {}
    data = mapper.resolve(properties.get("data")) if "data" in properties else {}
    if data.get("type") != "array" or "pagination" not in properties:
        return None
    return mapper.annotation(data.get("items", {}))


def _error_models(
    document: dict[str, Any], raw: dict[str, Any], mapper: TypeMapper
) -> dict[int, str]:
    """Error statuses whose body is a model other than a problem (e.g. 409 with the action)."""
    found: dict[int, str] = {}
    for code, response in (raw.get("responses") or {}).items():
        if not str(code).isdigit() or int(code) < 400:
            continue
        content = deref(document, response).get("content") or {}
        schema = (content.get("application/json") or {}).get("schema")
        if schema is not None:
            annotation = mapper.annotation(schema)
            if annotation != "Any":
                found[int(code)] = annotation
    return found


def _token_url(document: dict[str, Any]) -> str | None:
    """The token URL of the first OAuth2 client-credentials scheme, if any."""
    schemes = document.get("components", {}).get("securitySchemes", {})
    for name in sorted(schemes):
        flows = schemes[name].get("flows", {}) if isinstance(schemes[name], dict) else {}
        url = (flows.get("clientCredentials") or {}).get("tokenUrl")
        if isinstance(url, str):
            return url
    return None


def _webhook_events(
    document: dict[str, Any], classes: set[str], directional: dict[str, tuple[str, str]]
) -> tuple[tuple[WebhookEvent, ...], str, tuple[str, ...]]:
    """The events of the top-level `webhooks`: each webhook's JSON request body (an event or an
    array of events; a `oneOf` of events too) names model classes, and each model's
    discriminator property holds its event name as a `const` (or a one-value `enum`).
    The discriminator is the `propertyName` of a component `oneOf` over those models with a
    `discriminator`, else `event`. Webhooks whose events cannot be typed are noted, and their
    events parse as `UnknownWebhookEvent`."""
    hooks = document.get("webhooks") or {}
    declared: list[tuple[str, str, str]] = []  # (webhook, model, summary)
    notes: list[str] = []
    for key in sorted(hooks, key=str):
        item = deref(document, hooks[key])
        for method in HTTP_METHODS:
            operation = item.get(method)
            if not isinstance(operation, dict):
                continue
            models = _webhook_models(document, operation)
            if not models:
                notes.append(f"webhook {key!r} ({method.upper()}): no JSON body naming a model")
            summary = docstring(operation.get("summary"))
            declared += [(str(key), model, summary) for model in models]
    discriminator = _webhook_discriminator(document, {model for _k, model, _s in declared})
    schemas = document.get("components", {}).get("schemas", {})
    events: dict[str, WebhookEvent] = {}
    mapper = TypeMapper(document, classes, directional=directional)
    for key, schema, summary in declared:
        properties = deref(document, schemas.get(schema)).get("properties") or {}
        name = _fixed_string(document, properties.get(discriminator))
        model = mapper.model_class(schema)  # the server sends events: what it writes
        if model is None or name is None:
            notes.append(
                f"webhook {key!r}: {model or schema} has no single string value of "
                f"{discriminator!r}; its events parse as UnknownWebhookEvent"
            )
            continue
        if name in events and events[name].model != model:
            notes.append(f"webhook {key!r}: event {name!r} is already {events[name].model}")
            continue
        events.setdefault(name, WebhookEvent(name, model, key, summary))
    return (
        tuple(events[name] for name in sorted(events)),
        discriminator,
        tuple(dict.fromkeys(notes)),
    )


def _webhook_models(document: dict[str, Any], operation: dict[str, Any]) -> list[str]:
    """Model names of a webhook operation's JSON body: `X`, `array of X`, `oneOf` of those."""
    body = deref(document, operation.get("requestBody"))
    content = body.get("content") or {}
    media_type = next((m for m in JSON_TYPES if m in content), None)
    found = (content.get(media_type) or {}).get("schema") if media_type else None
    if not isinstance(found, dict):
        return []
    schema: dict[str, Any] = found
    whole = deref(document, schema) if "$ref" in schema else schema
    if whole.get("type") == "array" or "items" in whole:
        items = whole.get("items")
        schema = items if isinstance(items, dict) else {}
    members = [schema]
    target = deref(document, schema) if "$ref" in schema else schema
    if "oneOf" in target or "anyOf" in target:
        members = list(target.get("oneOf") or target.get("anyOf") or [])
    names = [ref_name(m["$ref"]) for m in members if isinstance(m, dict) and "$ref" in m]
    return sorted({n for n in names if n is not None})


def _webhook_discriminator(document: dict[str, Any], models: set[str]) -> str:
    """The property naming an event: the `propertyName` of the component `oneOf` with a
    `discriminator` that covers the most event models; else a property every event model
    fixes to one string (`event` when it is one); else `event`."""
    schemas = document.get("components", {}).get("schemas", {})
    covering: list[tuple[int, str]] = []
    for _name, schema in sorted(schemas.items()):
        if not isinstance(schema, dict) or not isinstance(schema.get("discriminator"), dict):
            continue
        members = {
            ref_name(m.get("$ref", "")) for m in schema.get("oneOf") or [] if isinstance(m, dict)
        }
        prop = schema["discriminator"].get("propertyName")
        if isinstance(prop, str) and models & members:
            covering.append((-len(models & members), prop))
    if covering:
        return min(covering)[1]
    fixed: set[str] | None = None
    for model in sorted(models):
        properties = deref(document, schemas.get(model)).get("properties") or {}
        own = {name for name, prop in properties.items() if _fixed_string(document, prop)}
        fixed = own if fixed is None else fixed & own
    if not fixed or "event" in fixed:
        return "event"
    return sorted(fixed)[0]


def _fixed_string(document: dict[str, Any], schema: Any) -> str | None:
    """The one string a schema allows (`const`, or a one-value `enum`), else None."""
    target = deref(document, schema)
    values = [target["const"]] if "const" in target else target.get("enum") or []
    return values[0] if len(values) == 1 and isinstance(values[0], str) else None
