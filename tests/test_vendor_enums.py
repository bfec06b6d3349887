"""Per-asset-type vendor enums are open in the generated clients (issue 12): Enode adds
vendors without a new API version, so a vendor the client does not know must parse (and
strict mode must report it), in every version: spec -> generated/ -> import -> call."""

from __future__ import annotations

import importlib
from typing import Any

import httpx
import pytest
from schema_instances import instance

from enode_codegen.generator.paths import spec_file
from enode_codegen.generator.validate import validate_spec

VERSIONS = ["2023-04-01", "2023-08-01", "2024-01-01", "2024-10-01"]
# asset schema -> (its vendor enum, the client method that reads one, its path prefix)
ASSETS = {
    "Battery": ("BatteryVendor", "get_battery", "/batteries/"),
    "Charger": ("ChargerVendor", "get_charger", "/chargers/"),
    "Hvac": ("HvacVendor", "get_hvac", "/hvacs/"),
    "Inverter": ("InverterVendor", "get_inverter", "/inverters/"),
    "Meter": ("MeterVendor", "get_meter", "/meters/"),
}
ASSET_ID = "4eaeb363-296d-4ccc-a973-7805e6f400bd"


def _method(client: Any, name: str) -> Any:
    """The client method `name`, on whichever resource the generator put it."""
    for attribute in dir(client):
        if attribute.startswith("_"):
            continue
        method = getattr(getattr(client, attribute), name, None)
        if callable(method):
            return method
    raise AssertionError(f"no resource of the client has {name}")


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("asset", sorted(ASSETS))
def test_an_unknown_vendor_parses_and_strict_mode_reports_it(version: str, asset: str) -> None:
    document = validate_spec(spec_file(version)).document
    schemas = document["components"]["schemas"]
    enum_name, method_name, prefix = ASSETS[asset]
    assert schemas[asset]["properties"]["vendor"] == {"$ref": f"#/components/schemas/{enum_name}"}
    known = schemas[enum_name]["enum"]
    assert len(known) >= 5 and "NEWVENDOR" not in known
    body = instance(schemas[asset], document)
    body.update(id=ASSET_ID, vendor="NEWVENDOR")

    def handler(request: httpx.Request) -> httpx.Response:
        assert request.url.path == prefix + ASSET_ID
        return httpx.Response(200, json=body)

    pkg = importlib.import_module(f"enode_{version.replace('-', '_')}")
    with pkg.Client(
        access_token="t", base_url="https://enode.test", transport=httpx.MockTransport(handler)
    ) as client:
        parsed = _method(client, method_name)(ASSET_ID)
        assert parsed.vendor == "NEWVENDOR" and not parsed.vendor.is_known
        assert type(parsed.vendor) is getattr(pkg.models, enum_name)
        body["vendor"] = known[0]
        assert _method(client, method_name)(ASSET_ID).vendor.is_known
    body["vendor"] = "NEWVENDOR"
    with (
        pkg.Client(
            access_token="t",
            base_url="https://enode.test",
            transport=httpx.MockTransport(handler),
            strict=True,
        ) as strict,
        pytest.raises(pkg.StrictModeError, match="NEWVENDOR"),
    ):
        _method(strict, method_name)(ASSET_ID)
