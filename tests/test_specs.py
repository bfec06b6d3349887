"""The four Enode-Version documents: valid, and different exactly where ENODE_FACTS.md says."""

from __future__ import annotations

from functools import cache
from typing import Any

import pytest

from enode_codegen.generator.paths import spec_file
from enode_codegen.generator.validate import iter_operations, validate_spec

VERSIONS = ["2023-04-01", "2023-08-01", "2024-01-01", "2024-10-01"]
LATER = VERSIONS[1:]


@cache
def doc(version: str) -> dict[str, Any]:
    return validate_spec(spec_file(version)).document


def resolve(version: str, node: Any) -> Any:
    while isinstance(node, dict) and "$ref" in node:
        target: Any = doc(version)
        for token in node["$ref"][2:].split("/"):
            target = target[token.replace("~1", "/").replace("~0", "~")]
        node = target
    return node


def operation(version: str, method: str, path: str) -> dict[str, Any] | None:
    return doc(version)["paths"].get(path, {}).get(method)


def success_schema(version: str, method: str, path: str) -> dict[str, Any]:
    op = operation(version, method, path)
    assert op is not None, f"{method.upper()} {path} missing in {version}"
    code = min(c for c in op["responses"] if c.startswith("2"))
    response = resolve(version, op["responses"][code])
    return resolve(version, response["content"]["application/json"]["schema"])


def properties(version: str, schema: Any) -> dict[str, Any]:
    """All properties of a schema, following $ref, allOf and the variants of oneOf/anyOf."""
    schema = resolve(version, schema)
    found = dict(schema.get("properties", {}))
    for key in ("allOf", "oneOf", "anyOf"):
        for member in schema.get(key, []):
            found.update(properties(version, member))
    return found


def enum_values(version: str, schema: Any) -> set[str]:
    schema = resolve(version, schema)
    values = set(schema.get("enum", []) or [])
    for key in ("anyOf", "oneOf"):
        for member in schema.get(key, []):
            values |= enum_values(version, member)
    return {v for v in values if v is not None}


def asset_schema(version: str, path: str) -> dict[str, Any]:
    return success_schema(version, "get", path)


ASSETS = {
    "battery": "/batteries/{batteryId}",
    "charger": "/chargers/{chargerId}",
    "hvac": "/hvacs/{hvacId}",
    "inverter": "/inverters/{inverterId}",
    "meter": "/meters/{meterId}",
}


@pytest.mark.parametrize("version", VERSIONS)
def test_version_validates_with_its_examples(version: str) -> None:
    result = validate_spec(spec_file(version))
    assert result.document["info"]["version"] == version
    assert result.operations >= 40
    assert result.schemas >= 40


@pytest.mark.parametrize("version", VERSIONS)
def test_every_operation_declares_the_version_header_defaulting_to_its_version(
    version: str,
) -> None:
    for path, method, op in iter_operations(doc(version)):
        headers = [resolve(version, p) for p in op.get("parameters", [])]
        [header] = [p for p in headers if p["in"] == "header" and p["name"] == "Enode-Version"]
        assert header["schema"]["default"] == version, f"{method} {path}"


@pytest.mark.parametrize("version", VERSIONS)
def test_every_operation_is_documented(version: str) -> None:
    for path, method, op in iter_operations(doc(version)):
        where = f"{version} {method.upper()} {path}"
        assert op.get("tags") and op.get("summary") and op.get("description"), where
        assert "400" in op["responses"], f"{where}: an unsupported Enode-Version must be documented"
        for code, response in op["responses"].items():
            response = resolve(version, response)
            if code.startswith(("4", "5")) and code != "409":
                assert list(response.get("content", {})) == ["application/problem+json"], (
                    f"{where} {code}"
                )


def test_operation_ids_are_stable_across_versions() -> None:
    seen: dict[tuple[str, str], str] = {}
    for version in VERSIONS:
        for path, method, op in iter_operations(doc(version)):
            key = (method, path)
            assert seen.setdefault(key, op["operationId"]) == op["operationId"], (
                f"{version} {method} {path}"
            )


def test_moved_operations_keep_their_operation_id() -> None:
    assert operation("2023-04-01", "post", "/schedules")["operationId"] == "createSchedule"
    for version in LATER:
        assert (
            operation(version, "post", "/users/{userId}/schedules")["operationId"]
            == "createSchedule"
        )
        assert operation(version, "get", "/users/{userId}/statistics/charging")["operationId"] == (
            "getChargingStatistics"
        )
    assert (
        operation("2023-04-01", "get", "/statistics/charging")["operationId"]
        == "getChargingStatistics"
    )


@pytest.mark.parametrize("version", VERSIONS)
def test_health_needs_no_token_vendor_reads_take_one_and_everything_else_needs_one(
    version: str,
) -> None:
    document = doc(version)
    assert document["security"] == [{"ClientCredentials": []}]
    flows = document["components"]["securitySchemes"]["ClientCredentials"]["flows"]
    assert (
        flows["clientCredentials"]["tokenUrl"] == "https://oauth.production.enode.io/oauth2/token"
    )
    health = operation(version, "get", "/health/ready")
    assert health["security"] == []
    assert set(health["responses"]) >= {"204", "503"}
    # Enode's two documents disagree on whether these need a token: optional (`{}`)
    optional = {p for p in document["paths"] if p.startswith("/health/")} - {"/health/ready"}
    optional.add("/integrations")
    for path in optional:
        assert operation(version, "get", path)["security"] == [{"ClientCredentials": []}, {}]
    others = [
        op
        for path, _m, op in iter_operations(document)
        if path != "/health/ready" and path not in optional
    ]
    assert all("security" not in op for op in others)
    assert {s["url"] for s in document["servers"]} == {
        "https://enode-api.production.enode.io",
        "https://enode-api.sandbox.enode.io",
    }


@pytest.mark.parametrize("version", VERSIONS)
def test_action_operations_link_to_get_and_cancel(version: str) -> None:
    creators = {
        ("post", "/batteries/{batteryId}/operation-mode"): (
            "getBatteryAction",
            "cancelBatteryAction",
        ),
        ("post", "/chargers/{chargerId}/charging"): ("getChargerAction", "cancelChargerAction"),
        ("post", "/chargers/{chargerId}/max-current"): ("getChargerAction", "cancelChargerAction"),
        ("post", "/hvacs/{hvacId}/permanent-hold"): ("getHvacAction", "cancelHvacAction"),
        ("post", "/hvacs/{hvacId}/follow-schedule"): ("getHvacAction", "cancelHvacAction"),
    }
    for (method, path), expected in creators.items():
        op = operation(version, method, path)
        assert op is not None, f"{version} {path}"
        links = next(r for c, r in op["responses"].items() if c.startswith("2"))["links"]
        targets = {link["operationId"]: link["parameters"] for link in links.values()}
        for target in expected:
            assert targets[target] == {"actionId": "$response.body#/id"}, (
                f"{version} {path} -> {target}"
            )
        action_props = properties(version, success_schema(version, method, path))
        assert {"id", "state", "targetId", "failureReason", "completedAt"} <= action_props.keys()


@pytest.mark.parametrize("version", VERSIONS)
def test_cancel_of_a_resolved_action_answers_409_with_the_action(version: str) -> None:
    for area in ("batteries", "chargers", "hvacs"):
        op = operation(version, "post", f"/{area}/actions/{{actionId}}/cancel")
        conflict = resolve(version, op["responses"]["409"])
        schema = resolve(version, conflict["content"]["application/json"]["schema"])
        assert "state" in properties(version, schema)


# --- the version differences of ENODE_FACTS.md ---------------------------------


def test_me_exists_in_2023_04_01_only() -> None:
    assert operation("2023-04-01", "get", "/me") is not None
    assert operation("2023-04-01", "delete", "/me/vendors/{vendor}") is not None
    assert operation("2023-04-01", "get", "/users/{userId}") is None
    for version in LATER:
        assert operation(version, "get", "/me") is None
        assert operation(version, "delete", "/me/vendors/{vendor}") is None


@pytest.mark.parametrize("version", LATER)
def test_user_endpoints_replace_me(version: str) -> None:
    user = properties(version, success_schema(version, "get", "/users/{userId}"))
    assert {"id", "linkedVendors"} <= user.keys()
    vendor = properties(version, resolve(version, user["linkedVendors"])["items"])
    assert {"vendor", "vendorType", "isValid"} <= vendor.keys()
    assert "204" in operation(version, "delete", "/users/{userId}/vendors/{vendor}")["responses"]
    assert "204" in operation(version, "delete", "/users/{userId}")["responses"]
    users = properties(version, success_schema(version, "get", "/users"))
    assert {"data", "pagination"} <= users.keys()


def _has_field_param(version: str, path: str) -> bool:
    op = operation(version, "get", path)
    return any(resolve(version, p)["name"] == "field" for p in op.get("parameters", []))


def test_field_parameter_exists_in_2023_04_01_only() -> None:
    for path in ("/chargers/{chargerId}", "/hvacs/{hvacId}", "/inverters/{inverterId}"):
        assert _has_field_param("2023-04-01", path)
        [field] = [
            resolve("2023-04-01", p)
            for p in operation("2023-04-01", "get", path)["parameters"]
            if resolve("2023-04-01", p)["name"] == "field"
        ]
        assert field["deprecated"] is True
    for version in LATER:
        for path, _method, op in iter_operations(doc(version)):
            assert all(resolve(version, p)["name"] != "field" for p in op.get("parameters", [])), (
                f"{version} {path}"
            )


@pytest.mark.parametrize("path", ["/hvacs", "/inverters"])
def test_id_array_lists_become_paginated(path: str) -> None:
    early = success_schema("2023-04-01", "get", path)
    assert early["type"] == "array" and resolve("2023-04-01", early["items"])["type"] == "string"
    for version in LATER:
        page = properties(version, success_schema(version, "get", path))
        assert {"data", "pagination"} <= page.keys()
        cursors = properties(version, page["pagination"])
        assert set(cursors) == {"after", "before"}
        params = {
            resolve(version, p)["name"] for p in operation(version, "get", path)["parameters"]
        }
        assert {"after", "before", "pageSize"} <= params


@pytest.mark.parametrize("version", LATER)
def test_client_wide_and_per_user_lists_are_paginated(version: str) -> None:
    for path in (
        "/chargers",
        "/users/{userId}/chargers",
        "/users/{userId}/hvacs",
        "/users/{userId}/inverters",
        "/users/{userId}/schedules",
        "/users",
    ):
        assert {"data", "pagination"} <= properties(
            version, success_schema(version, "get", path)
        ).keys(), path


def test_schedules_move_under_the_user() -> None:
    assert operation("2023-04-01", "post", "/schedules") is not None
    for version in LATER:
        assert operation(version, "post", "/schedules") is None
        assert operation(version, "get", "/schedules") is None
        assert operation(version, "get", "/users/{userId}/schedules") is not None
    for version in VERSIONS:
        for method in ("get", "put", "delete"):
            assert operation(version, method, "/schedules/{scheduleId}") is not None, (
                version,
                method,
            )


def test_charging_statistics_move_under_the_user() -> None:
    assert operation("2023-04-01", "get", "/statistics/charging") is not None
    for version in LATER:
        assert operation(version, "get", "/statistics/charging") is None
        assert operation(version, "get", "/users/{userId}/statistics/charging") is not None


def test_charging_location_id_is_renamed_location_id_then_replaced_by_location() -> None:
    assert "chargingLocationId" in properties(
        "2023-04-01", asset_schema("2023-04-01", ASSETS["hvac"])
    )
    for version in ("2023-08-01", "2024-01-01"):
        for name, path in ASSETS.items():
            props = properties(version, asset_schema(version, path))
            assert "chargingLocationId" not in props, (version, name)
        for name in ("battery", "charger", "hvac"):
            assert "locationId" in properties(version, asset_schema(version, ASSETS[name])), (
                version,
                name,
            )
    for name, path in ASSETS.items():
        props = properties("2024-10-01", asset_schema("2024-10-01", path))
        assert "locationId" not in props and "chargingLocationId" not in props, name
        location = resolve("2024-10-01", props["location"])
        location_props = properties("2024-10-01", location)
        # chargers: no GPS; HVAC units: no GPS either (Enode's 2024-10-01 document), and
        # `lastUpdated` optional (spec/enode-published/errata.yaml)
        expected = {"charger": {"id", "lastUpdated"}, "hvac": {"id", "lastUpdated"}}.get(
            name, {"id", "lastUpdated", "longitude", "latitude"}
        )
        assert set(location_props) == expected, name
        for field_name, schema in location_props.items():
            schema = resolve("2024-10-01", schema)
            types = schema.get("type", [])
            assert "null" in types or any(
                m.get("type") == "null" for m in schema.get("anyOf", [])
            ), field_name


def test_link_endpoint_changes_in_2024_01_01() -> None:
    def body(version: str) -> dict[str, Any]:
        op = operation(version, "post", "/users/{userId}/link")
        return resolve(
            version, resolve(version, op["requestBody"])["content"]["application/json"]["schema"]
        )

    for version in ("2023-04-01", "2023-08-01"):
        assert "linkState" in properties(
            version, success_schema(version, "post", "/users/{userId}/link")
        )
        assert {"forceLanguage", "username"} <= properties(version, body(version)).keys()
    for version in ("2024-01-01", "2024-10-01"):
        response = properties(version, success_schema(version, "post", "/users/{userId}/link"))
        assert {"linkUrl", "linkToken"} <= response.keys() and "linkState" not in response
        request = body(version)
        assert {"language", "scopes", "redirectUri"} <= set(request["required"])
        # 2024-10-01 (Enode's published document): without vendorType, the scopes decide
        assert ("vendorType" in request["required"]) == (version == "2024-01-01")
        props = properties(version, request)
        assert "colorScheme" in props and "forceLanguage" not in props and "username" not in props


def test_battery_operation_mode_gains_idle_in_2024_10_01() -> None:
    for version in VERSIONS:
        config = properties(
            version, properties(version, asset_schema(version, ASSETS["battery"]))["config"]
        )
        modes = enum_values(version, config["operationMode"])
        assert {"IMPORT_FOCUS", "EXPORT_FOCUS", "TIME_OF_USE", "SELF_RELIANCE"} <= modes
        assert ("IDLE" in modes) == (version == "2024-10-01"), version


def test_hvac_mode_may_be_unknown_in_2024_10_01() -> None:
    for version in VERSIONS:
        hvac = properties(version, asset_schema(version, ASSETS["hvac"]))
        thermostat = properties(version, resolve(version, hvac["thermostatState"]))
        modes = enum_values(version, thermostat["mode"])
        assert ("UNKNOWN" in modes) == (version == "2024-10-01"), version
        # the deprecated top-level copy is gone from 2024-10-01 (Enode's published document)
        assert ("mode" in hvac) == (version != "2024-10-01"), version


def test_inverter_serial_number_and_statistics_in_2024_10_01() -> None:
    for version in VERSIONS:
        info = properties(
            version, properties(version, asset_schema(version, ASSETS["inverter"]))["information"]
        )
        assert ("sn" in info) == (version == "2024-10-01"), version
        assert (operation(version, "get", "/inverters/{inverterId}/statistics") is not None) == (
            version == "2024-10-01"
        )
    stats = operation("2024-10-01", "get", "/inverters/{inverterId}/statistics")
    params = {
        resolve("2024-10-01", p)["name"]: resolve("2024-10-01", p) for p in stats["parameters"]
    }
    assert (
        params["year"]["required"]
        and params["month"]["required"]
        and not params["day"].get("required")
    )
    assert {"200", "202"} <= set(stats["responses"])
