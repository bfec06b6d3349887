"""The intermediate model's types: the frozen dataclasses `ir.build_api` fills and the
templates lay out (`Api` > `Resource` > `Operation` > `Param`/`Body`/`Response`, and the
`WebhookEvent`s). Data only; how a document becomes them is in ir.py."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

__all__ = [
    "DEFAULT_STYLES",
    "Api",
    "Body",
    "BodyField",
    "Operation",
    "Param",
    "Resource",
    "Response",
    "ResponseKind",
    "WebhookEvent",
    "is_json",
]

# OpenAPI 3.1's style and explode when a parameter names none (`allowReserved` false)
DEFAULT_STYLES = {
    "path": ("simple", False),
    "query": ("form", True),
    "header": ("simple", False),
    "cookie": ("form", True),
}


def is_json(media_type: str) -> bool:
    essence = media_type.split(";", 1)[0].strip().lower()
    return essence == "application/json" or essence.endswith("+json")


ResponseKind = Literal["model", "none", "page", "any"]


@dataclass(frozen=True)
class Param:
    """A path, query, header or cookie parameter of an operation."""

    name: str  # as on the wire
    py_name: str
    location: Literal["path", "query", "header", "cookie"]
    annotation: str
    required: bool
    default: str  # Python source of the default ("None" when optional without default)
    description: str
    deprecated: bool
    style: str = "simple"  # OpenAPI `style`, defaulted by location
    explode: bool = False
    allow_reserved: bool = False

    @property
    def styled(self) -> bool:
        """Serialised other than its location's default: the runtime must be told how."""
        return (self.style, self.explode) != DEFAULT_STYLES[self.location] or self.allow_reserved


@dataclass(frozen=True)
class BodyField:
    """One top-level property of a JSON request body, exposed as a keyword argument."""

    name: str
    py_name: str
    annotation: str
    required: bool
    description: str


@dataclass(frozen=True)
class Body:
    """A request body: flattened into keyword arguments, or passed whole as `body`."""

    media_type: str
    required: bool
    fields: tuple[BodyField, ...]  # empty when the body is passed whole
    annotation: str  # the type of `body` when not flattened
    part_types: tuple[tuple[str, str], ...] = ()  # multipart: (property, encoding contentType)
    form_styles: tuple[tuple[str, str, bool, bool], ...] = ()  # form: (property, style, ...)

    @property
    def flattened(self) -> bool:
        return bool(self.fields)

    @property
    def is_json(self) -> bool:
        return is_json(self.media_type)


@dataclass(frozen=True)
class Response:
    """What a successful call returns."""

    kind: ResponseKind
    annotation: str  # the method's return annotation
    cast_to: str  # the expression the runtime parses the body with
    item: str  # for pages: the item annotation
    accept: str = ""  # the media type asked for when it is not JSON

    @property
    def needs_cast(self) -> bool:
        """A union or literal return parses to `Any` in the runtime's typing: cast it back."""
        top = self.annotation  # what is outside brackets: `list[A | B]` is a plain type
        while re.search(r"\[[^\[\]]*\]", top):
            top = re.sub(r"\[[^\[\]]*\]", "()", top)
        return self.kind == "model" and ("|" in top or top.startswith("Literal("))


@dataclass(frozen=True)
class Operation:
    operation_id: str
    method_name: str
    http_method: str
    path: str
    summary: str
    description: str
    deprecated: bool
    path_params: tuple[Param, ...]
    query_params: tuple[Param, ...]
    header_params: tuple[Param, ...]
    cookie_params: tuple[Param, ...]
    body: Body | None
    response: Response
    idempotent: bool  # False: only retried when the request provably never reached the server
    error_models: tuple[
        tuple[int, str], ...
    ]  # (status, cast expression) for error bodies that are models
    loose: tuple[str, ...]  # why parts of this operation are typed loosely (empty when fully typed)

    @property
    def params(self) -> tuple[Param, ...]:
        return self.path_params + self.query_params + self.header_params + self.cookie_params

    @property
    def styles(self) -> tuple[tuple[str, tuple[Param, ...]], ...]:
        """(location, its parameters not in the location's default style), locations with some."""
        found = (
            (where, tuple(p for p in self.params if p.styled and p.location == where))
            for where in DEFAULT_STYLES
        )
        return tuple((where, params) for where, params in found if params)


@dataclass(frozen=True)
class Resource:
    """The operations of one tag: `client.<attr_name>.<method_name>(...)`."""

    tag: str
    attr_name: str
    class_name: str
    description: str
    operations: tuple[Operation, ...]
    get_action: str | None  # method polling an action, when this resource creates actions
    unwraps_webhooks: bool = False  # has `unwrap` / `verify_signature` (the spec has webhooks)


@dataclass(frozen=True)
class WebhookEvent:
    """One event a webhook delivery may hold: `name` is its discriminator value."""

    name: str  # e.g. "user:vehicle:updated"
    model: str  # its model class in models.py
    webhook: str  # the key in the spec's `webhooks` that declares it
    summary: str


@dataclass(frozen=True)
class Api:
    title: str
    version: str
    description: str
    package: str
    distribution: str
    resources: tuple[Resource, ...]
    servers: tuple[tuple[str, str], ...]
    token_url: str | None
    has_webhooks: bool = False  # the document has a top-level `webhooks` section
    webhook_events: tuple[WebhookEvent, ...] = ()  # sorted by name
    webhook_discriminator: str = "event"  # the property naming an event
    webhook_notes: tuple[str, ...] = ()  # webhooks whose events could not be typed, and why

    @property
    def operations(self) -> tuple[Operation, ...]:
        return tuple(op for resource in self.resources for op in resource.operations)
