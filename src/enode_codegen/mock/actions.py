"""The action lifecycle, declared once for every action family (battery, charger, HVAC).

Like moto's ManagedState: an action starts `PENDING` and moves along `TRANSITIONS` to one
terminal state. When it moves is a `Progression`: `Manual()` (only
`POST /_mock/actions/{id}/advance`), `Immediate()` (on the next request) or
`Timed(seconds)`. Due actions are resolved lazily by `tick()`, which the app calls before
every request, so no background task is needed. At most one action per target is
PENDING: creating another cancels it (`CONFLICT`). Creation and every transition raise a
`user:vendor-action:updated` webhook event (creation: `updatedFields` `["state"]`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from . import vehicles
from .clock import Clock
from .effects import failure, resolve
from .state import Action, Asset, State, changed_paths

__all__ = [
    "TERMINAL",
    "TRANSITIONS",
    "ActionEngine",
    "ActionResolved",
    "Immediate",
    "Manual",
    "Progression",
    "Timed",
    "progression_for",
]

PENDING = "PENDING"
VENDOR_ACTION_UPDATED = "user:vendor-action:updated"  # the webhook event of every change
TRANSITIONS: dict[str, frozenset[str]] = {
    PENDING: frozenset({"CONFIRMED", "FAILED", "CANCELLED"}),
    "CONFIRMED": frozenset(),
    "FAILED": frozenset(),
    "CANCELLED": frozenset(),
}
TERMINAL = frozenset(state for state, moves in TRANSITIONS.items() if not moves)


@dataclass(frozen=True)
class Manual:
    """Actions stay PENDING until advanced through the admin API."""

    def due(self, created: float) -> float | None:
        return None


@dataclass(frozen=True)
class Immediate:
    """Actions resolve on the next request after their creation."""

    def due(self, created: float) -> float | None:
        return created


@dataclass(frozen=True)
class Timed:
    """Actions resolve `delay` seconds after their creation."""

    delay: float

    def due(self, created: float) -> float | None:
        return created + self.delay


Progression = Manual | Immediate | Timed


def progression_for(delay: float | None) -> Progression:
    if delay is None:
        return Manual()
    if delay <= 0:
        return Immediate()
    return Timed(delay)


class ActionResolved(Exception):
    """Cancelling an action that is no longer PENDING (answered 409 with the action)."""

    def __init__(self, action: Action) -> None:
        super().__init__(action.id)
        self.action = action


class ActionEngine:
    """Creates, cancels and advances actions; callers hold `state.lock`."""

    def __init__(self, state: State, clock: Clock, progression: Progression) -> None:
        self.state = state
        self.clock = clock
        self.progression = progression

    def create(self, asset: Asset, effect: str, fields: dict[str, Any]) -> Action:
        now = self.clock.time()
        state = self.state
        key = f"{asset.kind}:{asset.id}"
        action = Action(
            id=state.new_id(),
            family=asset.kind,
            effect=effect,
            target_id=asset.id,
            user_id=asset.user_id,
            fields=fields,
            created_at=now,
            updated_at=now,
            seq=state.next_seq(),
            due_at=self.progression.due(now),
        )
        previous = state.pending.get(key)
        if previous is not None:
            self._finish(
                state.actions[previous],
                "CANCELLED",
                failure("CONFLICT", f"A newer action ({action.id}) for this target was created."),
                now,
            )
        state.actions[action.id] = action
        state.pending[key] = action.id
        state.touch()
        record = action.record()
        state.raise_event(
            VENDOR_ACTION_UPDATED, action.user_id, "action", record, updatedFields=["state"]
        )
        return action

    def cancel(self, action: Action) -> Action:
        if action.state != PENDING:
            raise ActionResolved(action)
        self._finish(
            action,
            "CANCELLED",
            failure("REQUESTED_CANCELLATION", "The action was cancelled by request."),
            self.clock.time(),
        )
        return action

    def advance(self, action: Action, outcome: str | None = None) -> Action:
        """Resolve a PENDING action now: its natural outcome, or a forced one."""
        if action.state != PENDING:
            raise ActionResolved(action)
        now = self.clock.time()
        if outcome == "FAILED":
            self._finish(
                action,
                "FAILED",
                failure(
                    "NO_RESPONSE", "The target did not respond (forced by the mock's admin API)."
                ),
                now,
            )
        elif outcome == "CANCELLED":
            self._finish(
                action,
                "CANCELLED",
                failure(
                    "FAILED_PRECONDITION",
                    "A precondition was not met (forced by the mock's admin API).",
                ),
                now,
            )
        else:
            end, reason = resolve(self.state, action, now)
            self._finish(action, end, reason, now)
        return action

    def tick(self) -> int:
        """Resolve every PENDING action whose time has come; answer how many."""
        state = self.state
        if not state.pending:
            vehicles.advance(state, self.clock.time())
            return 0
        now = self.clock.time()
        due = [
            state.actions[action_id]
            for action_id in state.pending.values()
            if (at := state.actions[action_id].due_at) is not None and at <= now
        ]
        for action in sorted(due, key=lambda a: (a.due_at or 0.0, a.seq)):
            when = action.due_at if action.due_at is not None else now
            end, reason = resolve(state, action, when)
            self._finish(action, end, reason, when)
        vehicles.advance(state, now)  # charging vehicles and smart charging, up to now
        return len(due)

    def cancel_for_target(self, kind: str, target_id: str, reason: dict[str, str]) -> None:
        """End the target's PENDING action (its asset or user was deleted)."""
        action_id = self.state.pending.get(f"{kind}:{target_id}")
        if action_id is not None:
            self._finish(self.state.actions[action_id], "CANCELLED", reason, self.clock.time())

    def _finish(self, action: Action, end: str, reason: dict[str, str] | None, when: float) -> None:
        if end not in TRANSITIONS[action.state]:
            raise ValueError(f"action {action.id}: no transition {action.state} -> {end}")
        before = action.record()
        action.state = end
        action.failure = reason if end in ("FAILED", "CANCELLED") else None
        action.completed_at = when
        action.updated_at = when
        action.due_at = None
        self.state.pending.pop(f"{action.family}:{action.target_id}", None)
        self.state.touch()
        after = action.record()
        self.state.raise_event(
            VENDOR_ACTION_UPDATED,
            action.user_id,
            "action",
            after,
            updatedFields=changed_paths(before, after),
        )
