"""What the behaviour checks (`test_behaviour_*.py`) share: the versions under test, a
property run seeded from `--seed`, and reading whole lists (one large page, further pages
if the target caps the size)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import strategies as st

from .checks import Sequence
from .options import current
from .scenarios import list_links
from .seeded import run_seeded
from .spec import operations, query_params
from .targets import Target
from .transports import budget_spent

__all__ = [
    "LARGE_PAGE",
    "LIST_ONLY_FIELDS",
    "LOCATION_KEYS",
    "SAMPLES",
    "STABLE_KEYS",
    "TERMINAL",
    "VERSIONS",
    "asset_routes",
    "client_wide",
    "fresh",
    "full_list",
    "is_paginated",
    "items_of",
    "key_of",
    "owners_to_walk",
    "run_property",
]

VERSIONS = current().versions
TERMINAL = frozenset({"CONFIRMED", "FAILED", "CANCELLED"})
LARGE_PAGE = 1000
SAMPLES = current().profile.sampling_examples
LOCATION_KEYS = ("chargingLocationId", "locationId", "location")
STABLE_KEYS = ("id", "userId", "vendor", "information", "capabilities", "scopes")


@pytest.fixture(autouse=True)
def fresh(target: Target, known_ids: dict[str, Any]) -> None:
    """Every check starts from a freshly reset target."""
    target.reset()


# Fields Enode's list entries carry and its single-entity answer does not (S1,
# docs/enode-surface-facts.md section 7: GET /users entries have createdAt and scopes,
# GET /users/{userId} has neither).
LIST_ONLY_FIELDS: dict[tuple[str, str], frozenset[str]] = {
    ("listUsers", "getUser"): frozenset({"createdAt", "scopes"}),
}


def run_property(
    label: str, examples: int, body: Callable[[st.DataObject], None], target: Target
) -> None:
    """Run `body` on `examples` hypothesis draws, seeded from --seed and `label`; the target
    is reset before each (a failing draw is reported, not shrunk)."""

    def example(data: st.DataObject) -> None:
        target.reset()
        try:
            body(data)
        except Exception as error:
            # a skip leaves hypothesis at once; as an error it would be replayed, and the
            # replay (refused at its first request) would look like a flaky strategy
            spent = budget_spent(error)
            if spent is None:
                raise
            pytest.skip(spent)

    run_seeded(label, examples, example)


def is_paginated(version: str, operation_id: str) -> bool:
    return "pageSize" in query_params(version, operation_id)


def items_of(body: Any) -> list[Any]:
    return list(body["data"]) if isinstance(body, dict) and "data" in body else list(body or [])


def key_of(item: Any) -> Any:
    return item.get("id") if isinstance(item, dict) else item


def full_list(
    seq: Sequence, op_id: str, params: dict[str, str], version: str | None = None
) -> list[Any]:
    """Every item of a list: one large page, further pages if the target caps the size."""
    if not is_paginated(version or seq.version, op_id):
        reply = seq.send(op_id, path_parameters=params, version=version)
        return items_of(reply.body) if reply.status == 200 else []
    items: list[Any] = []
    query: dict[str, Any] = {"pageSize": LARGE_PAGE}
    for _ in range(100):
        reply = seq.send(op_id, path_parameters=params, query=query, version=version)
        if reply.status != 200:
            return items
        items += items_of(reply.body)
        after = reply.body["pagination"]["after"]
        if after is None or after == query.get("after"):
            return items
        query = {"pageSize": LARGE_PAGE, "after": after}
    return items


def client_wide(version: str, op_id: str) -> str | None:
    """The client-wide list of a per-user list (listUserBatteries -> listBatteries)."""
    other = op_id.replace("listUser", "list")
    ops = operations(version)
    if other != op_id and other in ops and not ops[other].path_params:
        return other
    return None


def owners_to_walk(
    seq: Sequence, data: st.DataObject, op_id: str, known: dict[str, list[str]]
) -> list[dict[str, str]]:
    """Path parameters of a list to walk: none, or the owner with the most entities and
    one other drawn owner."""
    op = operations(seq.version)[op_id]
    if not op.path_params:
        return [{}]
    param = op.path_params[0]
    candidates = known.get(param, [])
    if not candidates:
        return []
    wide = client_wide(seq.version, op_id)
    if wide is not None:
        counts = Counter(
            item.get(param) for item in full_list(seq, wide, {}) if isinstance(item, dict)
        )
        richest = max(candidates, key=lambda c: (counts.get(c, 0), c))
    else:
        sizes = {c: len(full_list(seq, op_id, {param: c})) for c in candidates}
        richest = max(candidates, key=lambda c: (sizes[c], c))
    other = data.draw(st.sampled_from(candidates), label=f"other {param}")
    return [{param: value} for value in dict.fromkeys([richest, other])]


def asset_routes(version: str) -> dict[str, str]:
    """Client-wide list -> the get operation of its entities (listBatteries -> getBattery)."""
    found = {}
    for lst, get, param, pointer in list_links(version):
        ops = operations(version)
        if (
            not ops[lst].path_params
            and ops[get].path_params == (param,)
            and pointer.endswith("/id")
            and is_paginated(version, lst)
        ):
            found[lst] = get
    return found
