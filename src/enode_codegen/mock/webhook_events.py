"""Webhook events in a version's shape: which events a version has, and their payloads.

The events a version has are the keys of its document's top-level `webhooks` (for a
document without them: its `WebhookEvent` subscription enum, plus `system:heartbeat`,
which no webhook subscribes to by name). A payload is the envelope (`createdAt`,
`version`, `event`, `user` for `user:*` events) plus the event's data, projected with
the mock's version projection through the schema of the GET route that answers it: the
asset as `GET /<assets>/{id}` returns it, the action as `GET /<assets>/actions/{id}`
returns it. When the document declares the event, the result is checked against the
event's schema; an event that does not fit is a violation (recorded like a response's).
"""

from __future__ import annotations

import re
import threading
from typing import Any

from enode_codegen.generator.refs import escape_pointer, follow

from .clock import format_timestamp
from .projection import Projector, ProjectorCompiler, Unrepresentable
from .schemas import CompiledSchema
from .specs import SpecIndex, VersionSpec
from .state import ASSET_KINDS, RawEvent

__all__ = ["HEARTBEAT", "TEST_EVENT", "EventRenderer", "InvalidEvent"]

HEARTBEAT = "system:heartbeat"
TEST_EVENT = "enode:webhook:test"
_ID = r"\{[^}/]+\}"
# RawEvent.kind -> (the GET route answering that data, its payload key); "action" is apart
PAYLOADS: dict[str, tuple[str, str]] = {
    **{kind: (rf"/{re.escape(plural)}/{_ID}", kind) for kind, plural in ASSET_KINDS.items()},
    "hemSystem": (rf"/hem-systems/{_ID}", "hemSystem"),
    "smartChargingStatus": (rf"/vehicles/{_ID}/smart-charging-status", "smartChargingStatus"),
}


class InvalidEvent(Exception):
    """An event the version's webhook schema does not accept (`problems` say why)."""

    def __init__(self, name: str, version: str, problems: list[str], event: dict[str, Any]):
        super().__init__(f"{version} {name}: {'; '.join(problems)}")
        self.name = name
        self.version = version
        self.problems = problems
        self.event = event


class EventRenderer:
    """Shapes `RawEvent`s for each served version (projectors compiled once, thread-safe)."""

    def __init__(self, index: SpecIndex) -> None:
        self.index = index
        self._lock = threading.Lock()
        self._compilers = {v: ProjectorCompiler(spec.store) for v, spec in index.versions.items()}
        self._declared: dict[str, frozenset[str]] = {}
        self._projectors: dict[tuple[str, str], Projector | None] = {}
        self._validators: dict[tuple[str, str], CompiledSchema | None] = {}

    # --- what a version has ---------------------------------------------------------------

    def declared(self, version: str) -> frozenset[str]:
        known = self._declared.get(version)
        if known is None:
            known = self._events_of(self.index.versions[version])
            self._declared[version] = known
        return known

    @staticmethod
    def _events_of(spec: VersionSpec) -> frozenset[str]:
        webhooks = spec.document.get("webhooks")
        if isinstance(webhooks, dict):
            return frozenset(str(name) for name in webhooks)
        schema = spec.document.get("components", {}).get("schemas", {}).get("WebhookEvent", {})
        names = {str(name) for name in schema.get("enum") or () if name != "*"}
        return frozenset(names | {HEARTBEAT}) if names else frozenset()

    # --- payloads -------------------------------------------------------------------------

    def _get_route(self, version: str, pattern: str) -> Projector | None:
        key = (version, pattern)
        with self._lock:
            if key in self._projectors:
                return self._projectors[key]
            spec = self.index.versions[version]
            regex = re.compile(pattern)
            projector = None
            for op in spec.operations.values():
                if op.method == "GET" and regex.fullmatch(op.path):
                    ok = op.response(200)
                    if ok is not None and ok.schema_pointer is not None:
                        projector = self._compilers[version].compile(ok.schema_pointer)
                        break
            self._projectors[key] = projector
            return projector

    def _data(self, version: str, kind: str, record: Any) -> Any:
        pattern = PAYLOADS[kind][0]
        projector = self._get_route(version, pattern)
        if projector is None:
            raise Unrepresentable(f"{version} has no GET route {pattern}", kind)
        return projector(record)

    def _action(self, version: str, record: dict[str, Any]) -> Any:
        kind = str(record.get("targetType", ""))
        plural = re.escape(ASSET_KINDS.get(kind, kind + "s"))
        projector = self._get_route(version, rf"/{plural}/actions/\{{[^}}/]+\}}")
        if projector is None:
            raise Unrepresentable(f"{version} has no GET route for {kind} actions", kind)
        return projector(record)

    def _validator(self, version: str, name: str) -> CompiledSchema | None:
        key = (version, name)
        with self._lock:
            if key in self._validators:
                return self._validators[key]
            spec = self.index.versions[version]
            document = spec.document
            validator = None
            webhooks = document.get("webhooks")
            if isinstance(webhooks, dict) and name in webhooks:
                base = f"/webhooks/{escape_pointer(name)}/post"
                post, _ = follow(document, webhooks[name].get("post"), base)
                body, pointer = follow(
                    document, (post or {}).get("requestBody"), f"{base}/requestBody"
                )
                content = (body or {}).get("content", {}).get("application/json")
                if isinstance(content, dict) and "schema" in content:
                    schema_pointer = f"{pointer}/content/application~1json/schema"
                    schema, resolved = follow(document, content["schema"], schema_pointer)
                    if isinstance(schema, dict) and "items" in schema:
                        schema_pointer = f"{resolved}/items"
                    validator = spec.store.compile(schema_pointer)
            self._validators[key] = validator
            return validator

    def render(self, raw: RawEvent, version: str) -> dict[str, Any]:
        """The event as a webhook of `version` receives it. Raises `Unrepresentable` when
        the version cannot show its data, `InvalidEvent` when the result breaks the spec."""
        event: dict[str, Any] = {
            "createdAt": format_timestamp(raw.created_at),
            "version": version,
            "event": raw.name,
        }
        if raw.user_id is not None:
            event["user"] = {"id": raw.user_id}
        if raw.kind == "action":
            event["vendorAction"] = self._action(version, raw.data)
        elif raw.kind is not None:
            event[PAYLOADS[raw.kind][1]] = self._data(version, raw.kind, raw.data)
        event.update(raw.extra)
        validator = self._validator(version, raw.name)
        if validator is not None and not validator.is_valid(event):
            problems = [f"{i.where()}: {i.message}" for i in validator.issues(event, ("event",))]
            raise InvalidEvent(raw.name, version, problems, event)
        return event
