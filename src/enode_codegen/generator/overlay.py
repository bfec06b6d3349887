"""Apply an OpenAPI Overlay (1.0 / 1.1) document to an OpenAPI document.

An overlay is an ordered list of actions, each a RFC 9535 JSONPath `target` (evaluated
by `jsonpath-rfc9535`) and one modifier:

- `update`: merged into each target: objects recursively (keys of the update replace or
  add keys; a nested array or scalar replaces the target's), an array target gets the
  update appended as one entry, a scalar target is replaced (1.1);
- `remove: true`: each target is deleted from the object or array holding it;
- `copy` (1.1): a JSONPath selecting exactly one node, merged like an `update`.

Stricter than the specification on purpose: a target that selects nothing is an error
(a declared change that no longer applies is a bug, not a no-op), and so is a `copy`
that does not select exactly one node. Each applied action records the JSON pointers it
changed (`AppliedAction.touched`), which `diff/attribution.py` uses to tie structural differences to
the declared change that made them. Why not PyPI `oas-patch`: it evaluates targets with
jsonpath-ng (not RFC 9535), treats `remove: false` as a removal, silently ignores targets
that select nothing and reports no locations.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonpath_rfc9535

from .errors import SpecError, SpecProblem, display_path
from .refs import join_pointer, resolve
from .yaml_source import load_source

__all__ = ["Action", "AppliedAction", "Overlay", "apply_overlay", "load_overlay"]

_MODIFIERS = ("update", "remove", "copy")


@dataclass(frozen=True)
class Action:
    """One action of an overlay and where it is written."""

    index: int
    target: str
    description: str
    modifier: str  # update, remove or copy
    value: Any  # the update value, the copy source path, or True
    extensions: dict[str, Any]  # the action's `x-` fields
    file: str
    line: int | None

    def problem(self, message: str) -> SpecProblem:
        return SpecProblem(self.file, self.line, f"/actions/{self.index}", "overlay", message)


@dataclass(frozen=True)
class Overlay:
    path: Path
    data: dict[str, Any]  # the whole document (info, extends, x- fields)
    actions: tuple[Action, ...]


@dataclass
class AppliedAction:
    action: Action
    touched: list[str] = field(default_factory=list)  # JSON pointers of what it changed
    # (array pointer, value) of every array element it removed or appended: which enum
    # value an action changed, where two changes edit one enum
    elements: list[tuple[str, Any]] = field(default_factory=list)


def load_overlay(path: Path) -> Overlay:
    """Read and check the structure of an overlay document; SpecError names file and line."""
    source = load_source(path)
    shown = display_path(path)
    data = source.data
    problems: list[SpecProblem] = []

    def problem(pointer: str, message: str) -> None:
        problems.append(SpecProblem(shown, source.line_of(pointer), pointer, "overlay", message))

    if not isinstance(data, dict):
        raise SpecError([SpecProblem(shown, 1, "", "overlay", "an overlay must be a mapping")])
    version = str(data.get("overlay", ""))
    if not (version.startswith("1.0.") or version.startswith("1.1.")):
        problem("/overlay", f"unsupported overlay version {version!r} (1.0.x and 1.1.x are)")
    if not isinstance(data.get("info"), dict):
        problem("/info", "`info` (title, version) is required")
    raw_actions = data.get("actions")
    if not isinstance(raw_actions, list) or not raw_actions:
        problem("/actions", "`actions` must be a non-empty list")
        raw_actions = []
    actions = []
    for index, raw in enumerate(raw_actions):
        pointer = f"/actions/{index}"
        if not isinstance(raw, dict):
            problem(pointer, "an action must be a mapping")
            continue
        target = raw.get("target")
        if not isinstance(target, str):
            problem(pointer, "an action needs a `target` JSONPath")
            continue
        try:
            jsonpath_rfc9535.compile(target)
        except jsonpath_rfc9535.JSONPathError as exc:
            problem(f"{pointer}/target", f"invalid JSONPath {target!r}: {exc}")
            continue
        modifiers = [m for m in _MODIFIERS if m in raw and not (m == "remove" and raw[m] is False)]
        if len(modifiers) != 1:
            problem(pointer, "an action needs exactly one of `update`, `remove: true`, `copy`")
            continue
        modifier = modifiers[0]
        if modifier == "remove" and raw["remove"] is not True:
            problem(f"{pointer}/remove", "`remove` must be true or false")
            continue
        if modifier == "copy" and not isinstance(raw["copy"], str):
            problem(f"{pointer}/copy", "`copy` must be a JSONPath")
            continue
        actions.append(
            Action(
                index=index,
                target=target,
                description=str(raw.get("description", "")),
                modifier=modifier,
                value=raw[modifier],
                extensions={k: v for k, v in raw.items() if k.startswith("x-")},
                file=shown,
                line=source.line_of(pointer),
            )
        )
    if problems:
        raise SpecError(problems)
    return Overlay(path, data, tuple(actions))


def apply_overlay(document: dict[str, Any], overlay: Overlay) -> list[AppliedAction]:
    """Apply every action of `overlay` to `document` in place, in order; SpecError (naming
    the action's file and line) when an action cannot apply."""
    applied = []
    problems: list[SpecProblem] = []
    for action in overlay.actions:
        try:
            applied.append(_apply(document, action))
        except _ActionError as exc:
            problems.append(action.problem(str(exc)))
    if problems:
        raise SpecError(problems)
    return applied


class _ActionError(Exception):
    pass


def _pointer(location: tuple[str | int, ...]) -> str:
    return join_pointer(location)


def _apply(document: dict[str, Any], action: Action) -> AppliedAction:
    nodes = jsonpath_rfc9535.find(action.target, document)
    if not nodes:
        raise _ActionError(f"target {action.target!r} selects nothing")
    result = AppliedAction(action)
    if action.modifier == "remove":
        # deepest and last first, so earlier removals do not shift later array indices
        for node in sorted(nodes, key=lambda n: n.location, reverse=True):
            if not node.location:
                raise _ActionError("cannot remove the document root")
            parent = _resolve(document, node.location[:-1])
            key = node.location[-1]
            if isinstance(parent, list):
                assert isinstance(key, int)
                result.elements.append((_pointer(node.location[:-1]), parent[key]))
                del parent[key]
            else:
                del parent[key]
            result.touched.append(_pointer(node.location))
        return result
    if action.modifier == "copy":
        sources = jsonpath_rfc9535.find(str(action.value), document)
        if len(sources) != 1:
            raise _ActionError(
                f"copy {action.value!r} selects {len(sources)} nodes; it must select one"
            )
        value = sources[0].value
    else:
        value = action.value
    for node in nodes:
        _update(document, node.location, copy.deepcopy(value), result)
    return result


def _resolve(document: Any, location: tuple[str | int, ...]) -> Any:
    return resolve(document, join_pointer(location))


def _update(
    document: Any, location: tuple[str | int, ...], value: Any, result: AppliedAction
) -> None:
    touched = result.touched
    target = _resolve(document, location)
    if isinstance(target, dict) and isinstance(value, dict):
        for key, item in value.items():
            if isinstance(target.get(key), dict) and isinstance(item, dict):
                _update(document, (*location, key), item, result)
            else:
                target[key] = item
                touched.append(_pointer((*location, key)))
    elif isinstance(target, list):
        target.append(value)
        touched.append(_pointer(location))
        result.elements.append((_pointer(location), value))
    elif isinstance(target, dict):
        raise _ActionError(f"cannot merge a {type(value).__name__} into an object")
    else:
        if not location:
            raise _ActionError("cannot replace the document root")
        parent = _resolve(document, location[:-1])
        parent[location[-1]] = value
        touched.append(_pointer(location))
