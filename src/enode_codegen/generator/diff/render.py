"""Render: a `Report` as the migration report (Markdown) or as JSON."""

from __future__ import annotations

import json

from ..paths import is_dated
from .report import Report
from .rules import KINDS

__all__ = ["is_downgrade", "render_json", "render_markdown"]


def render_json(report: Report) -> str:
    data = {
        "old": report.old,
        "new": report.new,
        "breaking": len(report.breaking),
        "differences": [d.as_dict() for d in report.differences],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def render_markdown(report: Report, *, title: str | None = None, level: int = 1) -> str:
    """The migration report: breaking differences first, grouped by kind, each with the
    declared changelog sentence."""
    heading = "#" * level
    downgrade = is_downgrade(report.old, report.new)
    default_title = f"Enode-Version {report.old} -> {report.new}" + (
        " (a downgrade)" if downgrade else ""
    )
    lines = [f"{heading} {title or default_title}", ""]
    if not report.differences:
        lines += ["No differences.", ""]
        return "\n".join(lines)
    breaking = len(report.breaking)
    lines += [
        f"{len(report.differences)} differences, {breaking} breaking by Enode's rules.",
        "",
    ]
    sentences = _changelog(report)
    if sentences and downgrade:
        # the declared sentences say what each version did; going back undoes it
        lines += [
            f"{heading}# What is undone",
            "",
            f"Moving back from {report.old} to {report.new} reverses these changes, each "
            "declared by the version that made it; breaking as classed for this direction.",
            "",
        ]
        lines += [f"- {'**Breaking.** ' if b else ''}Undone: {s} ({c})" for c, s, b in sentences]
        lines.append("")
    elif sentences:
        lines += [f"{heading}# What changed", ""]
        lines += [f"- {'**Breaking.** ' if b else ''}{s} ({c})" for c, s, b in sentences]
        lines.append("")
    for is_breaking, label in ((True, "Breaking"), (False, "Not breaking")):
        group = [d for d in report.differences if d.breaking is is_breaking]
        if not group:
            continue
        lines += [f"{heading}# {label}", ""]
        lines += [
            "| change | subject | detail | operations | declared as |",
            "|---|---|---|---|---|",
        ]
        for d in group:
            lines.append(
                f"| {KINDS[d.kind]} | `{d.subject}` | {d.detail} | "
                f"{', '.join(d.operations)} | {d.change or 'undeclared'} |"
            )
        lines.append("")
    return "\n".join(lines)


def is_downgrade(old: str, new: str) -> bool:
    """Whether `old` -> `new` goes back in time (two dated Enode-Versions, the newer first)."""
    return is_dated(old) and is_dated(new) and new < old


def _changelog(report: Report) -> list[tuple[str, str, bool]]:
    """(change, sentence, breaking) of every declared change in the report, in order."""
    found: dict[str, tuple[str, bool]] = {}
    for d in report.differences:
        if d.change and d.changelog:
            sentence, was = found.get(d.change, (d.changelog, False))
            found[d.change] = (sentence, was or d.breaking)
    order = {name: index for index, name in enumerate(report.declared)}
    return [
        (c, s, b)
        for c, (s, b) in sorted(found.items(), key=lambda item: (order.get(item[0], 0), item[0]))
    ]
