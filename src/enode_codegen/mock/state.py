"""The mock's state: users, assets, schedules, actions and interventions, loaded from a seed.

Assets are kept as canonical records in the newest version's shape (2024-10-01: the
`location` object, `information.sn`, ...); responses project them onto each version's
schema (projection.py). Every entity gets a sequence number from one counter, which
orders lists and backs the pagination cursors. All mutations happen under `lock`.

What changed is also kept for webhooks (webhook_events.py): code that changes an asset
record calls `changed(asset)`, actions and links call `raise_event`, and when the
outermost holder releases `lock`, `drain` turns the changed assets into `:updated` events
(with `updatedFields`, diffed against the asset as last reported) and hands every event
to `sink` (the webhook dispatcher), still under the lock, so events keep their order.
"""

from __future__ import annotations

import copy
import json
import random
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

from .clock import format_timestamp, parse_timestamp

__all__ = [
    "ASSET_KINDS",
    "Action",
    "Asset",
    "HemSystem",
    "RawEvent",
    "Schedule",
    "State",
    "StateLock",
    "User",
    "Webhook",
    "changed_paths",
    "load_seed",
    "plain_copy",
]

# asset kind -> the seed's (and the admin API's) plural name
ASSET_KINDS: dict[str, str] = {
    "battery": "batteries",
    "charger": "chargers",
    "hvac": "hvacs",
    "inverter": "inverters",
    "meter": "meters",
    "vehicle": "vehicles",
}
KIND_BY_PLURAL = {plural: kind for kind, plural in ASSET_KINDS.items()}


# when a seed user without `createdAt` was created
SEED_CREATED_AT = "2024-01-01T00:00:00.000Z"


@dataclass
class User:
    id: str
    seq: int
    linked_vendors: list[dict[str, Any]] = field(default_factory=list)
    created_at: str = SEED_CREATED_AT

    def record(self) -> dict[str, Any]:
        return {"id": self.id, "linkedVendors": self.linked_vendors, "createdAt": self.created_at}


class _OwnedRecord:
    """The ID and owner of an entity kept as its canonical API record."""

    record: dict[str, Any]

    @property
    def id(self) -> str:
        return str(self.record["id"])

    @property
    def user_id(self) -> str:
        return str(self.record["userId"])


@dataclass
class Asset(_OwnedRecord):
    """One battery, charger, HVAC unit, inverter or meter."""

    kind: str
    record: dict[str, Any]
    seq: int
    controlled: bool = False  # controlled by smart charging / an OEM schedule (admin flag)


@dataclass
class Schedule(_OwnedRecord):
    record: dict[str, Any]
    seq: int


@dataclass
class HemSystem(_OwnedRecord):
    """A HEM system: its canonical record without `status` (computed on the mock's clock)."""

    record: dict[str, Any]
    seq: int
    has_battery: bool = True
    peak_kw: float = 6.0


@dataclass(frozen=True)
class RawEvent:
    """One webhook event as the state saw it, before it is shaped for a version.

    `kind` says what `data` is: an asset kind (`data` = a copy of its canonical record),
    `action` (`data` = the action's canonical record) or None (nothing beyond `extra`).
    """

    name: str
    created_at: float
    user_id: str | None
    kind: str | None = None
    data: Any = None
    extra: dict[str, Any] = field(default_factory=dict)


def plain_copy(value: Any) -> Any:
    """A deep copy of JSON-like data (dicts, lists, scalars), faster than copy.deepcopy."""
    if isinstance(value, dict):
        return {key: plain_copy(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain_copy(item) for item in value]
    return value


def changed_paths(before: Any, after: Any, prefix: str = "") -> list[str]:
    """Dotted paths of what differs between two records (objects recursed, arrays whole)."""
    if isinstance(before, dict) and isinstance(after, dict):
        paths: list[str] = []
        for key in after.keys() | before.keys():
            if key not in before or key not in after or before[key] != after[key]:
                paths.extend(changed_paths(before.get(key), after.get(key), f"{prefix}{key}."))
        return sorted(paths)
    return [prefix[:-1]] if prefix else []


class StateLock:
    """A re-entrant lock that runs `on_release` when its outermost holder lets go (still
    holding it): the state's changes are turned into events in the order they happened."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._depth = 0  # only changed by the holder
        self.on_release: Callable[[], None] | None = None

    def acquire(self) -> None:
        self._lock.acquire()
        self._depth += 1

    def release(self) -> None:
        try:
            if self._depth == 1 and self.on_release is not None:
                self.on_release()
        finally:
            self._depth -= 1
            self._lock.release()

    def __enter__(self) -> StateLock:
        self.acquire()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()


@dataclass
class Webhook:
    """One webhook of one OAuth client (handlers/webhooks.py; the API record is `record()`)."""

    id: str
    client_id: str
    seq: int
    url: str
    secret: str
    created_at: float
    events: list[str] = field(default_factory=lambda: ["*"])
    api_version: str | None = None
    auth: dict[str, str] | None = None  # {headerName, headerValue}
    is_active: bool = True
    last_success: float | None = None
    created_version: str | None = None  # the Enode-Version of the request that created it

    def record(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "url": self.url,
            "events": list(self.events),
            # Enode answers a never-delivered webhook's `lastSuccess` with its creation time
            "lastSuccess": format_timestamp(
                self.created_at if self.last_success is None else self.last_success
            ),
            "isActive": self.is_active,
            "createdAt": format_timestamp(self.created_at),
            "apiVersion": self.api_version,
            "authentication": None
            if self.auth is None
            else {"headerName": self.auth["headerName"]},
        }


@dataclass
class Action:
    """One control action. `effect` names what confirming it does (effects.py)."""

    id: str
    family: str  # the target's asset kind: battery, charger or hvac
    effect: str  # operationMode, charging, maxCurrent, permanentHold, followSchedule
    target_id: str
    user_id: str
    fields: dict[str, Any]  # family-specific canonical fields (targetType, kind, targetState, ...)
    created_at: float
    seq: int
    state: str = "PENDING"
    updated_at: float = 0.0
    completed_at: float | None = None
    failure: dict[str, str] | None = None
    due_at: float | None = None

    def record(self) -> dict[str, Any]:
        record: dict[str, Any] = {
            "id": self.id,
            "userId": self.user_id,
            "createdAt": format_timestamp(self.created_at),
            "updatedAt": format_timestamp(self.updated_at or self.created_at),
            "completedAt": None
            if self.completed_at is None
            else format_timestamp(self.completed_at),
            "state": self.state,
            "targetId": self.target_id,
            "failureReason": None if self.failure is None else dict(self.failure),
        }
        record.update(self.fields)
        return record


def _effect_of(family: str, fields: dict[str, Any]) -> str:
    if family == "battery":
        return "operationMode"
    if family == "charger":
        return "charging" if "kind" in fields else "maxCurrent"
    if family == "vehicle":
        return "vehicleCharging" if "kind" in fields else "vehicleMaxCurrent"
    target = fields.get("target") or {}
    return "permanentHold" if target.get("holdType") == "PERMANENT" else "followSchedule"


def load_seed(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        seed = json.load(handle)
    if not isinstance(seed, dict):
        raise ValueError(f"{path}: the seed must be a JSON object")
    return seed


class State:
    """Everything the mock knows; rebuilt from the seed by `reset()`."""

    def __init__(self, seed: dict[str, Any]) -> None:
        self.lock = StateLock()
        self.lock.on_release = self.drain
        # receives the events of each locked section (the webhook dispatcher); None: dropped
        self.sink: Callable[[list[RawEvent]], None] | None = None
        self.clock: Callable[[], float] | None = None  # when events happen (the mock's clock)
        self._seed = copy.deepcopy(seed)
        self.reset()

    def reset(self) -> None:
        with self.lock:
            seed = copy.deepcopy(self._seed)
            self._seq = 0
            self.rng = random.Random(seed.get("randomSeed", 1))
            self.revision = getattr(self, "revision", 0) + 1
            self.healthy = True
            self.users: dict[str, User] = {}
            self.assets: dict[str, dict[str, Asset]] = {kind: {} for kind in ASSET_KINDS}
            self.schedules: dict[str, Schedule] = {}
            self.actions: dict[str, Action] = {}
            self.pending: dict[str, str] = {}  # "kind:targetId" -> id of its PENDING action
            self.interventions: dict[str, dict[str, Any]] = {}
            self.locations: dict[str, dict[str, Any]] = {}
            self.link_sessions: dict[str, dict[str, Any]] = {}
            self.smart_overrides: list[dict[str, Any]] = []
            # locations (pagination order), tariffs and vehicles' smart charging (vehicles.py)
            self.location_seq: dict[str, int] = {}
            self.tariffs: dict[str, list[dict[str, Any]]] = dict(seed.get("tariffs", {}))
            self.location_tariffs: dict[str, list[dict[str, Any]]] = {}
            self.smart_plans: dict[str, dict[str, Any]] = {}
            self.vehicle_smart: dict[str, dict[str, Any]] = {}
            self.charging_since: dict[str, tuple[float, float]] = {}  # vehicle -> (t, level)
            self.webhooks: dict[str, Webhook] = {}  # every client's, by ID
            # the vendors the client can link (GET /integrations, /health/<assets>), by name
            self.vendors: dict[str, dict[str, Any]] = {
                record["vendor"]: record for record in seed.get("vendors", [])
            }
            for user in seed.get("users", []):
                self.users[user["id"]] = User(
                    user["id"],
                    self.next_seq(),
                    list(user.get("linkedVendors", [])),
                    str(user.get("createdAt", SEED_CREATED_AT)),
                )
            controlled = set(seed.get("mock", {}).get("controlled", []))
            for kind, plural in ASSET_KINDS.items():
                for record in seed.get(plural, []):
                    self.assets[kind][record["id"]] = Asset(
                        kind, record, self.next_seq(), record["id"] in controlled
                    )
            for record in seed.get("schedules", []):
                self.schedules[record["id"]] = Schedule(record, self.next_seq())
            for record in seed.get("interventions", []):
                self.interventions[record["id"]] = record
            for record in seed.get("locations", []):
                self.locations[record["id"]] = record
                self.location_seq[record["id"]] = self.next_seq()
            self.location_tariffs.update(seed.get("locationTariffs", {}))
            for record in seed.get("actions", []):
                self._load_action(record)
            for record in seed.get("webhooks", []):
                self._load_webhook(record)
            self.hem_systems: dict[str, HemSystem] = {}
            for record in seed.get("hemSystems", []):
                extra = record.get("mock", {})
                self.hem_systems[record["id"]] = HemSystem(
                    {k: v for k, v in record.items() if k != "mock"},
                    self.next_seq(),
                    bool(extra.get("battery", True)),
                    float(extra.get("peakKw", 6.0)),
                )
            # webhook events: what happened since the last drain, and each asset as last
            # reported (the base of `updatedFields`)
            self.events: list[RawEvent] = []
            self.dirty: dict[str, Asset] = {}
            self.reported_smart: dict[str, dict[str, Any]] = {}  # vehicles.evaluate
            self.reported: dict[str, dict[str, Any]] = {
                asset.id: plain_copy(asset.record)
                for assets in self.assets.values()
                for asset in assets.values()
            }

    def _load_webhook(self, record: dict[str, Any]) -> None:
        last = record.get("lastSuccess")
        hook = Webhook(
            id=record["id"],
            client_id=record["client"],
            seq=self.next_seq(),
            url=record["url"],
            secret=record["secret"],
            created_at=parse_timestamp(record["createdAt"]).timestamp(),
            events=list(record.get("events", ["*"])),
            api_version=record.get("apiVersion"),
            auth=record.get("authentication"),
            is_active=record.get("isActive", True),
            last_success=parse_timestamp(last).timestamp() if last else None,
        )
        self.webhooks[hook.id] = hook

    def _load_action(self, record: dict[str, Any]) -> None:
        base = {
            "id",
            "userId",
            "createdAt",
            "updatedAt",
            "completedAt",
            "state",
            "targetId",
            "failureReason",
        }
        fields = {k: v for k, v in record.items() if k not in base}
        family = str(record["targetType"])
        completed = record.get("completedAt")
        action = Action(
            id=record["id"],
            family=family,
            effect=_effect_of(family, fields),
            target_id=record["targetId"],
            user_id=record["userId"],
            fields=fields,
            created_at=parse_timestamp(record["createdAt"]).timestamp(),
            seq=self.next_seq(),
            state=record["state"],
            updated_at=parse_timestamp(record["updatedAt"]).timestamp(),
            completed_at=parse_timestamp(completed).timestamp() if completed else None,
            failure=record.get("failureReason"),
        )
        self.actions[action.id] = action
        if action.state == "PENDING":
            self.pending[f"{family}:{action.target_id}"] = action.id

    # --- helpers ----------------------------------------------------------------------

    def next_seq(self) -> int:
        self._seq += 1
        return self._seq

    def new_id(self) -> str:
        """A deterministic UUID4 (the sequence restarts with every reset)."""
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def touch(self) -> None:
        self.revision += 1

    @property
    def first_user_id(self) -> str | None:
        return next(iter(self.users), None)

    def asset(self, kind: str, asset_id: str) -> Asset | None:
        return self.assets[kind].get(asset_id)

    def find_asset(self, asset_id: str) -> Asset | None:
        for assets in self.assets.values():
            if asset_id in assets:
                return assets[asset_id]
        return None

    def user_assets(self, kind: str, user_id: str) -> list[Asset]:
        return [a for a in self.assets[kind].values() if a.user_id == user_id]

    def user_scopes(self, user_id: str) -> list[str]:
        """Every scope the user has granted on any of their assets, sorted."""
        return sorted(
            {
                str(scope)
                for kind in ASSET_KINDS
                for asset in self.user_assets(kind, user_id)
                for scope in asset.record.get("scopes") or ()
            }
        )

    def is_controlled(self, asset: Asset) -> bool:
        """Controlled by Enode (admin flag) or, for chargers and HVAC units, by an enabled
        schedule (a charge or a temperature schedule)."""
        if asset.controlled:
            return True
        if asset.kind == "vehicle" and any(
            p["vehicleId"] == asset.id and p["endedAt"] is None for p in self.smart_plans.values()
        ):
            return True  # an active smart charging plan
        if asset.kind not in ("charger", "vehicle", "hvac"):
            return False
        return any(
            s.record.get("isEnabled") and s.record.get("targetId") == asset.id
            for s in self.schedules.values()
        )

    def remove_asset(self, asset: Asset) -> None:
        del self.assets[asset.kind][asset.id]
        self.dirty.pop(asset.id, None)
        self.reported.pop(asset.id, None)
        self.raise_event(f"user:{asset.kind}:deleted", asset.user_id, asset.kind, asset.record)

    def record_link(self, user_id: str, vendor: str, kind: str) -> None:
        """Note that `user_id` linked `vendor` for `kind` assets (credentials valid)."""
        user = self.users[user_id]
        for entry in user.linked_vendors:
            if entry.get("vendor") == vendor and entry.get("vendorType") == kind:
                entry["isValid"] = True
                return
        user.linked_vendors.append({"vendor": vendor, "vendorType": kind, "isValid": True})

    def add_asset(self, asset: Asset) -> None:
        """A newly linked asset (`user:<kind>:discovered`)."""
        self.assets[asset.kind][asset.id] = asset
        self.reported[asset.id] = plain_copy(asset.record)
        self.raise_event(f"user:{asset.kind}:discovered", asset.user_id, asset.kind, asset.record)

    # --- webhook events -----------------------------------------------------------------

    def now(self) -> float:
        return self.clock() if self.clock is not None else time.time()

    def changed(self, asset: Asset) -> None:
        """Note that `asset.record` changed (its `:updated` event is made at the drain)."""
        self.dirty[asset.id] = asset

    def raise_event(
        self,
        name: str,
        user_id: str | None,
        kind: str | None = None,
        data: Any = None,
        **extra: Any,
    ) -> None:
        if self.sink is None:
            return
        self._updates()  # earlier asset changes go first
        self.events.append(RawEvent(name, self.now(), user_id, kind, plain_copy(data), extra))

    def _updates(self) -> None:
        if not self.dirty:
            return
        dirty, self.dirty = self.dirty, {}
        now = self.now()
        for asset in dirty.values():
            if self.assets[asset.kind].get(asset.id) is not asset:
                continue  # removed meanwhile
            before = self.reported.get(asset.id, {})
            paths = changed_paths(before, asset.record)
            if not paths:
                continue
            record = plain_copy(asset.record)
            self.reported[asset.id] = record
            self.events.append(
                RawEvent(
                    f"user:{asset.kind}:updated",
                    now,
                    asset.user_id,
                    asset.kind,
                    record,
                    {"updatedFields": paths},
                )
            )

    def drain(self) -> None:
        """Hand the events of the section ending now to `sink` (runs under the lock)."""
        if self.sink is None:
            self.dirty.clear()
            self.events.clear()
            return
        self._updates()
        if self.events:
            events, self.events = self.events, []
            self.sink(events)

    def remove_user(self, user_id: str) -> None:
        for kind in ASSET_KINDS:
            for asset in self.user_assets(kind, user_id):
                self.remove_asset(asset)
        for schedule in [s for s in self.schedules.values() if s.user_id == user_id]:
            del self.schedules[schedule.id]
        for location_id in [k for k, v in self.locations.items() if v.get("userId") == user_id]:
            self.remove_location(location_id)
        for hem in [h for h in self.hem_systems.values() if h.user_id == user_id]:
            del self.hem_systems[hem.id]
        self.users.pop(user_id, None)

    def remove_location(self, location_id: str) -> dict[str, Any]:
        """Delete a location; assets and schedules that were at it lose their location ID."""
        record = self.locations.pop(location_id)
        self.location_seq.pop(location_id, None)
        self.location_tariffs.pop(location_id, None)
        for assets in self.assets.values():
            for asset in assets.values():
                location = asset.record.get("location")
                if isinstance(location, dict) and location.get("id") == location_id:
                    location["id"] = None
                    self.changed(asset)
        for schedule in self.schedules.values():
            if schedule.record.get("locationId") == location_id:
                schedule.record["locationId"] = None
        return record

    def snapshot(self) -> dict[str, Any]:
        """The whole state as JSON-able data (for `GET /_mock/state`)."""
        return {
            "revision": self.revision,
            "healthy": self.healthy,
            "users": [u.record() for u in self.users.values()],
            **{
                ASSET_KINDS[kind]: [
                    {**a.record, "_mock": {"controlled": a.controlled}} for a in assets.values()
                ]
                for kind, assets in self.assets.items()
            },
            "schedules": [s.record for s in self.schedules.values()],
            "actions": [a.record() for a in self.actions.values()],
            "interventions": list(self.interventions.values()),
            "locations": list(self.locations.values()),
            "tariffs": dict(self.tariffs),
            "locationTariffs": dict(self.location_tariffs),
            "smartChargingPlans": list(self.smart_plans.values()),
            "vendors": list(self.vendors.values()),
            "hemSystems": [h.record for h in self.hem_systems.values()],
            "webhooks": [
                {**hook.record(), "_mock": {"client": hook.client_id}}
                for hook in self.webhooks.values()
            ],
        }
