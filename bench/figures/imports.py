"""Import time of a generated package against the `import httpx, pydantic` baseline.

Each measurement is a fresh `python -X importtime -c STATEMENT`; the total is the sum of
the cumulative times of the top-level imports it lists (interpreter start-up imports
included on both sides, so they cancel in the difference). One untimed run first writes
the bytecode caches.
"""

from __future__ import annotations

from ..common import PYTHON, ROOT, Context, Figure, Row, Skip, measure, summarize

__all__ = ["import_time", "importtime_total"]

PACKAGE = "enode_2024_10_01"
FOLDER = ROOT / "generated" / "enode-client-2024-10-01"
STATEMENTS = {
    "ours": f"import {PACKAGE}",
    "baseline": "import httpx, pydantic",
    "pydantic core": "import httpx; from pydantic import BaseModel, TypeAdapter",
}


def importtime_total(stderr: str) -> float:
    """Milliseconds: the summed cumulative time of the top-level entries of -X importtime."""
    total_us = 0
    for line in stderr.splitlines():
        if not line.startswith("import time:"):
            continue
        _, cumulative, name = line.split("|", 2)
        if name.startswith(" ") and not name.startswith("  ") and cumulative.strip().isdigit():
            total_us += int(cumulative)
    return total_us / 1000


def import_time(ctx: Context) -> Figure:
    """`import enode_2024_10_01` vs `import httpx, pydantic`, each in a fresh interpreter."""
    fig = Figure("imports", "Import time of a generated package (python -X importtime)")
    if not (FOLDER / PACKAGE).is_dir():
        raise Skip(f"{FOLDER} does not exist; run `enode-codegen generate` first")
    env = {"PYTHONPATH": str(FOLDER)}
    runs = ctx.runs * 2  # cheap and noisy: twice as many runs
    times: dict[str, list[float]] = {key: [] for key in STATEMENTS}
    for statement in STATEMENTS.values():  # warm the bytecode caches
        measure([PYTHON, "-c", statement], env=env).check()
    for _ in range(runs):
        for key, statement in STATEMENTS.items():
            done = measure([PYTHON, "-X", "importtime", "-c", statement], env=env).check()
            times[key].append(importtime_total(done.stderr))
    ours, base = summarize(times["ours"], "ms"), summarize(times["baseline"], "ms")
    above = ours.median - base.median
    fig.rows.append(
        Row(
            f"`import {PACKAGE}`",
            ours,
            base,
            "baseline",
            above,
            "+ms",
            "<= +100 ms",
            "met" if above <= 100 else "missed",
        )
    )
    core = summarize(times["pydantic core"], "ms")
    fig.rows.append(
        Row(
            "`import httpx; from pydantic import BaseModel, TypeAdapter`",
            core,
            base,
            "baseline",
            core.median - base.median,
            "+ms",
        )
    )
    fig.notes.append(
        f"ours / baseline = {ours.median / base.median:.2f}x; the target is in milliseconds, so "
        "on a loaded machine (every import slower) the difference grows with the load"
    )
    fig.notes.append(
        "`import pydantic` is lazy; the second row shows how much of the difference is "
        "pydantic's own model machinery, which any pydantic-based client pays"
    )
    return fig
