"""Command-line options of the contract suite, parsed once per pytest run.

`conftest.py` declares them (`pytest_addoption`) and stores the parsed `Options` here in
`pytest_configure`, before collection, so test modules can read them at import time
(`current()`), e.g. to build one schemathesis schema per selected version.
"""

from __future__ import annotations

import os
import random
from dataclasses import dataclass, field
from pathlib import Path

from enode_codegen.generator.paths import CHECKOUT_ROOT, packaged_versions

from .profiles import PROFILES, Profile

__all__ = ["ALL_VERSIONS", "REPORTS", "Options", "add_options", "current", "set_current"]

# reports land in the checkout's reports/contract/, or ./enode-contract-reports/ when installed
REPORTS = (
    CHECKOUT_ROOT / "reports" / "contract" if CHECKOUT_ROOT else Path("enode-contract-reports")
)
ALL_VERSIONS: tuple[str, ...] = tuple(packaged_versions())

TARGETS = ("mock", "live")


@dataclass(frozen=True)
class Options:
    target: str = "mock"
    mock_server: bool = False
    fault: str | None = None
    allow_writes: bool = False
    max_rps: float | None = None
    max_requests: int | None = None
    profile: Profile = field(default_factory=lambda: PROFILES["ci"])
    seed: int = 0
    seed_given: bool = False
    versions: tuple[str, ...] = ALL_VERSIONS
    summary_path: Path = REPORTS / "summary.md"

    @property
    def live(self) -> bool:
        return self.target == "live"

    @property
    def writes_allowed(self) -> bool:
        """Non-GET requests are sent: always against the mock, only on request when live."""
        return not self.live or self.allow_writes


_CURRENT: Options | None = None


def current() -> Options:
    if _CURRENT is None:  # imported outside a pytest run (e.g. by a tool): the defaults
        return Options()
    return _CURRENT


def set_current(options: Options) -> None:
    global _CURRENT
    _CURRENT = options


def add_options(parser: object) -> None:
    group = parser.getgroup("contract", "Enode contract tests")  # type: ignore[attr-defined]
    group.addoption(
        "--target",
        choices=TARGETS,
        default="mock",
        help="what to test: 'mock' (default, the embedded mock) or 'live' (ENODE_BASE_URL, "
        "ENODE_TOKEN_URL, ENODE_CLIENT_ID, ENODE_CLIENT_SECRET; optional ENODE_VERSIONS)",
    )
    group.addoption(
        "--mock-server",
        action="store_true",
        help="mock target: spawn `enode-mock serve` on a free 127.0.0.1 port instead of "
        "calling the app in-process",
    )
    group.addoption(
        "--fault",
        default=None,
        metavar="NAME",
        help="mock target: wrap the mock in the named fault (contract_tests/faults.py) to "
        "prove the suite catches it",
    )
    group.addoption(
        "--allow-writes",
        action="store_true",
        help="live target: also send non-GET requests (actions, schedules, link, delete)",
    )
    group.addoption(
        "--max-rps",
        type=float,
        default=None,
        help="requests per second at most (default: unlimited for the mock, 5 live)",
    )
    group.addoption(
        "--max-requests",
        type=int,
        default=None,
        help="request budget of the run; tests past it are skipped (default: unlimited for "
        "the mock, 3000 live)",
    )
    group.addoption(
        "--profile",
        choices=sorted(PROFILES),
        default="ci",
        help="how hard to test: ci (default, bounded), thorough, fault (the fast proof run)",
    )
    group.addoption(
        "--seed",
        type=int,
        default=None,
        help="seed of hypothesis and schemathesis (default: random, printed in the header "
        "and the summary)",
    )
    group.addoption(
        "--versions",
        default=None,
        help="comma-separated Enode-Versions to test (default: every version in spec/, or "
        "ENODE_VERSIONS when live)",
    )
    group.addoption(
        "--summary",
        default=str(REPORTS / "summary.md"),
        help="where to write the markdown summary (default reports/contract/summary.md)",
    )


def from_pytest(config: object) -> Options:
    get = config.getoption  # type: ignore[attr-defined]
    target = get("--target")
    live = target == "live"
    seed_option = get("--seed")
    seed = seed_option if seed_option is not None else random.SystemRandom().randrange(2**31)
    raw_versions = get("--versions")
    if raw_versions is None and live:
        raw_versions = os.environ.get("ENODE_VERSIONS")
    if raw_versions:
        versions = tuple(v.strip() for v in raw_versions.split(",") if v.strip())
        unknown = [v for v in versions if v not in ALL_VERSIONS]
        if unknown:
            raise ValueError(
                f"unknown Enode-Version(s) {', '.join(unknown)}; "
                f"spec/ has {', '.join(ALL_VERSIONS)}"
            )
    else:
        versions = ALL_VERSIONS
    max_rps = get("--max-rps")
    max_requests = get("--max-requests")
    if live:
        max_rps = 5.0 if max_rps is None else max_rps
        max_requests = 3000 if max_requests is None else max_requests
    fault = get("--fault")
    if fault is not None and live:
        raise ValueError("--fault wraps the mock; it cannot be combined with --target live")
    return Options(
        target=target,
        mock_server=bool(get("--mock-server")),
        fault=fault,
        allow_writes=bool(get("--allow-writes")),
        max_rps=max_rps if max_rps and max_rps > 0 else None,
        max_requests=max_requests if max_requests and max_requests > 0 else None,
        profile=PROFILES[get("--profile")],
        seed=seed,
        seed_given=seed_option is not None,
        versions=versions,
        summary_path=Path(get("--summary")),
    )
