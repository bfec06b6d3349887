"""Run the benchmarks: print one table, write bench/results/latest.json and latest.md.

    python bench/run.py [--quick] [--only FIGURE[,FIGURE...]] [--runs N]

Benchmarks report, they never fail: a figure whose peer cannot be installed, or that
breaks, is listed as skipped with the reason, and the exit code stays 0.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # `python bench/run.py`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import RESULTS, ROOT, Context, Figure, Skip, Unavailable
from bench.figures import FIGURES
from bench.report import markdown, table

__all__ = ["main"]


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench/run.py", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs, shorter loads")
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="FIGURE",
        help=f"run only these figures (repeatable or comma-separated): {', '.join(FIGURES)}",
    )
    parser.add_argument("--runs", type=int, help="runs per figure (default 5, 2 with --quick)")
    args = parser.parse_args(argv)
    only = [name.strip() for item in args.only for name in item.split(",") if name.strip()]
    unknown = [name for name in only if name not in FIGURES]
    if unknown:
        parser.error(f"unknown figure(s) {', '.join(unknown)}; choose from {', '.join(FIGURES)}")
    args.only = only
    return args


def _run_figure(figure_id: str, ctx: Context) -> Figure:
    title, run = FIGURES[figure_id]
    print(f"== {figure_id}: {title}", file=sys.stderr, flush=True)
    started = time.perf_counter()
    try:
        fig = run(ctx)
    except (Unavailable, Skip) as exc:
        fig = Figure(figure_id, title, skipped=str(exc))
    except Exception as exc:  # a benchmark reports, it never fails the run
        traceback.print_exc()
        fig = Figure(figure_id, title, skipped=f"error: {type(exc).__name__}: {exc}")
    fig.seconds = time.perf_counter() - started
    if fig.skipped:
        print(f"   skipped: {fig.skipped}", file=sys.stderr, flush=True)
    return fig


def _meta(ctx: Context) -> dict[str, Any]:
    try:
        revision = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
    except OSError:
        revision = ""
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "quick": ctx.quick,
        "runs": ctx.runs,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "revision": revision,
    }


def _write(path: Path, text: str) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(text, "utf-8")
    os.replace(tmp, path)


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    runs = args.runs or (2 if args.quick else 5)
    ctx = Context(quick=args.quick, runs=runs)
    selected = args.only or list(FIGURES)
    meta = _meta(ctx)
    figures = [_run_figure(figure_id, ctx) for figure_id in selected]
    records = {f.id: {**f.to_json(), "measured": meta} for f in figures}

    RESULTS.mkdir(parents=True, exist_ok=True)
    latest = RESULTS / "latest.json"
    if args.only and latest.is_file():  # keep the other figures of the last full run
        try:
            previous = json.loads(latest.read_text("utf-8"))["figures"]
        except (ValueError, KeyError):
            previous = []
        kept = {r["id"]: r for r in previous if r.get("id") in FIGURES}
        records = {
            fid: records.get(fid) or kept[fid] for fid in FIGURES if fid in records or fid in kept
        }
    document = {"meta": meta, "figures": list(records.values())}
    _write(latest, json.dumps(document, indent=2) + "\n")
    _write(RESULTS / "latest.md", markdown(document))
    print()
    print(table(document))
    print(f"\nwrote {latest.relative_to(ROOT)} and {(RESULTS / 'latest.md').relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
