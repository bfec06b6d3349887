"""Wall time of the contract suite (contract_tests/) under its `ci` profile.

Reported only when the suite exists; otherwise the figure is skipped with the reason
rather than given a made-up number.
"""

from __future__ import annotations

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
    times = []
    outcome = ""
    for _ in range(runs):
        done = measure(
            [PYTHON, "-m", "enode_codegen.contract_tests", "-q", *profile],
            cwd=ROOT,
            timeout=3600,
        )
        times.append(done.seconds)
        found = _SUMMARY.findall(done.stdout)
        outcome = found[-1] if found else f"exit code {done.returncode}"
    fig.rows.append(
        Row(f"wall time, `enode-codegen contract {' '.join(profile)}`", summarize(times, "s"))
    )
    fig.notes.append(f"last run: {outcome}")
    return fig
