"""Facts the scenario and client tests share: which operations create actions and which
request bodies to try, read from the spec where it says, from a short table where not."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from enode_codegen.generator.validate import iter_operations

from .catalog import request_example
from .spec import document, operations

__all__ = ["ActionFamily", "action_families", "candidate_bodies", "list_links"]


@dataclass(frozen=True)
class ActionFamily:
    create: str  # e.g. setBatteryOperationMode
    get: str  # getBatteryAction
    cancel: str  # cancelBatteryAction
    asset_param: str  # batteryId
    kind: str  # battery / charger / hvac (the mock's asset kind)


_KINDS = {"batteryId": "battery", "chargerId": "charger", "hvacId": "hvac", "vehicleId": "vehicle"}


def action_families(version: str) -> list[ActionFamily]:
    """Every operation whose answer links to an action's get and cancel operations."""
    doc = document(version)
    ops = operations(version)
    families = []
    for _path, _method, operation in iter_operations(doc):
        if "operationId" not in operation:
            continue
        targets = {}
        for response in operation.get("responses", {}).values():
            for link in (response.get("links") or {}).values():
                targets[link["operationId"]] = link
        gets = [t for t in targets if t.startswith("get") and t.endswith("Action")]
        cancels = [t for t in targets if t.startswith("cancel") and t.endswith("Action")]
        if gets and cancels:
            op = ops[operation["operationId"]]
            param = op.path_params[0]
            families.append(
                ActionFamily(op.operation_id, gets[0], cancels[0], param, _KINDS.get(param, ""))
            )
    return sorted(families, key=lambda f: f.create)


# bodies to try in order until the asset accepts one (capabilities differ per asset)
_BODIES: dict[str, list[Any]] = {
    "setBatteryOperationMode": [
        {"operationMode": mode}
        for mode in ("SELF_RELIANCE", "IMPORT_FOCUS", "TIME_OF_USE", "EXPORT_FOCUS", "IDLE")
    ],
    "controlChargerCharging": [{"action": "START"}, {"action": "STOP"}],
    "setChargerMaxCurrent": [{"maxCurrent": 16}, {"maxCurrent": 10}],
    "controlVehicleCharging": [{"action": "START"}, {"action": "STOP"}],
    "setVehicleMaxCurrent": [{"maxCurrent": 16}, {"maxCurrent": 10}],
    "setHvacFollowSchedule": [None],
    "setHvacPermanentHold": [
        {"mode": "HEAT", "heatSetpoint": 20},
        {"mode": "COOL", "coolSetpoint": 24},
        {"mode": "AUTO", "heatSetpoint": 19, "coolSetpoint": 25},
        {"mode": "OFF"},
    ],
}


def candidate_bodies(version: str, operation_id: str) -> list[Any]:
    bodies = list(_BODIES.get(operation_id, []))
    example = request_example(version, operation_id)
    if example is not None and example not in bodies:
        bodies.append(example)
    if not bodies:
        bodies.append(None)
    valid_modes = _enum(version, "BatteryOperationMode")
    if operation_id == "setBatteryOperationMode" and valid_modes:
        bodies = [b for b in bodies if b["operationMode"] in valid_modes]
    return bodies


def _enum(version: str, name: str) -> list[str]:
    schema = document(version)["components"]["schemas"].get(name) or {}
    return list(schema.get("enum", []))


def list_links(version: str) -> list[tuple[str, str, str, str]]:
    """(list operationId, get operationId, parameter, JSON pointer) of every list -> get link."""
    doc = document(version)
    found = []
    for _path, _method, operation in iter_operations(doc):
        if not operation.get("operationId", "").startswith("list"):
            continue
        response = operation.get("responses", {}).get("200", {})
        for link in (response.get("links") or {}).values():
            for name, expression in (link.get("parameters") or {}).items():
                pointer = str(expression).removeprefix("$response.body#")
                found.append((operation["operationId"], link["operationId"], name, pointer))
    return sorted(found)
