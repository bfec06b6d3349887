"""Wall time of the contract suite (contract_tests/) under its `ci` profile.

Reported only when the suite exists; otherwise the figure is skipped with the reason
rather than given a made-up number.
"""

from __future__ import annotations

import os
import re

from ..common import PYTHON, ROOT, Context, Figure, Row, Skip, measure, summarize

__all__ = ["contract_suite"]

SUITE = ROOT / "src" / "enode_codegen" / "contract_tests"
_SUMMARY = re.compile(
    r"^=* ?(\d+ (?:passed|failed|errors?|skipped|xfailed|deselected)\b.*?) in [\d.]+s",
    re.MULTILINE,
)


def _profile_args() -> list[str]:
    """`--profile ci` when the suite declares a `--profile` option (contract_tests/options.py)."""
    for path in SUITE.glob("*.py"):
        if '"--profile"' in path.read_text("utf-8"):
            return ["--profile", "ci"]
    return []


def contract_suite(ctx: Context) -> Figure:
    """`enode-codegen contract` with the ci profile, in a fresh process."""
    fig = Figure("contract", "Contract suite, ci profile")
    tests = sorted(SUITE.rglob("test_*.py")) if SUITE.is_dir() else []
    if not tests:
        raise Skip(
            "not available: contract_tests/ holds no tests yet "
            "(`nox -s contract` runs validate + generate only)"
        )
    profile = _profile_args()
    if not profile:
        fig.notes.append("contract_tests/ declares no --profile option; ran its default")
    runs = 1 if ctx.quick else min(ctx.runs, 3)
    cores = len(os.sched_getaffinity(0))
    # serial (today's one process) beside the default: every usable core (--workers)
    sides = {1: [], cores: []} if cores > 1 else {1: []}
    outcome = ""
    for run in range(runs):
        order = sorted(sides) if run % 2 == 0 else sorted(sides, reverse=True)
        for workers in order:
            done = measure(
                [
                    PYTHON,
                    "-m",
                    "enode_codegen.contract_tests",
                    "-q",
                    *profile,
                    "--workers",
                    str(workers),
                ],
                cwd=ROOT,
                timeout=3600,
            )
            sides[workers].append(done.seconds)
            found = _SUMMARY.findall(done.stdout)
            outcome = found[-1] if found else f"exit code {done.returncode}"
    for workers, times in sides.items():
        label = "1 process" if workers == 1 else f"{workers} workers"
        fig.rows.append(
            Row(
                f"wall time, `enode-codegen contract {' '.join(profile)} --workers {workers}` "
                f"({label}, mock start-up included)",
                summarize(times, "s"),
            )
        )
    fig.notes.append(f"last run: {outcome}; runs alternate which side goes first")
    return fig
