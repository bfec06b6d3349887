"""Named checks that reads agree: a list entry and the entity's own GET, a user's list
filtered to that user, and an entity deleted is gone from every read.

Read-only checks run against a read-only live target too; the others skip there.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from hypothesis import strategies as st

from .behaviour import (
    LIST_ONLY_FIELDS,
    SAMPLES,
    STABLE_KEYS,
    VERSIONS,
    asset_routes,
    client_wide,
    fresh,  # noqa: F401  (autouse: a reset target per check)
    full_list,
    owners_to_walk,
    run_property,
)
from .checks import Sequence, skip_unless_writes
from .options import Options
from .scenarios import list_links
from .spec import operations, query_params
from .targets import Target

__all__: list[str] = []

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
        for params in owners_to_walk(seq, data, list_op, known_ids[version]):
            items = full_list(seq, list_op, params)
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
    if op.method == "GET" and op.path_params == ("userId",) and client_wide(v, op.operation_id)
]


@pytest.mark.parametrize(("version", "op_id"), USER_LISTS, ids=[f"{v}-{o}" for v, o in USER_LISTS])
def test_user_list_filter(
    version: str, op_id: str, target: Target, known_ids: dict[str, Any], options: Options
) -> None:
    """A list under /users/{userId} holds exactly the user's entities of the full list."""
    wide = client_wide(version, op_id)
    assert wide is not None

    def owners(data: st.DataObject) -> None:
        seq = Sequence(target, version)
        everything = [item for item in full_list(seq, wide, {}) if isinstance(item, dict)]
        users = known_ids[version].get("userId", [])
        by_user = Counter(item.get("userId") for item in everything)
        drawn = data.draw(
            st.lists(st.sampled_from(users), min_size=1, max_size=3, unique=True), label="users"
        )
        richest = max(users, key=lambda u: (by_user.get(u, 0), u))
        for user in dict.fromkeys([richest, *drawn]):
            mine = full_list(seq, op_id, {"userId": user})
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
                for lst in asset_routes(version)
                for item in full_list(seq, lst, {})
                if isinstance(item, dict)
            }
            users = known_ids[version].get("userId", [])
            # a user with assets, so their routes reach more than the user
            users = sorted(owners & set(users)) or users
            user = data.draw(st.sampled_from(users), label="user to delete")
            routes = [(op_id, {"userId": user}) for op_id in _user_routes(version)]
            for lst, get in asset_routes(version).items():
                param = ops[get].path_params[0]
                for item in full_list(seq, lst, {}):
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
