"""Named checks (checks.py) of what the spec's schemas cannot say: pagination walks, the
action lifecycle, reads that must agree, version shapes, refresh hints and health.

Property-based where it fits: hypothesis draws page sizes, pages, owners, entities and
action step sequences, seeded from the run's `--seed` (and the test), so a seed reproduces
a run. Read-only checks run against a read-only live target too; the others skip there.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import strategies as st

from .checks import Sequence, skip_unless_writes
from .options import Options, current
from .scenarios import ActionFamily, action_families, candidate_bodies, list_links
from .seeded import run_seeded
from .spec import operations, query_params, resolved, response_schema
from .targets import Target, budget_spent

VERSIONS = current().versions
TERMINAL = frozenset({"CONFIRMED", "FAILED", "CANCELLED"})
LARGE_PAGE = 1000
SAMPLES = current().profile.sampling_examples
LOCATION_KEYS = ("chargingLocationId", "locationId", "location")
STABLE_KEYS = ("id", "userId", "vendor", "information", "capabilities", "scopes")


@pytest.fixture(autouse=True)
def _fresh(target: Target, known_ids: dict[str, Any]) -> None:
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


def _is_paginated(version: str, operation_id: str) -> bool:
    return "pageSize" in query_params(version, operation_id)


def _items(body: Any) -> list[Any]:
    return list(body["data"]) if isinstance(body, dict) and "data" in body else list(body or [])


def _key(item: Any) -> Any:
    return item.get("id") if isinstance(item, dict) else item


def _full_list(
    seq: Sequence, op_id: str, params: dict[str, str], version: str | None = None
) -> list[Any]:
    """Every item of a list: one large page, further pages if the target caps the size."""
    if not _is_paginated(version or seq.version, op_id):
        reply = seq.send(op_id, path_parameters=params, version=version)
        return _items(reply.body) if reply.status == 200 else []
    items: list[Any] = []
    query: dict[str, Any] = {"pageSize": LARGE_PAGE}
    for _ in range(100):
        reply = seq.send(op_id, path_parameters=params, query=query, version=version)
        if reply.status != 200:
            return items
        items += _items(reply.body)
        after = reply.body["pagination"]["after"]
        if after is None or after == query.get("after"):
            return items
        query = {"pageSize": LARGE_PAGE, "after": after}
    return items


def _client_wide(version: str, op_id: str) -> str | None:
    """The client-wide list of a per-user list (listUserBatteries -> listBatteries)."""
    other = op_id.replace("listUser", "list")
    ops = operations(version)
    if other != op_id and other in ops and not ops[other].path_params:
        return other
    return None


def _owners(
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
    wide = _client_wide(seq.version, op_id)
    if wide is not None:
        counts = Counter(
            item.get(param) for item in _full_list(seq, wide, {}) if isinstance(item, dict)
        )
        richest = max(candidates, key=lambda c: (counts.get(c, 0), c))
    else:
        sizes = {c: len(_full_list(seq, op_id, {param: c})) for c in candidates}
        richest = max(candidates, key=lambda c: (sizes[c], c))
    other = data.draw(st.sampled_from(candidates), label=f"other {param}")
    return [{param: value} for value in dict.fromkeys([richest, other])]


# --- refresh hints and health ------------------------------------------------------------

REFRESH = [
    (v, op.operation_id, op.path_params[0])
    for v in VERSIONS
    for op in sorted(operations(v).values(), key=lambda o: o.operation_id)
    if op.path.endswith("/refresh-hint")
]


@pytest.mark.parametrize(
    ("version", "op_id", "param"), REFRESH, ids=[f"{v}-{o}" for v, o, _ in REFRESH]
)
def test_refresh_hint(
    version: str,
    op_id: str,
    param: str,
    target: Target,
    known_ids: dict[str, Any],
    options: Options,
) -> None:
    """A refresh hint answers 204 for a known asset and 404 for an unknown one."""
    skip_unless_writes(options, "refresh_hint")
    known = known_ids[version].get(param, [])

    def hint(data: st.DataObject) -> None:
        seq = Sequence(target, version)
        if known:
            asset = data.draw(st.sampled_from(known), label=param)
            reply = seq.send(op_id, path_parameters={param: asset})
            seq.expect("refresh_hint", reply.status == 204, f"{asset}: {reply.status}, not 204")
        unknown = str(uuid.UUID(int=data.draw(st.integers(1, 2**64), label="unknown id")))
        reply = seq.send(op_id, path_parameters={param: unknown})
        seq.expect("refresh_hint", reply.status == 404, f"{unknown}: {reply.status}, not 404")

    run_property(f"refresh {version} {op_id}", SAMPLES, hint, target)


@pytest.mark.parametrize("version", VERSIONS)
def test_health_ready(version: str, target: Target) -> None:
    """`GET /health/ready` needs no token: 204 when ready; 503 problem when not (mock)."""
    seq = Sequence(target, version)
    ready = seq.send("checkHealthReady", authenticated=False)
    seq.expect("health_ready", ready.status == 204, f"ready: {ready.status}, not 204")
    if target.admin is None:
        return
    target.admin.set_ready(False)
    try:
        down = seq.send("checkHealthReady", authenticated=False)
        kind = str(down.headers.get("content-type"))
        seq.expect(
            "health_ready",
            down.status == 503 and "application/problem+json" in kind,
            f"not ready: {down.status} {kind}, not a 503 problem",
        )
    finally:
        target.admin.set_ready(True)


# --- reads agree -------------------------------------------------------------------------

READ_LINKS = [
    (v, lst, get, param, pointer)
    for v in VERSIONS
    for lst, get, param, pointer in list_links(v)
    if not operations(v)[get].path_params[1:]
]


def _container(pointer: str) -> tuple[list[str], str | None]:
    """(path to the list, key of the ID in an item) of a link pointer like /data/0/id."""
    parts = pointer.lstrip("/").split("/")
    index = next(i for i, part in enumerate(parts) if part.isdigit())
    rest = parts[index + 1 :]
    return parts[:index], (rest[0] if rest else None)


def _comparable(item: Any, live: bool) -> Any:
    if not live or not isinstance(item, dict):
        return item
    return {key: item.get(key) for key in STABLE_KEYS if key in item}


@pytest.mark.parametrize(
    ("version", "list_op", "get_op", "param", "pointer"),
    READ_LINKS,
    ids=[f"{v}-{lst}-{get}" for v, lst, get, _, _ in READ_LINKS],
)
def test_list_get_agree(
    version: str,
    list_op: str,
    get_op: str,
    param: str,
    pointer: str,
    target: Target,
    known_ids: dict[str, Any],
    options: Options,
) -> None:
    """A drawn sample of listed entities reads the same through the link's get operation:
    every field of the list item (live: of the fields that do not change between reads)."""
    _, key = _container(pointer)

    def sample(data: st.DataObject) -> None:
        seq = Sequence(target, version)
        for params in _owners(seq, data, list_op, known_ids[version]):
            items = _full_list(seq, list_op, params)
            if not items:
                continue
            chosen = data.draw(
                st.lists(st.sampled_from(range(len(items))), min_size=1, max_size=5, unique=True),
                label="listed entities",
            )
            for index in sorted(chosen):
                item = items[index]
                entity_id = item.get(key) if key and isinstance(item, dict) else item
                reply = seq.send(get_op, path_parameters={param: entity_id})
                seq.expect(
                    "list_get_agree",
                    reply.status == 200,
                    f"{list_op} lists {entity_id}, {get_op} answers {reply.status}",
                )
                if key is None or key != "id":
                    continue  # an ID list, or a link to another entity: nothing to compare
                listed, single = (
                    _comparable(item, options.live),
                    _comparable(reply.body, options.live),
                )
                # every field the list shows (a list may show a summary) reads the same
                only_listed = LIST_ONLY_FIELDS.get((list_op, get_op), frozenset())
                differs = sorted(
                    k
                    for k in listed
                    if k not in only_listed and (k not in single or listed[k] != single[k])
                )
                seq.expect(
                    "list_get_agree",
                    not differs,
                    f"{entity_id}: {list_op} and {get_op} disagree on {differs}: "
                    + "; ".join(
                        f"{k}: {listed.get(k)!r} vs {single.get(k)!r}" for k in differs[:3]
                    ),
                )

    run_property(f"list-get {version} {list_op} {get_op}", SAMPLES, sample, target)


USER_LISTS = [
    (v, op.operation_id)
    for v in VERSIONS
    for op in sorted(operations(v).values(), key=lambda o: o.operation_id)
    if op.method == "GET" and op.path_params == ("userId",) and _client_wide(v, op.operation_id)
]


@pytest.mark.parametrize(("version", "op_id"), USER_LISTS, ids=[f"{v}-{o}" for v, o in USER_LISTS])
def test_user_list_filter(
    version: str, op_id: str, target: Target, known_ids: dict[str, Any], options: Options
) -> None:
    """A list under /users/{userId} holds exactly the user's entities of the full list."""
    wide = _client_wide(version, op_id)
    assert wide is not None

    def owners(data: st.DataObject) -> None:
        seq = Sequence(target, version)
        everything = [item for item in _full_list(seq, wide, {}) if isinstance(item, dict)]
        users = known_ids[version].get("userId", [])
        by_user = Counter(item.get("userId") for item in everything)
        drawn = data.draw(
            st.lists(st.sampled_from(users), min_size=1, max_size=3, unique=True), label="users"
        )
        richest = max(users, key=lambda u: (by_user.get(u, 0), u))
        for user in dict.fromkeys([richest, *drawn]):
            mine = _full_list(seq, op_id, {"userId": user})
            foreign = [item.get("id") for item in mine if item.get("userId") != user]
            seq.expect(
                "user_list_filter",
                not foreign,
                f"{op_id} for {user} holds {foreign[:5]} of other users",
            )
            expected = {str(item.get("id")) for item in everything if item.get("userId") == user}
            got = {str(item.get("id")) for item in mine}
            seq.expect(
                "user_list_filter",
                got == expected,
                f"{op_id} for {user}: {len(got)} entities, {wide} has {len(expected)} of theirs; "
                f"missing {sorted(expected - got)[:5]}, extra {sorted(got - expected)[:5]}",
            )

    run_property(f"user-list {version} {op_id}", SAMPLES, owners, target)


def _user_routes(version: str) -> list[str]:
    """GET operations addressed by a userId alone (no other required input)."""
    return [
        op.operation_id
        for op in sorted(operations(version).values(), key=lambda o: o.operation_id)
        if op.method == "GET"
        and op.path_params == ("userId",)
        and not any(query_params(version, op.operation_id).values())
    ]


def _asset_routes(version: str) -> dict[str, str]:
    """Client-wide list -> the get operation of its entities (listBatteries -> getBattery)."""
    found = {}
    for lst, get, param, pointer in list_links(version):
        ops = operations(version)
        if (
            not ops[lst].path_params
            and ops[get].path_params == (param,)
            and pointer.endswith("/id")
            and _is_paginated(version, lst)
        ):
            found[lst] = get
    return found


@pytest.mark.parametrize("version", VERSIONS)
def test_deleted_is_gone(
    version: str, target: Target, known_ids: dict[str, Any], options: Options
) -> None:
    """Delete a drawn user (and a drawn schedule): every route that reached it answers 404."""
    skip_unless_writes(options, "deleted_is_gone")
    if options.live:
        pytest.skip("deleted_is_gone deletes a drawn user and schedule: never on a live account")
    ops = operations(version)

    def delete(data: st.DataObject) -> None:
        seq = Sequence(target, version)
        reached: list[tuple[str, dict[str, str]]] = []
        if "deleteUser" in ops:
            owners = {
                item.get("userId")
                for lst in _asset_routes(version)
                for item in _full_list(seq, lst, {})
                if isinstance(item, dict)
            }
            users = known_ids[version].get("userId", [])
            # a user with assets, so their routes reach more than the user
            users = sorted(owners & set(users)) or users
            user = data.draw(st.sampled_from(users), label="user to delete")
            routes = [(op_id, {"userId": user}) for op_id in _user_routes(version)]
            for lst, get in _asset_routes(version).items():
                param = ops[get].path_params[0]
                for item in _full_list(seq, lst, {}):
                    if isinstance(item, dict) and item.get("userId") == user:
                        routes.append((get, {param: item["id"]}))
            if len(routes) > 32:  # every route of a seeded user; a sample of bigger ones
                # indices: the routes hold dicts, which `unique=True` cannot hash
                picked = data.draw(
                    st.lists(
                        st.sampled_from(range(1, len(routes))), min_size=8, max_size=15, unique=True
                    ),
                    label="routes to probe",
                )
                routes = routes[:1] + [routes[i] for i in picked]
            for op_id, params in routes:
                if seq.send(op_id, path_parameters=params).status == 200:
                    reached.append((op_id, params))
            deleted = seq.send("deleteUser", path_parameters={"userId": user})
            seq.expect(
                "deleted_is_gone", deleted.status == 204, f"DELETE user answered {deleted.status}"
            )
        schedules = known_ids[version].get("scheduleId", [])
        if schedules and "deleteSchedule" in ops:
            schedule = data.draw(st.sampled_from(schedules), label="schedule to delete")
            if seq.send("getSchedule", path_parameters={"scheduleId": schedule}).status == 200:
                gone = seq.send("deleteSchedule", path_parameters={"scheduleId": schedule})
                seq.expect(
                    "deleted_is_gone",
                    gone.status in (200, 204),
                    f"DELETE schedule answered {gone.status}",
                )
                reached.append(("getSchedule", {"scheduleId": schedule}))
        for op_id, params in reached:
            after = seq.send(op_id, path_parameters=params)
            seq.expect(
                "deleted_is_gone",
                after.status == 404,
                f"{op_id} {params} answered {after.status} after the delete, 200 before it",
            )

    run_property(f"delete {version}", SAMPLES, delete, target)


# --- versions ----------------------------------------------------------------------------

ASSET_GETS = sorted(
    {get for v in VERSIONS for get in _asset_routes(v).values() if get != "getUser"}
)


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
        v: next((lst for lst, get in _asset_routes(v).items() if get == get_op), None)
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
                for item in _full_list(seq, listed, {}, version):
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


# --- pagination ------------------------------------------------------------------------

PAGINATED = [
    (version, op.operation_id)
    for version in VERSIONS
    for op in sorted(operations(version).values(), key=lambda o: o.operation_id)
    if op.method == "GET" and _is_paginated(version, op.operation_id)
]


@dataclass
class Page:
    query: dict[str, Any]
    keys: list[Any]
    after: str | None
    before: str | None


def _walk(seq: Sequence, op_id: str, params: dict[str, str], size: int, total: int) -> list[Page]:
    pages: list[Page] = []
    cursors: set[str] = set()
    seen: set[Any] = set()
    query: dict[str, Any] = {"pageSize": size}
    where = f"{op_id} {params or ''} pageSize={size}".replace(" {}", "")
    while True:
        number = len(pages) + 1
        reply = seq.send(
            op_id,
            path_parameters=params,
            query=query,
            shape_check="pagination_page_shape" if pages else None,
        )
        seq.expect(
            "pagination_page_shape",
            reply.status == 200,
            f"{where}: page {number} answered {reply.status}",
        )
        items = _items(reply.body)
        cursors_now = reply.body["pagination"]
        page = Page(
            dict(query), [_key(i) for i in items], cursors_now["after"], cursors_now["before"]
        )
        seq.expect(
            "pagination_page_size",
            len(items) <= size,
            f"{where}: page {number} holds {len(items)} items",
        )
        twice = [key for key in page.keys if key in seen]
        seq.expect(
            "pagination_no_duplicates",
            not twice and len(set(page.keys)) == len(page.keys),
            f"{where}: page {number} repeats {twice or page.keys} from earlier pages",
        )
        seen.update(page.keys)
        if not pages:
            seq.expect(
                "pagination_last_page",
                page.before is None,
                f"{where}: the first page's `before` is {page.before!r}, not null",
            )
        pages.append(page)
        if page.after is None:
            return pages
        seq.expect(
            "pagination_last_page",
            len(seen) < total,
            f"{where}: page {number} holds the last of the {total} items, but its `after` is "
            f"{page.after!r}, not null",
        )
        seq.expect(
            "pagination_cursor_advances",
            page.after not in cursors and page.after != query.get("after"),
            f"{where}: page {number}'s `after` {page.after!r} was already issued "
            f"(a client walking the pages would loop)",
        )
        seq.expect(
            "pagination_cursor_advances",
            number <= total + 1,
            f"{where}: {number} pages for {total} items and still a next cursor",
        )
        cursors.add(page.after)
        query = {"pageSize": size, "after": page.after}


def _check_walk(
    seq: Sequence,
    data: st.DataObject,
    op_id: str,
    params: dict[str, str],
    size: int,
    full: list[Any],
) -> None:
    pages = _walk(seq, op_id, params, size, len(full))
    where = f"{op_id} {params or ''} pageSize={size}".replace(" {}", "")
    union = [key for page in pages for key in page.keys]
    missing = [k for k in full if k not in union][:5]
    extra = [k for k in union if k not in full][:5]
    seq.expect(
        "pagination_union",
        union == full,
        f"{where}: the {len(pages)} pages hold {len(union)} items "
        f"{'in another order or other items' if len(union) == len(full) else ''} than the "
        f"{len(full)} of the full list (pageSize={LARGE_PAGE}); missing "
        f"{missing}, extra {extra}",
    )
    if len(pages) < 2:
        return
    picked = data.draw(
        # never more distinct pages than there are: a unique list over a smaller domain makes
        # hypothesis's draws depend on rejections (FlakyStrategyDefinition on 2-4 item lists)
        st.lists(
            st.integers(1, len(pages) - 1),
            min_size=1,
            max_size=min(3, len(pages) - 1),
            unique=True,
        ),
        label=f"pages to go back from (pageSize={size})",
    )
    for n in sorted(picked):
        page = pages[n]
        seq.expect(
            "pagination_before",
            page.before is not None,
            f"{where}: page {n + 1}'s `before` is null, but page {n} precedes it",
        )
        reply = seq.send(
            op_id,
            path_parameters=params,
            query={"pageSize": size, "before": page.before},
            shape_check="pagination_page_shape",
        )
        got = [_key(item) for item in _items(reply.body)] if reply.status == 200 else reply.status
        seq.expect(
            "pagination_before",
            got == pages[n - 1].keys,
            f"{where}: `before` of page {n + 1} answered {got}, page {n} is {pages[n - 1].keys}",
        )


@pytest.mark.parametrize(("version", "op_id"), PAGINATED, ids=[f"{v}-{o}" for v, o in PAGINATED])
def test_pagination(
    version: str, op_id: str, target: Target, known_ids: dict[str, Any], options: Options
) -> None:
    """Walk every page with pageSize 1, 2 and a drawn size that does not divide the total."""

    def walk_all(data: st.DataObject) -> None:
        seq = Sequence(target, version)
        owners = _owners(seq, data, op_id, known_ids[version])
        if not owners:
            pytest.skip(f"{op_id}: no owner known")
        for params in owners:
            full = [_key(item) for item in _full_list(seq, op_id, params)]
            total = len(full)
            odd = [k for k in range(3, max(total, 4)) if total % k]
            uneven = data.draw(st.sampled_from(odd or [total + 1]), label="uneven pageSize")
            # the same sizes in every example: what is drawn must not depend on earlier ones
            for size in (1, 2, uneven):
                _check_walk(seq, data, op_id, params, size, full)

    run_property(f"pagination {version} {op_id}", SAMPLES, walk_all, target)


# --- actions -----------------------------------------------------------------------------

ACTION_FAMILIES = [(v, f) for v in VERSIONS for f in action_families(v)]


@dataclass
class Tracked:
    """One action the property run created, and what was last read of it."""

    id: str
    target_id: str
    body: Any
    last: dict[str, Any]
    superseded: bool = False
    history: list[str] = field(default_factory=list)


def _thermostat(asset: dict[str, Any]) -> dict[str, Any]:
    state = asset.get("thermostatState")
    return state if isinstance(state, dict) else asset


def effect_missing(operation_id: str, body: Any, asset: dict[str, Any]) -> str | None:
    """What of a confirmed action's request `body` its target does not show (None: all)."""
    wanted: dict[str, Any] = {}
    got: dict[str, Any] = {}
    if operation_id == "setBatteryOperationMode":
        wanted["config.operationMode"] = body["operationMode"]
        got["config.operationMode"] = (asset.get("config") or {}).get("operationMode")
    elif operation_id == "controlChargerCharging":
        wanted["chargeState.isCharging"] = body["action"] == "START"
        got["chargeState.isCharging"] = (asset.get("chargeState") or {}).get("isCharging")
    elif operation_id == "setChargerMaxCurrent":
        wanted["chargeState.maxCurrent"] = body["maxCurrent"]
        got["chargeState.maxCurrent"] = (asset.get("chargeState") or {}).get("maxCurrent")
    elif operation_id == "setHvacPermanentHold":
        state = _thermostat(asset)
        for name in ("mode", "heatSetpoint", "coolSetpoint"):
            if name in body:
                wanted[name] = body[name]
                got[name] = state.get(name)
        wanted["holdType"] = "PERMANENT"
        got["holdType"] = state.get("holdType")
    elif operation_id == "setHvacFollowSchedule":
        wanted["holdType"] = "SCHEDULED"
        got["holdType"] = _thermostat(asset).get("holdType")
    wrong = [f"{k} is {got[k]!r}, not {v!r}" for k, v in wanted.items() if got[k] != v]
    return "; ".join(wrong) or None


def _asset_get(version: str, family: ActionFamily) -> str:
    ops = operations(version)
    return next(
        op.operation_id
        for op in ops.values()
        if op.method == "GET"
        and op.path_params == (family.asset_param,)
        and op.path.count("/") == 2
    )


class ActionRun:
    """One drawn sequence of action steps against one family, checking the lifecycle
    after every step."""

    def __init__(self, seq: Sequence, family: ActionFamily, live: bool, target: Target) -> None:
        self.seq = seq
        self.family = family
        self.live = live
        self.target = target
        self.actions: list[Tracked] = []
        self.before: dict[str, Any] = {}  # target id -> the asset read before any action

    def read(self, action: Tracked) -> dict[str, Any]:
        reply = self.seq.send(self.family.get, path_parameters={"actionId": action.id})
        self.seq.expect(
            "action_state_machine",
            reply.status == 200,
            f"action {action.id} answered {reply.status} on read",
        )
        return dict(reply.body)

    def check(self, action: Tracked, now: dict[str, Any]) -> None:
        seq, before = self.seq, action.last
        state = now.get("state")
        action.history.append(str(state))
        trail = " -> ".join(action.history)
        if before.get("state") in TERMINAL:
            seq.expect(
                "action_state_machine",
                state == before["state"]
                and now.get("completedAt") == before.get("completedAt")
                and now.get("failureReason") == before.get("failureReason"),
                f"action {action.id} was {before['state']} and now reads {state} "
                f"(completedAt {now.get('completedAt')!r}, failureReason "
                f"{now.get('failureReason')!r}); states read: {trail}",
            )
        seq.expect(
            "action_state_machine",
            state in TERMINAL | {"PENDING"},
            f"action {action.id} reads state {state!r}",
        )
        seq.expect(
            "action_completed_at",
            (now.get("completedAt") is not None) == (state in TERMINAL),
            f"action {action.id} is {state} with completedAt {now.get('completedAt')!r}",
        )
        seq.expect(
            "action_failure_reason",
            now.get("failureReason") is None or state in ("FAILED", "CANCELLED"),
            f"action {action.id} is {state} with failureReason {now.get('failureReason')!r}",
        )
        if action.superseded:
            reason = (now.get("failureReason") or {}).get("type")
            seq.expect(
                "action_superseded",
                state == "CANCELLED" and reason == "CONFLICT",
                f"action {action.id} was PENDING when a newer action on {action.target_id} "
                f"was created; it reads {state} with failureReason {reason!r} (states read: "
                f"{trail})",
            )
        action.last = now

    def check_all(self) -> None:
        for action in self.actions:
            self.check(action, self.read(action))

    def create(self, asset: str, body: Any, asset_get: str) -> None:
        if asset not in self.before:
            read = self.seq.send(asset_get, path_parameters={self.family.asset_param: asset})
            self.before[asset] = read.body
        reply = self.seq.send(
            self.family.create, path_parameters={self.family.asset_param: asset}, body=body
        )
        if reply.status != 200:
            return  # a documented refusal (capability, schedule control): no action
        created = dict(reply.body)
        if not self.live:
            self.seq.expect(
                "action_state_machine",
                created.get("state") == "PENDING",
                f"a new action answers {created.get('state')}, not PENDING",
            )
        if any(known.id == created["id"] for known in self.actions):
            return  # the same command while it is pending: that action answered again
        for older in self.actions:
            if older.target_id == asset and older.last.get("state") == "PENDING":
                older.superseded = not self.live
        tracked = Tracked(created["id"], asset, body, {}, history=[])
        self.check(tracked, created)
        self.actions.append(tracked)

    def cancel(self, action: Tracked) -> None:
        before = action.last
        reply = self.seq.send(self.family.cancel, path_parameters={"actionId": action.id})
        if before.get("state") in TERMINAL:
            self.seq.expect(
                "action_cancel_resolved",
                reply.status == 409 and reply.body == before,
                f"cancelling the {before.get('state')} action {action.id} answered "
                f"{reply.status} {reply.body!r}; expected 409 with {before!r}",
            )
            return
        if reply.status == 409 and self.live:
            return  # it resolved meanwhile
        self.seq.expect(
            "action_cancel_visible",
            reply.status == 200 and (reply.body or {}).get("state") == "CANCELLED",
            f"cancelling the PENDING action {action.id} answered {reply.status} "
            f"{(reply.body or {}).get('state')!r}",
        )
        self.check(action, dict(reply.body))
        read = self.read(action)
        self.seq.expect(
            "action_cancel_visible",
            read.get("state") != "PENDING",
            f"action {action.id} was cancelled (200 CANCELLED) but reads PENDING",
        )
        self.check(action, read)

    def resolve(self, asset_get: str) -> None:
        pending = [a for a in self.actions if a.last.get("state") == "PENDING"]
        self.target.let_actions_resolve()
        if self.live:  # within what is left of the run's --action-wait budget
            self.target.wait_for(
                lambda: all(self.read(a).get("state") in TERMINAL for a in pending)
            )
        for action in self.actions:
            now = self.read(action)
            self.check(action, now)
            if action in pending:
                self.seq.expect(
                    "action_resolves",
                    now.get("state") in TERMINAL,
                    f"action {action.id} still reads PENDING after its delay"
                    if not self.live
                    else f"action {action.id} still reads PENDING when the run's --action-wait "
                    f"budget ({self.target.options.action_wait:g} s) was spent",
                )
            if action in pending and now.get("state") == "CONFIRMED":
                asset = self.seq.send(
                    asset_get, path_parameters={self.family.asset_param: action.target_id}
                )
                missing = effect_missing(self.family.create, action.body, asset.body or {})
                self.seq.expect(
                    "action_effect",
                    missing is None,
                    f"action {action.id} ({self.family.create} {action.body}) is CONFIRMED, "
                    f"but {self.family.asset_param} {action.target_id} reads: {missing}",
                )


@pytest.mark.parametrize(
    ("version", "family"),
    ACTION_FAMILIES,
    ids=[f"{v}-{f.create}" for v, f in ACTION_FAMILIES],
)
def test_action_lifecycle(
    version: str,
    family: ActionFamily,
    target: Target,
    known_ids: dict[str, Any],
    options: Options,
) -> None:
    """Drawn sequences of create (on one of two drawn assets), cancel and resolve steps
    between fixed opening and closing steps; after each step every action of the run is
    read and checked against all that was read of it before."""
    skip_unless_writes(options, "action_state_machine")
    assets = known_ids[version].get(family.asset_param, [])
    bodies = candidate_bodies(version, family.create)
    if not assets:
        pytest.skip(f"no {family.asset_param} known")
    asset_get = _asset_get(version, family)
    step = st.one_of(
        st.tuples(st.just("create"), st.integers(0, 1), st.integers(0, len(bodies) - 1)),
        st.tuples(st.just("cancel"), st.integers(0, 20), st.just(0)),
        st.tuples(st.just("resolve"), st.just(0), st.just(0)),
    )

    def steps(data: st.DataObject) -> None:
        seq = Sequence(target, version)
        run = ActionRun(seq, family, options.live, target)
        targets = data.draw(
            st.lists(st.sampled_from(assets), min_size=1, max_size=2, unique=True),
            label=family.asset_param,
        )
        first, second, third = data.draw(
            st.tuples(*[st.integers(0, len(bodies) - 1)] * 3), label="bodies of the fixed steps"
        )
        drawn = data.draw(st.lists(step, min_size=1, max_size=5), label="steps")
        # fixed steps around the drawn ones, so every run exercises every rule: two actions
        # on one target (the newer supersedes the older), cancelling the newer (PENDING)
        # and the older (resolved); at the end a new action, resolved, then cancelled
        opening = [("create", 0, first), ("create", 0, second), ("cancel", -1, 0)]
        opening += [("cancel", -2, 0)]
        closing = [("create", 1, third), ("resolve", 0, 0), ("cancel", -1, 0)]
        for kind, which, body in [*opening, *drawn, *closing]:
            if kind == "create":
                run.create(targets[which % len(targets)], bodies[body], asset_get)
            elif kind == "cancel" and run.actions:
                run.cancel(run.actions[which % len(run.actions)])
            elif kind == "resolve":
                run.resolve(asset_get)
            run.check_all()

    run_property(
        f"actions {version} {family.create}", options.profile.behaviour_examples, steps, target
    )
