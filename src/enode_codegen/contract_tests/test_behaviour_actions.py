"""Named checks of the action lifecycle: an action is created, polled and cancelled, and
confirmed actions change their asset as they say; hypothesis draws the step sequences.

Read-only checks run against a read-only live target too; the others skip there.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import strategies as st

from .behaviour import (
    TERMINAL,
    VERSIONS,
    fresh,  # noqa: F401  (autouse: a reset target per check)
    run_property,
)
from .checks import Sequence, skip_unless_writes
from .options import Options
from .scenarios import ActionFamily, action_families, candidate_bodies
from .spec import operations
from .targets import Target

__all__: list[str] = []

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
