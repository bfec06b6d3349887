"""What the run exercised and what failed: the coverage table, the failures with their curl
lines, redaction of secrets, and the markdown summary written at session end."""

from __future__ import annotations

import re
import threading
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

__all__ = [
    "RECORDER",
    "REDACTOR",
    "FailureEntry",
    "Recorder",
    "Redactor",
    "quote",
    "write_receiver_summary",
    "write_summary",
]


class Redactor:
    """Replaces every secret the run knows (client secret, tokens) and any bearer token."""

    _BEARER = re.compile(r"(?i)(bearer\s+)(?!\$ENODE_TOKEN)[A-Za-z0-9._~+/=-]{8,}")
    _BASIC = re.compile(r"(?i)(basic\s+)[A-Za-z0-9+/=]{8,}")
    _AUTH_HEADER = re.compile(r"""-H\s+(['"])Authorization:\s*[^'"]*\1""")

    def __init__(self) -> None:
        self._secrets: set[str] = set()
        self._lock = threading.Lock()

    def add(self, secret: str | None) -> None:
        if secret and len(secret) >= 4:
            with self._lock:
                self._secrets.add(secret)

    def __call__(self, text: str) -> str:
        with self._lock:
            secrets = sorted(self._secrets, key=len, reverse=True)
        for secret in secrets:
            text = text.replace(secret, "[REDACTED]")
        text = self._AUTH_HEADER.sub('-H "Authorization: Bearer $ENODE_TOKEN"', text)
        text = self._BEARER.sub(r"\1[REDACTED]", text)
        return self._BASIC.sub(r"\1[REDACTED]", text)


REDACTOR = Redactor()

_CURL = re.compile(r"curl\s+-X\s+[A-Z]+\s.*")


def curl_lines(text: str) -> list[str]:
    seen: list[str] = []
    for match in _CURL.finditer(text):
        line = match.group(0).strip()
        if line not in seen:
            seen.append(line)
    return seen


@dataclass
class FailureEntry:
    nodeid: str
    summary: str
    curls: list[str]


@dataclass
class Recorder:
    """Counts every response by (version, operationId, status); collects failures."""

    counts: Counter[tuple[str, str, int]] = field(default_factory=Counter)
    unmatched: Counter[tuple[str, int]] = field(default_factory=Counter)
    failures: list[FailureEntry] = field(default_factory=list)
    # (version, named check, passed) -> evaluations (checks.py)
    checks: Counter[tuple[str, str, bool]] = field(default_factory=Counter)
    # status -> answers waited out as their Retry-After said and sent again (targets.py)
    retries: Counter[int] = field(default_factory=Counter)
    passed: int = 0
    skipped: int = 0
    # why tests were skipped -> how many (read-only live target, spent request budget, ...)
    skip_reasons: Counter[str] = field(default_factory=Counter)
    # (version, answer) -> deliveries to the user's webhook receiver (checks.ReceiverChecks)
    receiver_answers: Counter[tuple[str, str]] = field(default_factory=Counter)
    # (METHOD, path) -> sequence number of its last 2xx answer (request order)
    last_success: dict[tuple[str, str], int] = field(default_factory=dict)
    _sequence: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, version: str | None, method: str, path: str, status: int) -> None:
        from . import _st
        from .options import ALL_VERSIONS, current

        versions = current().versions
        op = _st.operation_id(version, method, path) if version in versions else None
        with self._lock:
            self._sequence += 1
            if 200 <= status < 300:
                self.last_success[(method.upper(), path)] = self._sequence
            if op is not None and version is not None:
                self.counts[(version, op, status)] += 1
                return
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
            self.unmatched[(kind, status)] += 1

    def succeeded_after(self, first: tuple[str, str], then: tuple[str, str]) -> bool:
        """Whether `then` (METHOD, path) last succeeded after `first` last succeeded."""
        with self._lock:
            a = self.last_success.get(first)
            b = self.last_success.get(then)
        return a is not None and b is not None and b > a

    def forget_successes(self) -> None:
        """The mock was reset: what succeeded before no longer exists."""
        with self._lock:
            self.last_success.clear()

    def add_retry(self, status: int) -> None:
        with self._lock:
            self.retries[status] += 1

    def add_check(self, version: str, check: str, *, passed: bool) -> None:
        with self._lock:
            self.checks[(version, check, passed)] += 1

    def add_receiver_answer(self, version: str, answer: str) -> None:
        with self._lock:
            self.receiver_answers[(version, answer)] += 1

    def add_skip(self, reason: str) -> None:
        with self._lock:
            self.skipped += 1
            self.skip_reasons[reason.removeprefix("Skipped: ")] += 1

    def add_failure(self, nodeid: str, text: str) -> None:
        text = REDACTOR(text)
        summary = _failure_summary(text)
        with self._lock:
            self.failures.append(FailureEntry(nodeid, summary, curl_lines(text)))


RECORDER = Recorder()


def _failure_summary(text: str) -> str:
    wanted = re.compile(
        r"^\s*(\|\s*)?(- (ST|EN)\d{3} .*|Expected: .*|\[\d{3}\] .*|`\{.*|E\s+.*"
        r"|.*Error: .*|AssertionError.*)$"
    )
    picked: list[str] = []
    for line in text.splitlines():
        if wanted.match(line):
            clean = re.sub(r"^\s*(\|\s*)?(E\s+)?", "", line).strip()
            if clean and clean not in picked:
                picked.append(clean)
        if len(picked) >= 6:
            break
    if not picked:
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        picked = lines[-1:] if lines else ["(no message)"]
    return " / ".join(picked)[:600]


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


INTERRUPTED = 2  # pytest.ExitCode.INTERRUPTED


def _heading(title: str, options_line: str, duration: float, exitstatus: int) -> list[str]:
    """The first lines of a summary: its title, the verdict with the counts, the run."""
    rec = RECORDER
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
    *,
    options_line: str,
    versions: tuple[str, ...],
    documented: dict[str, dict[str, list[str]]],
    waivers: Counter[tuple[str, str, str]],
    waiver_reasons: dict[str, tuple[str, str]],
    duration: float,
    exitstatus: int,
) -> None:
    rec = RECORDER
    lines = _heading("summary", options_line, duration, exitstatus)
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
        seen = {(op, status): n for (v, op, status), n in rec.counts.items() if v == version}
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
    if rec.unmatched:
        lines += ["", "Requests outside the table (no operation of a tested version):", ""]
        grouped: dict[str, Counter[int]] = {}
        for (what, status), n in rec.unmatched.items():
            grouped.setdefault(what, Counter())[status] += n
        for what, by_status in sorted(grouped.items()):
            cells = ", ".join(f"{status}x{n}" for status, n in sorted(by_status.items()))
            lines.append(f"- {what}: {cells}")
    lines += _failures_and_skips()
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
    lines += _check_table(versions)
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
                (status, n) for (v, o, status), n in rec.counts.items() if v == version and o == op
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


def _failures_and_skips() -> list[str]:
    rec = RECORDER
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
    *,
    options_line: str,
    receiver: str,
    versions: tuple[str, ...],
    duration: float,
    exitstatus: int,
) -> None:
    """The markdown summary of a run against the user's webhook receiver
    (--webhook-receiver): its deliveries and answers, failures, the EN6xx checks."""
    rec = RECORDER
    lines = _heading("summary (webhook receiver)", options_line, duration, exitstatus)
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
    lines += _failures_and_skips()
    lines += _check_table(versions, receiver=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(REDACTOR("\n".join(lines)) + "\n", encoding="utf-8")


def _check_table(versions: tuple[str, ...], *, receiver: bool = False) -> list[str]:
    """Named checks (checks.py) x version: evaluations passed / failed; the checks of the
    user's webhook receiver (EN6xx) in a receiver run, the target's otherwise."""
    from .checks import CHECKS

    lines = [
        "",
        "## Behaviour checks (contract_tests/checks.py): evaluations passed / failed",
        "",
        "| check | expected | " + " | ".join(versions) + " |",
        "|---|---|" + "---|" * len(versions),
    ]
    counts = RECORDER.checks
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


class RequestLog:
    """The last requests of the running test, for the curl lines of failures that are not
    schemathesis's own (scenario and client tests)."""

    def __init__(self, keep: int = 3) -> None:
        self.keep = keep
        self._entries: list[tuple[str, str, dict[str, str], bytes]] = []
        self._lock = threading.Lock()

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def add(self, method: str, url: str, headers: dict[str, str], body: bytes) -> None:
        if "/_mock/" in url or url.endswith("/oauth2/token"):
            return
        with self._lock:
            self._entries.append((method, url, headers, body))
            del self._entries[: -self.keep]

    def curls(self) -> list[str]:
        with self._lock:
            entries = list(self._entries)
        return [REDACTOR(to_curl(*entry)) for entry in entries]


def quote(text: str) -> str:
    """`text` as one single-quoted shell word."""
    return "'" + text.replace("'", "'\"'\"'") + "'"


_SKIP_HEADERS = frozenset(
    {"host", "content-length", "accept-encoding", "connection", "user-agent", "accept"}
)


def to_curl(method: str, url: str, headers: dict[str, str], body: bytes) -> str:
    parts = ["curl", "-X", method.upper()]
    for name, value in headers.items():
        if name.lower() in _SKIP_HEADERS:
            continue
        if name.lower() == "authorization":
            parts += ["-H", '"Authorization: Bearer $ENODE_TOKEN"']
            continue
        parts += ["-H", quote(f"{name}: {value}")]
    if body:
        parts += ["-d", quote(body.decode("utf-8", "replace"))]
    parts.append(quote(url))
    return " ".join(parts)


REQUEST_LOG = RequestLog()
