"""Generation figures: all four versions cold, the no-op regeneration, a large public spec.

Ours is `python -m enode_codegen.generator generate` in a fresh process writing to an empty folder;
theirs is openapi-python-client's `generate` on the same documents (the bundled JSON of
each version, one process per document, as its CLI takes one document). Both format
their output with ruff. Wall time and peak RSS come from `measure` (os.wait4).
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from .. import peers
from ..common import (
    CACHE,
    PYTHON,
    ROOT,
    Context,
    Figure,
    Process,
    Row,
    Skip,
    Unavailable,
    measure,
    ratio_row,
    scratch_dir,
)
from ..common import summarize as stats
from ..synthetic import write_synthetic
from .specs import bundled_specs, count_operations

__all__ = [
    "full_generation",
    "large_spec",
    "large_spec_one_core",
    "regeneration",
    "synthetic_spec",
]

_OURS_REPORT = re.compile(r"^(\S+): (\d+) operations, (\d+) models", re.MULTILINE)
OPC = "opc 0.29.1"


def _ours(args: list[str], output: Path, timeout: float = 1800.0) -> Process:
    return measure(
        [PYTHON, "-m", "enode_codegen.generator", "generate", *args, "--output", output],
        cwd=ROOT,
        timeout=timeout,
    ).check()


def _theirs(opc: Path, spec: Path, output: Path, cwd: Path, timeout: float = 1800.0) -> Process:
    return measure(
        [opc, "generate", "--path", spec, "--output-path", output],
        cwd=cwd,
        env=peers.opc_env(opc),
        timeout=timeout,
    ).check()


def _our_operations(done: Process) -> int:
    return sum(int(m.group(2)) for m in _OURS_REPORT.finditer(done.stdout))


def _their_endpoints(output: Path) -> int:
    """Endpoint functions openapi-python-client wrote: one `sync_detailed` per operation."""
    return sum(
        1 for p in output.rglob("api/**/*.py") if "def sync_detailed(" in p.read_text("utf-8")
    )


def _ratio_row(
    metric: str, ours: list[float], theirs: list[float], unit: str, target: str, limit: float
) -> Row:
    return ratio_row(
        metric, stats(ours, unit), stats(theirs, unit), OPC, target, lambda r: r <= limit
    )


def _peer(fig: Figure) -> Path | None:
    try:
        return peers.ensure_opc()
    except Unavailable as exc:
        fig.notes.append(f"{OPC} unavailable, ours measured alone: {exc}")
        return None


def full_generation(ctx: Context) -> Figure:
    """All four versions from scratch: ours (one process) vs openapi-python-client (4)."""
    fig = Figure("generation", "Full generation of all four versions (cold)")
    specs = bundled_specs()
    opc = _peer(fig)
    times: dict[str, list[float]] = {"ours": [], "theirs": []}
    rss: dict[str, list[float]] = {"ours": [], "theirs": []}
    operations = {"ours": 0, "theirs": 0}
    for run in range(ctx.runs):
        scratch = scratch_dir("generation-")
        try:
            order = ("ours", "theirs") if run % 2 == 0 else ("theirs", "ours")
            for who in order:
                if who == "ours":
                    done = _ours([], scratch / "ours")
                    times["ours"].append(done.seconds)
                    rss["ours"].append(done.peak_rss_mb)
                    operations["ours"] = _our_operations(done)
                elif opc is not None:
                    runs = [
                        _theirs(opc, spec, scratch / "theirs" / version, scratch)
                        for version, spec in specs.items()
                    ]
                    times["theirs"].append(sum(r.seconds for r in runs))
                    rss["theirs"].append(max(r.peak_rss_mb for r in runs))
                    operations["theirs"] = _their_endpoints(scratch / "theirs")
            ctx.log(
                f"generation run {run + 1}: ours {times['ours'][-1]:.2f}s"
                + (f", theirs {times['theirs'][-1]:.2f}s" if times["theirs"] else "")
            )
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    if opc is None:
        fig.rows.append(
            Row("wall time, 4 versions", stats(times["ours"], "s"), target="not slower")
        )
        return fig
    fig.rows.append(
        _ratio_row("wall time, 4 versions", times["ours"], times["theirs"], "s", "<= 1.00x", 1.0)
    )
    fig.rows.append(
        _ratio_row("peak RSS (largest process)", rss["ours"], rss["theirs"], "MB", "", 0)
    )
    total = sum(count_operations(json.loads(p.read_text())) for p in specs.values())
    fig.notes.append(
        f"operations generated: ours {operations['ours']}, theirs {operations['theirs']} "
        f"(of {total} in the four documents)"
    )
    fig.notes.append(
        "ours: one `python -m enode_codegen.generator generate` for the four versions; theirs: one "
        "`openapi-python-client generate` per bundled document, times summed"
    )
    return fig


STAMP = ".enode-codegen-stamp.json"  # generator/stamp.py: rewritten only by a real generation


def _stamp_time(folder: Path) -> int:
    stamp = folder / STAMP
    return stamp.stat().st_mtime_ns if stamp.is_file() else 0


def regeneration(ctx: Context) -> Figure:
    """`generate` again when nothing changed (the stamp shortcut), in a fresh process.

    A run that rewrote the stamp was not a no-op (an input such as spec/ changed while
    the benchmark ran): it is dropped and noted, and the next run is a no-op again.
    """
    fig = Figure("regeneration", "Regeneration when nothing changed")
    scratch = scratch_dir("regeneration-")
    times: list[float] = []
    redone = 0
    try:
        _ours([], scratch)  # the cold run that leaves the stamp; not timed
        while len(times) < ctx.runs and redone <= ctx.runs:
            before = _stamp_time(scratch)
            done = _ours([], scratch)
            if _stamp_time(scratch) != before:
                redone += 1
            else:
                times.append(done.seconds)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    if redone:
        fig.notes.append(
            f"{redone} run(s) regenerated because an input changed during the benchmark; "
            "they are not counted"
        )
    if not times:
        raise Skip("every run regenerated: the inputs kept changing while the benchmark ran")
    mine = stats(times, "s")
    fig.rows.append(
        Row(
            "wall time, `generate` with nothing changed",
            mine,
            target="< 1 s",
            verdict="met" if mine.median < 1.0 else "missed",
        )
    )
    fig.notes.append("includes interpreter start-up and hashing every input and output file")
    return fig


_THEIR_SKIPS = {
    "endpoints not generated": "will not be generated",
    "responses omitted": "response will be omitted",
    "schemas not processed": "Unable to process schema",
}


def _failure(done: Process) -> str:
    lines = [line for line in (done.stderr or done.stdout).strip().splitlines() if line.strip()]
    shown = " / ".join(line.strip() for line in lines[:2])
    return f"exit code {done.returncode}: {shown[:300]}"


@dataclass
class _Side:
    """What one generator did with the large spec, over the runs."""

    seconds: list[float] = field(default_factory=list)
    rss: list[float] = field(default_factory=list)
    tree: list[float] = field(default_factory=list)  # all processes at once (PSS)
    operations: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    failed: str = ""


def _large_ours(spec: Path, output: Path, side: _Side, prefix: tuple[str, ...]) -> None:
    done = measure(
        [*prefix, PYTHON, "-m", "enode_codegen.generator", "generate", spec, "--no-enode-rules",
         "--package", "large_client", "--output", output],
        cwd=ROOT,
        timeout=3600,
        tree_memory=True,
    )  # fmt: skip
    if done.returncode != 0:
        side.failed = _failure(done)
        return
    side.seconds.append(done.seconds)
    side.rss.append(done.peak_rss_mb)
    side.tree.append(done.tree_peak_mb or 0.0)
    side.operations = _our_operations(done)
    lines = done.stderr.splitlines()
    side.counts["operations typed loosely"] = sum("typed loosely" in line for line in lines)
    side.counts["model warnings"] = sum("warning: models" in line for line in lines)


def _large_theirs(
    opc: Path, spec: Path, scratch: Path, side: _Side, prefix: tuple[str, ...], timeout: float
) -> None:
    output = scratch / "theirs"
    done = measure(
        [*prefix, opc, "generate", "--path", spec, "--output-path", output],
        cwd=scratch,
        env=peers.opc_env(opc),
        timeout=timeout,
        tree_memory=True,
    )
    if done.returncode != 0 or not output.is_dir():
        side.failed = _failure(done)
        return
    side.seconds.append(done.seconds)
    side.rss.append(done.peak_rss_mb)
    side.tree.append(done.tree_peak_mb or 0.0)
    side.operations = _their_endpoints(output)
    log = done.stdout + done.stderr
    side.counts = {label: log.count(needle) for label, needle in _THEIR_SKIPS.items()}


def _one_core() -> tuple[str, ...]:
    """`taskset -c 0`: the command and every process it starts on the first core only."""
    taskset = shutil.which("taskset")
    if taskset is None:
        raise Skip("taskset (util-linux) is not on PATH")
    return (taskset, "-c", "0")


def large_spec(ctx: Context) -> Figure:
    """GitHub's REST API (1223 operations): operations generated, time and peak memory."""
    fig = Figure("large-spec", "A large public spec: GitHub REST API (@octokit/openapi 23.0.2)")
    _side_by_side(ctx, fig, peers.ensure_github_spec(), 2 if ctx.quick else ctx.runs)
    fig.notes.append(
        "ours validates in a forked process beside generation, so memory is also given for "
        "all processes at once"
    )
    return fig


def large_spec_one_core(ctx: Context) -> Figure:
    """The same as `large-spec`, both sides pinned to one core with `taskset -c 0`."""
    fig = Figure("large-spec-1core", "GitHub REST API on one core (taskset -c 0, both sides)")
    _side_by_side(ctx, fig, peers.ensure_github_spec(), 2 if ctx.quick else 3, _one_core())
    fig.notes.append(
        "both generators and every process they start run on core 0 only: ours validates in "
        "a forked process that now competes with generation for that core"
    )
    return fig


SYNTHETIC_OPERATIONS = 5000


def synthetic_spec(ctx: Context) -> Figure:
    """bench/synthetic.py's 5,000-operation document (seed 0), ours vs opc."""
    fig = Figure(
        "synthetic",
        f"A synthetic spec of {SYNTHETIC_OPERATIONS:,} operations (bench/synthetic.py, seed 0)",
    )
    path = CACHE / "synthetic" / f"synthetic-{SYNTHETIC_OPERATIONS}-0.json"
    write_synthetic(path, SYNTHETIC_OPERATIONS, seed=0)
    # opc ran 20 minutes and grew to 7 GB on it without finishing (busy machine): one try,
    # of 30 minutes (5 with --quick: it is then reported as not finished in that time)
    _side_by_side(
        ctx, fig, path, 1 if ctx.quick else 2, their_timeout=300.0 if ctx.quick else 1800.0
    )
    size = path.stat().st_size / 1e6
    fig.notes.append(
        f"{size:.1f} MB of JSON: {SYNTHETIC_OPERATIONS // 5:,} resources of five operations, "
        "each with an entity (nested objects, an enum, arrays of `$ref`s to earlier "
        "entities), an inline request body and an inline error body; "
        "`python bench/synthetic.py N` writes it for any N"
    )
    return fig


def _side_by_side(
    ctx: Context,
    fig: Figure,
    spec: Path,
    runs: int,
    prefix: tuple[str, ...] = (),
    their_timeout: float = 3600.0,
) -> None:
    """Ours and opc on `spec`, `runs` times each, alternating which goes first: rows for
    operations generated, wall time, all-process memory and the largest process's."""
    total = count_operations(json.loads(spec.read_text("utf-8")))
    opc = _peer(fig)
    ours, theirs = _Side(), _Side()
    for run in range(runs):
        scratch = scratch_dir("large-")
        try:
            for who in ("ours", "theirs") if run % 2 == 0 else ("theirs", "ours"):  # alternate
                if who == "ours" and not ours.failed:
                    _large_ours(spec, scratch / "ours", ours, prefix)
                elif who == "theirs" and opc is not None and not theirs.failed:
                    _large_theirs(opc, spec, scratch, theirs, prefix, their_timeout)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
        ctx.log(
            f"{fig.id} run {run + 1}: "
            + ", ".join(
                f"{who} "
                + ("failed" if side.failed else f"{side.seconds[-1]:.1f}s {side.tree[-1]:.0f} MB")
                for who, side in (("ours", ours), ("theirs", theirs))
                if who == "ours" or opc is not None
            )
        )
    have_peer = opc is not None and not theirs.failed
    peer_ops = stats([theirs.operations], "ops") if have_peer else None
    fig.rows.append(
        Row(
            f"operations generated (of {total})",
            None if ours.failed else stats([ours.operations], "ops"),
            peer_ops,
            OPC if have_peer else "",
            ours.operations / theirs.operations
            if have_peer and theirs.operations and not ours.failed
            else None,
            "ours/theirs",
            f"all {total}",
            "missed: ours failed"
            if ours.failed
            else ("met" if ours.operations == total else "missed"),
        )
    )
    for metric, unit, attr, target in (
        ("wall time", "s", "seconds", 1.0),
        ("peak memory, all processes at once (PSS)", "MB", "tree", 1.0),
        ("peak RSS, largest process", "MB", "rss", None),
    ):
        mine = stats(getattr(ours, attr), unit) if not ours.failed else None
        peer = stats(getattr(theirs, attr), unit) if have_peer else None
        ratio = mine.median / peer.median if mine and peer else None
        fig.rows.append(
            Row(
                metric,
                mine,
                peer,
                OPC if peer else "",
                ratio,
                "ours/theirs",
                f"<= {target:.2f}x" if target else "",
                ("met" if ratio <= target else "missed") if target and ratio else "",
            )
        )
    if ours.failed:
        fig.notes.append(f"ours failed: {ours.failed}")
    else:
        fig.notes.append(
            "ours: " + ", ".join(f"{n} {label}" for label, n in ours.counts.items()) + " (warned)"
        )
    if theirs.failed:
        fig.notes.append(f"{OPC} failed: {theirs.failed}")
    elif have_peer:
        fig.notes.append(
            f"{OPC}: " + ", ".join(f"{n} {label}" for label, n in theirs.counts.items())
            + " (its warnings)"
        )  # fmt: skip
    fig.notes.append(f"{runs} run(s) per side, alternating which goes first")
