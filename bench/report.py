"""Rendering results: the plain-text table printed at the end, and latest.md."""

from __future__ import annotations

from typing import Any

__all__ = ["markdown", "rows", "table"]

HEADERS = ("figure", "metric", "ours", "peer", "ratio", "target", "verdict")


def _stats(value: dict[str, Any] | None) -> str:
    if not value:
        return ""
    unit = value["unit"]
    whole = unit in ("ops", "req/s") or abs(value["median"]) >= 100

    def fmt(v: float) -> str:
        return f"{v:,.0f}" if whole else f"{v:.3g}"

    if value["runs"] == 1:
        return f"{fmt(value['median'])} {unit}"
    return f"{fmt(value['median'])} {unit} [{fmt(value['min'])}-{fmt(value['max'])}]"


def _ratio(row: dict[str, Any]) -> str:
    ratio = row.get("ratio")
    if ratio is None:
        return ""
    label = row.get("ratio_label", "")
    if label.startswith("+"):  # a difference, not a ratio: "+ms"
        return f"{ratio:+.0f} {label[1:]}"
    return f"{ratio:.2f}x"


def rows(document: dict[str, Any]) -> list[tuple[str, ...]]:
    """One tuple of cells per row (skipped figures get one row with the reason)."""
    out: list[tuple[str, ...]] = []
    for fig in document["figures"]:
        if fig.get("skipped"):
            out.append((fig["id"], "not measured (see below)", "", "", "", "", "skipped"))
            continue
        for i, row in enumerate(fig["rows"]):
            peer = _stats(row.get("peer"))
            if peer and row.get("peer_name"):
                peer = f"{peer} ({row['peer_name']})"
            out.append(
                (
                    fig["id"] if i == 0 else "",
                    row["metric"],
                    _stats(row.get("ours")),
                    peer,
                    _ratio(row),
                    row.get("target", ""),
                    row.get("verdict", ""),
                )
            )
    return out


def table(document: dict[str, Any]) -> str:
    """A fixed-width text table of every figure, then the reasons for skipped ones."""
    cells = [HEADERS, *rows(document)]
    widths = [max(len(c[i]) for c in cells) for i in range(len(HEADERS))]
    lines = []
    for n, cell in enumerate(cells):
        lines.append("  ".join(c.ljust(w) for c, w in zip(cell, widths, strict=True)).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    for fig in document["figures"]:
        if fig.get("skipped"):
            lines.append(f"{fig['id']} skipped: {fig['skipped']}")
    return "\n".join(lines)


def markdown(document: dict[str, Any]) -> str:
    """latest.md: the table, each figure's notes, and the reasons for skipped figures."""
    meta = document["meta"]
    out = [
        "# Benchmark results",
        "",
        f"Measured {meta['date']} on {meta['platform']}, {meta['cpus']} CPUs, Python "
        f"{meta['python']}, revision `{meta['revision'] or '?'}`, "
        f"{'quick' if meta['quick'] else 'full'} run ({meta['runs']} runs per figure). "
        "Cells are median [min-max]; ratios are of medians. Regenerate with "
        "`python bench/run.py` (see bench/README.md).",
        "",
        "| " + " | ".join(HEADERS) + " |",
        "|" + "---|" * len(HEADERS),
    ]
    for cell in rows(document):
        out.append("| " + " | ".join(c.replace("|", "\\|") for c in cell) + " |")
    out += ["", "## Notes", ""]
    for fig in document["figures"]:
        measured = fig.get("measured", {})
        stamp = (
            f" (measured {measured['date']})"
            if measured and measured.get("date") != meta["date"]
            else ""
        )
        out.append(f"### {fig['id']}: {fig['title']}{stamp}")
        out.append("")
        if fig.get("skipped"):
            out.append(f"Not measured: {fig['skipped']}")
        for note in fig.get("notes", []):
            out.append(f"- {note}")
        out.append("")
    return "\n".join(out).rstrip() + "\n"
