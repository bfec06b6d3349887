"""The reporters: the markdown summary written at session end, from the run's record
(record.py) as it stands then: the coverage table (version x operation x status), the
failures with their curl lines, the skips, the waivers used and the named checks."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from .codes import CHECKS
from .options import ALL_VERSIONS
from .record import Recorder
from .redaction import REDACTOR

__all__ = ["coverage", "write_receiver_summary", "write_summary"]


def coverage(
    record: Recorder, versions: tuple[str, ...]
) -> tuple[Counter[tuple[str, str, int]], Counter[tuple[str, int]]]:
    """The record's responses as (version, operationId, status) counts for the tested
    versions, and the rest as (what they were, status) counts."""
    counts: Counter[tuple[str, str, int]] = Counter()
    unmatched: Counter[tuple[str, int]] = Counter()
    from . import _st  # schemathesis, loaded when a summary is written, not at startup

    for (version, method, path, status), n in record.requests.items():
        op = _st.operation_id(version, method, path) if version in versions else None
        if op is not None and version is not None:
            counts[(version, op, status)] += n
            continue
        if path.startswith("/_mock"):
            kind = "the mock's admin API"
        elif path.endswith("/oauth2/token"):
            kind = "the token endpoint"
        elif version in ALL_VERSIONS:
            kind = "a method or path the version does not document (coverage probes)"
        elif not version:
            kind = "no Enode-Version header"
        else:
            kind = "an unsupported Enode-Version (negative cases)"
        unmatched[(kind, status)] += n
    return counts, unmatched


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


INTERRUPTED = 2  # pytest.ExitCode.INTERRUPTED


def _heading(
    record: Recorder, title: str, options_line: str, duration: float, exitstatus: int
) -> list[str]:
    """The first lines of a summary: its title, the verdict with the counts, the run."""
    rec = record
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    verdict = (
        "INTERRUPTED"  # pytest.ExitCode.INTERRUPTED: Ctrl-C, the counts are of what ran
        if exitstatus == INTERRUPTED
        else "PASSED"
        if exitstatus == 0 and not rec.failures
        else "FAILED"
    )
    return [
        f"# Enode contract tests: {title}",
        "",
        f"{verdict} at {when} in {duration:.1f} s: {rec.passed} passed, "
        f"{len(rec.failures)} failed, {rec.skipped} skipped.",
        "",
        f"Run: {options_line}",
        "",
    ]


def write_summary(
    path: Path,
    record: Recorder,
    *,
    options_line: str,
    versions: tuple[str, ...],
    documented: dict[str, dict[str, list[str]]],
    waivers: Counter[tuple[str, str, str]],
    waiver_reasons: dict[str, tuple[str, str]],
    duration: float,
    exitstatus: int,
) -> None:
    rec = record
    counts, unmatched = coverage(record, versions)
    lines = _heading(record, "summary", options_line, duration, exitstatus)
    lines += [
        "## Totals",
        "",
        "| version | operations exercised | documented responses exercised | "
        "(operation, status) pairs seen | undocumented pairs seen | requests |",
        "|---|---|---|---|---|---|",
    ]
    grand = Counter[str]()
    for version in versions:
        docs = documented.get(version, {})
        seen = {(op, status): n for (v, op, status), n in counts.items() if v == version}
        ops_seen = {op for op, _ in seen}
        documented_pairs = {
            (op, int(code)) for op, codes in docs.items() for code in codes if code.isdigit()
        }
        covered = documented_pairs & set(seen)
        undocumented = set(seen) - documented_pairs
        requests = sum(seen.values())
        lines.append(
            f"| {version} | {len(ops_seen & set(docs))} of {len(docs)} | {len(covered)} of "
            f"{len(documented_pairs)} | {len(seen)} | {len(undocumented)} | {requests} |"
        )
        grand["ops"] += len(ops_seen & set(docs))
        grand["ops_total"] += len(docs)
        grand["covered"] += len(covered)
        grand["documented"] += len(documented_pairs)
        grand["pairs"] += len(seen)
        grand["undocumented"] += len(undocumented)
        grand["requests"] += requests
    lines.append(
        f"| **all** | {grand['ops']} of {grand['ops_total']} | {grand['covered']} of "
        f"{grand['documented']} | {grand['pairs']} | {grand['undocumented']} | "
        f"{grand['requests']} |"
    )
    if rec.retries:
        waited = ", ".join(f"{status}x{n}" for status, n in sorted(rec.retries.items()))
        lines += ["", f"Answers waited out as their Retry-After said and sent again: {waited}."]
    if unmatched:
        lines += ["", "Requests outside the table (no operation of a tested version):", ""]
        grouped: dict[str, Counter[int]] = {}
        for (what, status), n in unmatched.items():
            grouped.setdefault(what, Counter())[status] += n
        for what, by_status in sorted(grouped.items()):
            cells = ", ".join(f"{status}x{n}" for status, n in sorted(by_status.items()))
            lines.append(f"- {what}: {cells}")
    lines += _failures_and_skips(record)
    lines += ["", "## Waivers used (contract_tests/exceptions.py)", ""]
    if not waivers:
        lines.append("None.")
    else:
        lines += [
            "| waiver | blame | version | operation | failures dropped |",
            "|---|---|---|---|---|",
        ]
        for (wid, version, op), n in sorted(waivers.items()):
            blame = waiver_reasons.get(wid, ("?", ""))[0]
            lines.append(f"| {wid} | {blame} | {version} | {op} | {n} |")
        lines += [""]
        for wid in sorted({w for w, _, _ in waivers}):
            blame, reason = waiver_reasons.get(wid, ("?", ""))
            lines.append(f"- **{wid}** ({blame}): {_md(reason)}")
    lines += _check_table(record, versions)
    lines += ["", "## Coverage: version x operation x status code (responses counted)", ""]
    for version in versions:
        docs = documented.get(version, {})
        lines += [
            f"### {version}",
            "",
            "| operation | exercised (status x count) | documented, not seen |",
            "|---|---|---|",
        ]
        for op in sorted(docs):
            statuses: list[tuple[int, int]] = sorted(
                (status, n) for (v, o, status), n in counts.items() if v == version and o == op
            )
            cells = " ".join(
                f"{status}{'' if str(status) in docs[op] else '(!)'}x{n}" for status, n in statuses
            )
            missing = [
                c for c in docs[op] if c.isdigit() and int(c) not in {s for s, _ in statuses}
            ]
            lines.append(f"| {op} | {cells or '-'} | {' '.join(missing) or '-'} |")
        lines.append("")
    lines.append("`(!)`: a status the spec does not document for the operation.")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(REDACTOR("\n".join(lines)) + "\n", encoding="utf-8")


def _failures_and_skips(record: Recorder) -> list[str]:
    rec = record
    lines = ["", "## Failures", ""]
    if not rec.failures:
        lines.append("None.")
    for entry in rec.failures:
        lines += [f"### `{entry.nodeid}`", "", _md(entry.summary), ""]
        if entry.curls:
            lines += ["```sh", *entry.curls, "```", ""]
        else:
            lines += ["(no request was involved)", ""]
    lines += ["", "## Skipped", ""]
    if not rec.skip_reasons:
        lines.append("None.")
    else:
        lines += ["| tests | why |", "|---|---|"]
        for why, n in sorted(rec.skip_reasons.items(), key=lambda item: (-item[1], item[0])):
            lines.append(f"| {n} | {_md(why)} |")
    return lines


def write_receiver_summary(
    path: Path,
    record: Recorder,
    *,
    options_line: str,
    receiver: str,
    versions: tuple[str, ...],
    duration: float,
    exitstatus: int,
) -> None:
    """The markdown summary of a run against the user's webhook receiver
    (--webhook-receiver): its deliveries and answers, failures, the EN6xx checks."""
    rec = record
    lines = _heading(record, "summary (webhook receiver)", options_line, duration, exitstatus)
    lines += [
        "## Webhook receiver",
        "",
        f"Deliveries sent to {receiver}, signed with the webhook's secret (Enode's scheme):",
        "",
        "| version | deliveries | answers (status x count) |",
        "|---|---|---|",
    ]
    for version in versions:
        answers = {a: n for (v, a), n in rec.receiver_answers.items() if v == version}
        cells = " ".join(f"{answer}x{n}" for answer, n in sorted(answers.items()))
        lines.append(f"| {version} | {sum(answers.values())} | {_md(cells) or '-'} |")
    lines += _failures_and_skips(record)
    lines += _check_table(record, versions, receiver=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(REDACTOR("\n".join(lines)) + "\n", encoding="utf-8")


def _check_table(
    record: Recorder, versions: tuple[str, ...], *, receiver: bool = False
) -> list[str]:
    """Named checks (codes.py) x version: evaluations passed / failed; the checks of the
    user's webhook receiver (EN6xx) in a receiver run, the target's otherwise."""
    lines = [
        "",
        "## Behaviour checks (contract_tests/codes.py): evaluations passed / failed",
        "",
        "| check | expected | " + " | ".join(versions) + " |",
        "|---|---|" + "---|" * len(versions),
    ]
    counts = record.checks
    for check in CHECKS.values():
        if check.receiver != receiver:
            continue
        cells = []
        for version in versions:
            ok = counts.get((version, check.name, True), 0)
            bad = counts.get((version, check.name, False), 0)
            cells.append(f"{ok} / **{bad}**" if bad else (f"{ok} / 0" if ok else "-"))
        lines.append(
            f"| {check.code} `{check.name}` | {_md(check.expected)} | " + " | ".join(cells) + " |"
        )
    if receiver:
        lines += ["", "`-`: not exercised (the version's spec declares no webhooks)."]
    else:
        lines += [
            "",
            "`-`: not exercised (a read-only target skips the checks that write). The checks "
            "of a user's webhook receiver (EN601-EN608) run with `--webhook-receiver URL`.",
        ]
    return lines
