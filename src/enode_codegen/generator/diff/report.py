"""What `diff` reports: one `Difference` per change, classed by a rule, in a `Report`."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from .rules import KINDS, Facts, Kind, Rule

__all__ = ["Difference", "Report", "merge"]


@dataclass(frozen=True)
class Difference:
    """One structural difference between two versions of the API."""

    kind: Kind  # e.g. operation-removed, response-property-added (see rules.KINDS)
    subject: str  # what changed: `GET /me (getMe)`, `Battery.locationId`, `query parameter field`
    detail: str  # how: `array -> object`, `IDLE`, ...
    breaking: bool
    operations: tuple[str, ...] = ()  # the operationIds it affects
    pointers: tuple[str, ...] = ()  # where it is in the old and new documents
    change: str | None = None  # the declared change it belongs to (`<version>: <id>`)
    changelog: str | None = None  # that change's sentence
    value: Any = field(default=None, compare=False)  # the enum value of an enum-value-* entry
    rule: Rule | None = field(default=None, compare=False)  # the rule that classed it

    @classmethod
    def by(
        cls,
        rule: Rule,
        subject: str,
        detail: str,
        operations: tuple[str, ...],
        pointers: tuple[str, ...],
        facts: Facts | None = None,
        *,
        value: Any = None,
    ) -> Difference:
        """A difference `rule` matched, classed by it from what was seen (`facts`)."""
        return cls(
            rule.kind,
            subject,
            detail,
            rule.breaks(facts or Facts()),
            operations,
            pointers,
            value=value,
            rule=rule,
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": str(self.kind),
            "subject": self.subject,
            "detail": self.detail,
            "breaking": self.breaking,
            "operations": list(self.operations),
            "change": self.change,
            "changelog": self.changelog,
        }


@dataclass
class Report:
    old: str
    new: str
    differences: list[Difference] = field(default_factory=list)
    declared: list[str] = field(default_factory=list)  # `<version>: <id>`, in declared order

    @property
    def breaking(self) -> list[Difference]:
        return [d for d in self.differences if d.breaking]


def merge(raw: list[Difference]) -> list[Difference]:
    """One entry per (kind, subject, detail, change), listing every operation it affects;
    breaking first, then in the order of `rules.KINDS`."""
    merged: dict[tuple[str, str, str, str], Difference] = {}
    for difference in raw:
        key = (difference.kind, difference.subject, difference.detail, difference.change or "")
        known = merged.get(key)
        if known is None:
            merged[key] = difference
        else:
            merged[key] = replace(
                known,
                breaking=known.breaking or difference.breaking,
                operations=tuple(sorted(set(known.operations) | set(difference.operations))),
                pointers=tuple(dict.fromkeys(known.pointers + difference.pointers)),
            )
    order = list(KINDS)
    return sorted(
        merged.values(),
        key=lambda d: (not d.breaking, order.index(d.kind), d.subject, d.detail, d.change or ""),
    )
