"""Attribution: each difference tied to the declared change that made it.

Between packaged versions, the declared changes are `spec/changes/<version>.yaml`'s
`x-enode-changes`; each overlay action names its change and touches JSON pointers. A
difference belongs to the change whose touched pointers contain, or are contained in, its
own pointers, the closest first. A difference no declared change covers is undeclared drift,
a declared change that covers no difference is a declaration without effect:
`coverage_problems` lists both (`tests/test_spec_diff.py` holds them to zero).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import Any

from ..errors import SpecError, SpecProblem
from ..publish import Rendition
from .report import Difference, Report, merge
from .rules import ENUM_ADDITIONS_NONBREAKING_FROM, KINDS, Facts, Kind, Rule

__all__ = ["DeclaredChange", "attribute", "coverage_problems", "declared_changes"]


@dataclass(frozen=True)
class DeclaredChange:
    version: str  # the version that made the change
    id: str
    changelog: str
    breaking: bool
    touched: tuple[str, ...]  # every JSON pointer its actions changed
    # (array pointer, JSON of the value) of every array element its actions removed or added
    elements: tuple[tuple[str, str], ...] = ()


def _closeness(touched: str, pointer: str) -> tuple[int, int] | None:
    """How well a changed pointer explains a difference's pointer (lower is better): the
    nearest enclosing change first, then the smallest change inside it; None if unrelated."""
    if touched == pointer or pointer.startswith(touched + "/"):
        return (0, -len(touched))
    if touched.startswith(pointer + "/"):
        return (1, len(touched))
    return None


def attribute(differences: list[Difference], declared: list[DeclaredChange]) -> list[Difference]:
    """Each difference tied to the declared change that explains one of its pointers best
    (left undeclared when none does), then merged per subject."""
    result = []
    for difference in differences:
        best: tuple[tuple[int, int], DeclaredChange] | None = None
        candidates = declared
        if difference.kind in (Kind.ENUM_VALUE_ADDED, Kind.ENUM_VALUE_REMOVED):
            # an enum several changes edit: the change that removed or added this value
            value = _element_key(difference.value)
            exact = [
                c
                for c in declared
                if any(v == value and p in difference.pointers for p, v in c.elements)
            ]
            candidates = exact or declared
        for change in candidates:
            for touched in change.touched:
                for pointer in difference.pointers:
                    score = _closeness(touched, pointer)
                    if score is not None and (best is None or score < best[0]):
                        best = (score, change)
        if best is None:
            result.append(difference)
            continue
        change = best[1]
        breaking = difference.breaking
        if difference.rule is Rule.RESPONSE_ENUM_VALUE_ADDED:
            # classed by the version that added the value, not the one moved to
            closed = change.version < ENUM_ADDITIONS_NONBREAKING_FROM
            breaking = difference.rule.breaks(Facts(enum_closed=closed))
        result.append(
            replace(
                difference,
                breaking=breaking,
                change=f"{change.version}: {change.id}",
                changelog=change.changelog,
            )
        )
    return merge(result)


def _declared(version: str, change_id: str, entry: dict[str, Any]) -> DeclaredChange:
    return DeclaredChange(
        version,
        change_id,
        " ".join(str(entry.get("changelog", "")).split()),
        bool(entry.get("breaking")),
        (),
    )


def declared_changes(renditions: list[Rendition], old: str, new: str) -> list[DeclaredChange]:
    """The changes declared by the versions after `old` up to `new`, with what they touched;
    SpecError when an action names a change its document does not declare."""
    found: dict[tuple[str, str], DeclaredChange] = {}
    rank: dict[tuple[str, str], int] = {}
    problems: list[SpecProblem] = []
    for rendition in renditions:
        overlay = rendition.overlay
        if overlay is None:
            continue
        version = str(overlay.data.get("info", {}).get("version", ""))
        if not old < version <= new:
            continue
        declared = overlay.data.get("x-enode-changes") or {}
        rank.update({(version, str(name)): index for index, name in enumerate(declared)})
        for applied in rendition.applied:
            change_id = applied.action.extensions.get("x-enode-change")
            if change_id is None:
                continue
            entry = declared.get(change_id)
            if not isinstance(entry, dict):
                problems.append(
                    applied.action.problem(
                        f"x-enode-change {change_id!r} is not declared under x-enode-changes"
                    )
                )
                continue
            key = (version, str(change_id))
            known = found.get(key) or _declared(version, str(change_id), entry)
            found[key] = replace(
                known,
                touched=known.touched + tuple(applied.touched),
                elements=known.elements + tuple((p, _element_key(v)) for p, v in applied.elements),
            )
        for change_id in declared:
            found.setdefault(
                (version, str(change_id)), _declared(version, str(change_id), declared[change_id])
            )
    if problems:
        raise SpecError(problems)
    return [found[key] for key in sorted(found, key=lambda key: (key[0], rank.get(key, 0)))]


def _element_key(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


def coverage_problems(report: Report, declared: list[DeclaredChange]) -> list[str]:
    """Why the declarations and the structure disagree (empty when they agree): differences
    no declared change covers, declared changes that cover no difference, and changes whose
    declared breaking flag is not what Enode's rules make of their differences."""
    problems = [
        f"undeclared: {KINDS[d.kind]}: {d.subject} {d.detail} ({', '.join(d.operations)})"
        for d in report.differences
        if d.change is None
    ]
    for change in declared:
        name = f"{change.version}: {change.id}"
        covered = [d for d in report.differences if d.change == name]
        if not covered:
            problems.append(f"{name}: declared, but no structural difference is its doing")
        elif any(d.breaking for d in covered) != change.breaking:
            problems.append(
                f"{name}: declared breaking={change.breaking}, but Enode's rules make its "
                f"differences {'breaking' if not change.breaking else 'not breaking'}: "
                + "; ".join(f"{KINDS[d.kind]} {d.subject}" for d in covered if d.breaking)
            )
    return problems
