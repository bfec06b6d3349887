"""Named checks of version shapes: the same asset read with every Enode-Version has each
version's shape (renamed fields, enum values a version does not know).

Read-only checks run against a read-only live target too; the others skip there.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import strategies as st

from .behaviour import (
    LOCATION_KEYS,
    SAMPLES,
    VERSIONS,
    asset_routes,
    fresh,  # noqa: F401  (autouse: a reset target per check)
    full_list,
    run_property,
)
from .checks import Sequence
from .options import Options
from .spec import operations, resolved, response_schema
from .targets import Target

__all__: list[str] = []

ASSET_GETS = sorted({get for v in VERSIONS for get in asset_routes(v).values() if get != "getUser"})


def _location_id(body: dict[str, Any]) -> Any:
    for key in LOCATION_KEYS:
        if key in body:
            value = body[key]
            return value.get("id") if isinstance(value, dict) else value
    return None


def _enum_of(version: str, schema: Any) -> list[Any] | None:
    schema = resolved(version, schema)
    if not isinstance(schema, dict):
        return None
    if "enum" in schema:
        return [value for value in schema["enum"] if value is not None]
    for key in ("anyOf", "oneOf", "allOf"):
        for member in schema.get(key, []):
            found = _enum_of(version, member)
            if found is not None:
                return found
    return None


def _properties(version: str, schema: Any) -> dict[str, Any]:
    schema = resolved(version, schema)
    if not isinstance(schema, dict):
        return {}
    props = dict(schema.get("properties", {}))
    for key in ("anyOf", "oneOf", "allOf"):
        for member in schema.get(key, []):
            props.update(_properties(version, member))
    return props


def _enum_differences(version: str, schema: Any, newest: Any, older: Any, path: str) -> list[str]:
    """Where `older` (read in `version`) shows an enum value other than the newest
    version's, or one `version` does not know."""
    known = _enum_of(version, schema)
    if known is not None and (isinstance(newest, str) or isinstance(older, str)):
        expected = newest if newest in known else None
        return [] if older == expected else [f"{path}: {older!r}, expected {expected!r}"]
    if isinstance(newest, dict) and isinstance(older, dict):
        found = []
        for name, sub in _properties(version, schema).items():
            if name in newest and name in older:
                found += _enum_differences(
                    version, sub, newest[name], older[name], f"{path}/{name}"
                )
        return found
    return []


@pytest.mark.parametrize("get_op", ASSET_GETS)
def test_versions(get_op: str, target: Target, known_ids: dict[str, Any], options: Options) -> None:
    """Every entity of the kind (its client-wide list in each version, and a drawn sample
    through `get_op`) read under every selected Enode-Version: each version's location
    field, the same location everywhere, enum values only as the version knows them."""
    versions = [v for v in VERSIONS if get_op in operations(v)]
    newest = versions[-1]
    param = operations(newest)[get_op].path_params[0]
    shared = set.intersection(*(set(known_ids[v].get(param, [])) for v in versions))
    if not shared:
        pytest.skip(f"{get_op}: no entity known in every version")
    lists = {
        v: next((lst for lst, get in asset_routes(v).items() if get == get_op), None)
        for v in versions
    }

    def read_everywhere(data: st.DataObject) -> None:
        seq = Sequence(target, newest)
        ids = data.draw(
            st.lists(st.sampled_from(sorted(shared)), min_size=1, max_size=3, unique=True),
            label="entities",
        )
        bodies: dict[str, dict[str, Any]] = {v: {} for v in versions}
        for version in versions:
            listed = lists[version]
            if listed is not None:
                for item in full_list(seq, listed, {}, version):
                    if isinstance(item, dict) and "id" in item:
                        bodies[version][item["id"]] = item
            for entity_id in ids:
                reply = seq.send(get_op, path_parameters={param: entity_id}, version=version)
                if reply.status == 200:
                    bodies[version][entity_id] = reply.body
        for version in versions:
            declared = set(_properties(version, response_schema(version, get_op)))
            wanted = [key for key in LOCATION_KEYS if key in declared]
            wrong_shape = {
                entity_id: [key for key in LOCATION_KEYS if key in body]
                for entity_id, body in bodies[version].items()
                if [key for key in LOCATION_KEYS if key in body] != wanted
            }
            seq.expect(
                "version_shape",
                not wrong_shape,
                f"{get_op} in {version}: {len(wrong_shape)} entities carry another location "
                f"field than the version documents ({wanted}), e.g. "
                + "; ".join(f"{k}: {v}" for k, v in list(wrong_shape.items())[:3]),
                version=version,
            )
        for entity_id, latest in bodies[newest].items():
            seen = {v: bodies[v][entity_id] for v in versions if entity_id in bodies[v]}
            locations = {v: _location_id(body) for v, body in seen.items()}
            seq.expect(
                "version_shape",
                len(set(locations.values())) <= 1,
                f"{get_op} {entity_id}: the location differs between versions: {locations}",
            )
            for version, body in seen.items():
                wrong = _enum_differences(
                    version, response_schema(version, get_op), latest, body, ""
                )
                seq.expect(
                    "version_enum",
                    not wrong,
                    f"{get_op} {entity_id} in {version} (vs {newest}): " + "; ".join(wrong[:4]),
                    version=version,
                )

    run_property(f"versions {get_op}", SAMPLES, read_everywhere, target)
