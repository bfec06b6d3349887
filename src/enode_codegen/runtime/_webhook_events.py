"""Webhook deliveries as typed events: the pydantic side of `_webhooks.py`, loaded on first use.

A generated package declares its events once, as `WebhookEvents({event name: model class})`
(from the spec's top-level `webhooks`), and its `unwrap` is `events.unwrap(body, headers)`:

1. verify `X-Enode-Signature` on the body exactly as received (`_webhooks.verify_signature`,
   constant time; the secret defaults to ENODE_WEBHOOK_SECRET);
2. parse the JSON array with one pydantic `TypeAdapter` of
   `list[<the events' union, discriminated on "event"> | UnknownWebhookEvent]`: an `event`
   value the package does not know becomes an `UnknownWebhookEvent` holding every field,
   so a receiver keeps working when Enode adds events.

A known event that does not match its schema is read tolerantly, as responses are
(`_tolerant.py`: `drift(event)` lists the differences, each logged once); with
`strict=True` it raises `WebhookPayloadError`, as do unknown fields, enum values and event
names. Bodies that verify but are not JSON or not an array of objects naming their event
always raise it, listing each problem by index, event and field (never the values).
`construct_delivery` is the reverse, for users' tests.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Annotated, Any, Generic, TypeVar, Union, cast

from pydantic import (
    BaseModel,
    Discriminator,
    Field,
    Tag,
    TypeAdapter,
    ValidationError,
    create_model,
)

from ._adapters import adapter
from ._drift import Deviation, attach, drift, report
from ._errors import WebhookPayloadError
from ._models import EnodeModel
from ._parse import attach_tree
from ._strict import unknown_parts
from ._tolerant import read
from ._webhooks import SIGNATURE_HEADER, header, resolve_secret, signed_delivery, verify_signature

__all__ = ["UnknownWebhookEvent", "WebhookEvents", "unwrap"]

E = TypeVar("E")
_UNKNOWN_TAG = "\x00unknown"  # never an event name: the tag of UnknownWebhookEvent
_MAX_LISTED = 10  # problems named in a WebhookPayloadError's message (all are in `.problems`)


class UnknownWebhookEvent(EnodeModel):
    """An event whose `event` name this client version does not know (Enode added it later).

    Every field is kept: `model_extra` holds the others by their wire names (e.g.
    `event.model_extra["user"]`), and `model_dump(by_alias=True)` gives the event back as sent.
    For an API whose events are named by another property, `event` reads that property.
    """

    event: str
    # a date-time when it is one, else the text as sent: an unknown event is never an error
    created_at: Annotated[
        datetime | str | None, Field(alias="createdAt", union_mode="left_to_right")
    ] = None
    version: str | None = None


class WebhookEvents(Generic[E]):
    """The webhook events of one package: event name -> model class, and the property naming
    the event (`discriminator`, "event" for Enode). `E` is the package's union of those models.
    The pydantic adapter is built at the first parse."""

    def __init__(
        self, types: Mapping[str, type[BaseModel]], *, discriminator: str = "event"
    ) -> None:
        self.types = dict(types)
        self.discriminator = discriminator
        self._adapter: TypeAdapter[list[Any]] | None = None

    @property
    def adapter(self) -> TypeAdapter[list[Any]]:
        """`list[<known events, by tag> | UnknownWebhookEvent]`, built once."""
        if self._adapter is None:
            members: list[Any] = [
                Annotated[model, Tag(name)] for name, model in sorted(self.types.items())
            ]
            members.append(Annotated[self.unknown_model, Tag(_UNKNOWN_TAG)])
            union: Any = Annotated[
                Union[tuple(members)],  # noqa: UP007 (a union of computed members)
                Discriminator(
                    self._tag,
                    custom_error_type="missing_event_name",
                    custom_error_message=(
                        f"not an event: expected an object with a string {self.discriminator!r}"
                    ),
                ),
            ]
            self._adapter = TypeAdapter(list[union])
        return self._adapter

    @property
    def unknown_model(self) -> type[UnknownWebhookEvent]:
        """UnknownWebhookEvent, or for another discriminator a subclass whose `event` reads it."""
        if self.discriminator == "event":
            return UnknownWebhookEvent
        return cast(
            "type[UnknownWebhookEvent]",
            create_model(
                "UnknownWebhookEvent",
                __base__=UnknownWebhookEvent,
                __module__=__name__,
                event=(str, Field(alias=self.discriminator)),
            ),
        )

    def _tag(self, value: Any) -> str | None:
        name = (
            value.get(self.discriminator)
            if isinstance(value, dict)
            else getattr(value, self.discriminator, None)
        )
        if not isinstance(name, str):
            return None
        return name if name in self.types else _UNKNOWN_TAG

    def parse(self, body: bytes | str, *, strict: bool = False) -> list[E | UnknownWebhookEvent]:
        """The events of a delivery body (a JSON array), without checking its signature:
        for bodies already verified. Raises WebhookPayloadError for a body that is not an
        array of objects naming their event. An event that does not match its model is
        read tolerantly (see `_tolerant.py`; `drift(event)` lists the differences, each
        logged once per event and path) unless `strict`, which raises for it, for unknown
        fields and enum values, and for an event name this version does not know."""
        try:
            data = json.loads(body)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            where = (
                f" at line {exc.lineno} column {exc.colno}"
                if isinstance(exc, json.JSONDecodeError)
                else ""
            )
            reason = exc.msg if isinstance(exc, json.JSONDecodeError) else "not UTF-8"
            raise WebhookPayloadError(
                f"the delivery body is not JSON: {reason}{where}", problems=[reason]
            ) from None
        if not isinstance(data, list):
            raise WebhookPayloadError(
                f"the delivery body is a JSON {_json_type(data)}, not an array of events",
                problems=["not an array"],
            )
        try:
            events = self.adapter.validate_json(body, strict=True)
        except ValidationError as exc:
            problems = [
                _problem(error, data, self.types) for error in exc.errors(include_input=False)
            ]
            untagged = [i for i, item in enumerate(data) if self._tag(item) is None]
            if untagged and not strict:  # only the items that cannot be typed at all
                problems = [
                    f"[{i}]: not an event: expected an object with a string {self.discriminator!r}"
                    for i in untagged
                ]
            if strict or untagged:
                self._raise(problems)
            events = [self._tolerant(i, item) for i, item in enumerate(data)]
        found: list[Deviation] = []
        for i, event in enumerate(events):
            where = f"$[{i}]"
            if isinstance(event, UnknownWebhookEvent):
                found.append(
                    Deviation(
                        f"{where}.{self.discriminator}",
                        "a known event",
                        event.event,
                        f"unknown event {event.event!r}",
                    )
                )
            else:
                found += drift(event) or unknown_parts(event, where)
        if strict and found:
            self._raise([str(deviation) for deviation in found])
        for i, event in enumerate(events):
            mine = [d for d in found if d.path.startswith(f"$[{i}]")]
            if mine and not isinstance(event, UnknownWebhookEvent):
                report(f"webhook {getattr(event, self.discriminator, '?')}", mine)
            attach_tree(event, mine, f"$[{i}]")
        return cast("list[E | UnknownWebhookEvent]", events)

    def _tolerant(self, index: int, item: Any) -> Any:
        """One event read as its model, whatever it holds (its deviations attached)."""
        tag = self._tag(item)
        model = self.types.get(tag) if tag is not None else None
        target = model if model is not None else self.unknown_model
        try:
            return adapter(target).validate_json(json.dumps(item), strict=True)
        except ValidationError:
            value, found = read(target, item, f"$[{index}]")
            attach(value, found + unknown_parts(value, f"$[{index}]"))
            return value

    def _raise(self, problems: list[str]) -> None:
        listed = "; ".join(problems[:_MAX_LISTED])
        more = f" (and {len(problems) - _MAX_LISTED} more)" if len(problems) > _MAX_LISTED else ""
        raise WebhookPayloadError(
            f"{len(problems)} problem(s) in the delivery's events: {listed}{more}",
            problems=problems,
        )

    def unwrap(
        self,
        body: bytes | str,
        headers: Mapping[str, str],
        *,
        secret: str | None = None,
        strict: bool = False,
    ) -> list[E | UnknownWebhookEvent]:
        """Verify the delivery's signature, then parse its events (see the module docstring)."""
        verify_signature(body, header(headers, SIGNATURE_HEADER), secret)
        return self.parse(body, strict=strict)

    def construct_delivery(
        self,
        events: Sequence[BaseModel | Mapping[str, Any]],
        *,
        secret: str | None = None,
        delivery_id: str | None = None,
    ) -> tuple[bytes, dict[str, str]]:
        """The body and headers Enode would POST for `events` (models or plain dicts), signed
        with `secret` (default: ENODE_WEBHOOK_SECRET): for tests of a receiver."""
        payload = [
            event.model_dump(mode="json", by_alias=True, exclude_unset=True)
            if isinstance(event, BaseModel)
            else dict(event)
            for event in events
        ]
        return signed_delivery(payload, resolve_secret(secret), delivery_id=delivery_id)


def unwrap(
    body: bytes | str,
    headers: Mapping[str, str],
    *,
    events: WebhookEvents[E],
    secret: str | None = None,
    strict: bool = False,
) -> list[E | UnknownWebhookEvent]:
    """`events.unwrap(body, headers, secret=secret)`: verify, then parse into typed events."""
    return events.unwrap(body, headers, secret=secret, strict=strict)


def _json_type(value: Any) -> str:
    if isinstance(value, dict):
        return "object"
    if isinstance(value, str):
        return "string"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    return "null"


def _problem(error: Any, data: list[Any], tags: Mapping[str, object]) -> str:
    """`[index] event: field.path: message` for one pydantic error (never the input value)."""
    location = list(error.get("loc", ()))
    index = location.pop(0) if location and isinstance(location[0], int) else None
    if location and (location[0] == _UNKNOWN_TAG or location[0] in tags):
        location.pop(0)
    item = data[index] if index is not None and index < len(data) else None
    name = item.get("event") if isinstance(item, dict) else None
    head = " ".join(
        p for p in ("" if index is None else f"[{index}]", name) if isinstance(p, str) and p
    )
    field = ".".join(str(part) for part in location)
    return ": ".join(p for p in (head, field, str(error.get("msg", ""))) if p)
