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
from urllib.parse import urlsplit

from enode_codegen.generator.paths import CHECKOUT_ROOT, packaged_versions
from enode_codegen.runtime._webhooks import SECRET_ENV

from .profiles import PROFILES, Profile

__all__ = [
    "ALL_VERSIONS",
    "REPORTS",
    "Options",
    "add_options",
    "current",
    "set_current",
    "webhook_options",
]

# reports land in the checkout's reports/contract/, or ./enode-contract-reports/ when installed
REPORTS = (
    CHECKOUT_ROOT / "reports" / "contract" if CHECKOUT_ROOT else Path("enode-contract-reports")
)
ALL_VERSIONS: tuple[str, ...] = tuple(packaged_versions())

TARGETS = ("mock", "live")


@dataclass(frozen=True)
class Options:
    target: str = "mock"  # "mock", "live" or a running server's URL
    # --target URL: whether the server there is an enode-mock (its admin API answers), so
    # the suite resets it and moves its clock; any other server is tested as a live one
    server_is_mock: bool = False
    mock_server: bool = False
    fault: str | None = None
    allow_writes: bool = False
    max_rps: float | None = None
    max_requests: int | None = None
    # seconds the whole run may spend waiting for live actions to leave PENDING
    action_wait: float = 300.0
    profile: Profile = field(default_factory=lambda: PROFILES["ci"])
    seed: int = 0
    seed_given: bool = False
    # processes running the tests (parallel.py); None: the cores this process may use
    workers: int | None = None
    versions: tuple[str, ...] = ALL_VERSIONS
    summary_path: Path = REPORTS / "summary.md"
    # the user's webhook receiver (test_webhook_receiver.py): its URL, the webhook's secret
    # (never printed: kept out of repr and redacted from every report) and extra headers
    # sent with every delivery (Enode's custom `authentication` header)
    webhook_receiver: str | None = None
    webhook_secret: str | None = field(default=None, repr=False)
    webhook_headers: tuple[tuple[str, str], ...] = field(default=(), repr=False)

    @property
    def server(self) -> str | None:
        """The base URL of `--target URL`, else None."""
        return None if self.target in TARGETS else self.target

    @property
    def live(self) -> bool:
        """A real deployment: `--target live`, or a URL where no enode-mock answers."""
        return self.target == "live" or (self.server is not None and not self.server_is_mock)

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
        default="mock",
        metavar="mock|live|URL",
        help="what to test: 'mock' (default, the embedded mock); a running server's URL, "
        "e.g. http://127.0.0.1:8080 of `enode-mock serve` (no request limits; a server "
        "that is not enode-mock is tested read-only like a live one, credentials from "
        "ENODE_CLIENT_ID, ENODE_CLIENT_SECRET, optional ENODE_TOKEN_URL); or 'live' "
        "(ENODE_BASE_URL, ENODE_TOKEN_URL, ENODE_CLIENT_ID, ENODE_CLIENT_SECRET; optional "
        "ENODE_VERSIONS; at most 5 requests/s and 3000 requests unless given)",
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
        help="mock target: wrap the mock in the named fault (contract_tests/faults/) to "
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
        help="requests per second at most (default: unlimited, 5 with --target live)",
    )
    group.addoption(
        "--max-requests",
        type=int,
        default=None,
        help="request budget of the run; tests past it are skipped (default: unlimited, "
        "3000 with --target live)",
    )
    group.addoption(
        "--action-wait",
        type=float,
        default=300.0,
        metavar="SECONDS",
        help="live targets: the time the whole run may spend waiting for actions to leave "
        "PENDING (default 300); an action still PENDING when it is spent fails, named",
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
        "--workers",
        type=int,
        default=None,
        help="processes to run the tests in, each with its own embedded mock (default: the "
        "usable cores; 1: this process only; a running server or live target: always 1)",
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
        help=f"where to write the markdown summary; junit.xml goes beside it (default "
        f"{REPORTS / 'summary.md'})",
    )
    group.addoption(
        "--webhook-receiver",
        default=None,
        metavar="URL",
        help="test YOUR webhook receiver at URL instead of the target: it gets signed "
        "deliveries of every event of each selected version (must answer 2xx), bad and "
        "missing signatures and tampered bodies (must answer 4xx), replays and malformed "
        "bodies (must not answer 5xx); checks EN601-EN608",
    )
    group.addoption(
        "--webhook-secret",
        default=None,
        metavar="SECRET",
        help=f"the webhook's secret the receiver verifies with (default: ${SECRET_ENV}; "
        "prefer the variable: arguments show in process lists). Never printed",
    )
    group.addoption(
        "--webhook-header",
        action="append",
        default=[],
        metavar="NAME:VALUE",
        help="a header sent with every delivery, like the webhook's `authentication` "
        "header (repeatable; the value is redacted from every report)",
    )


def target_option(text: str) -> tuple[str, bool]:
    """`--target` checked: ("mock" | "live" | the URL without a trailing slash, whether an
    enode-mock answers there); a ValueError says what is wrong."""
    if text in TARGETS:
        return text, False
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(
            f"--target {text!r}: give mock, live, or a running server's http(s) URL, e.g. "
            "http://127.0.0.1:8080"
        )
    import httpx

    url = text.rstrip("/")
    try:
        httpx.get(f"{url}/health/ready", timeout=10)
        admin = httpx.get(f"{url}/_mock/state", timeout=10)
    except httpx.HTTPError as error:
        raise ValueError(f"--target {url}: nothing answers there ({error})") from None
    is_mock = admin.status_code == 200 and "json" in admin.headers.get("content-type", "")
    return url, is_mock


def from_pytest(config: object) -> Options:
    get = config.getoption  # type: ignore[attr-defined]
    target, server_is_mock = target_option(get("--target"))
    # a real deployment; the live limits only for `--target live`, not for a URL
    live = target == "live" or (target not in TARGETS and not server_is_mock)
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
    if target == "live":
        max_rps = 5.0 if max_rps is None else max_rps
        max_requests = 3000 if max_requests is None else max_requests
    fault = get("--fault")
    if fault is not None and target != "mock":
        raise ValueError(
            f"--fault wraps the embedded mock; it cannot be combined with --target {target}"
        )
    if get("--mock-server") and target != "mock":
        raise ValueError(
            f"--mock-server spawns a mock; it cannot be combined with --target {target}"
        )
    receiver, secret, headers = webhook_options(
        get("--webhook-receiver"), get("--webhook-secret"), get("--webhook-header") or []
    )
    return Options(
        target=target,
        server_is_mock=server_is_mock,
        mock_server=bool(get("--mock-server")),
        fault=fault,
        allow_writes=bool(get("--allow-writes")),
        action_wait=max(0.0, float(get("--action-wait"))),
        max_rps=max_rps if max_rps and max_rps > 0 else None,
        max_requests=max_requests if max_requests and max_requests > 0 else None,
        profile=PROFILES[get("--profile")],
        seed=seed,
        seed_given=seed_option is not None,
        workers=get("--workers"),
        versions=versions,
        summary_path=Path(get("--summary")),
        webhook_receiver=receiver,
        webhook_secret=secret,
        webhook_headers=headers,
    )


def webhook_options(
    url: str | None, secret: str | None, raw_headers: list[str]
) -> tuple[str | None, str | None, tuple[tuple[str, str], ...]]:
    """The receiver's URL, the secret (option, else the environment) and the extra headers,
    checked; a ValueError says what is wrong (never echoing the secret or a header value)."""
    if url is None:
        if secret is not None or raw_headers:
            raise ValueError("--webhook-secret and --webhook-header need --webhook-receiver URL")
        return None, None, ()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(
            f"--webhook-receiver {url!r}: give the receiver's full http(s) URL, e.g. "
            "http://127.0.0.1:8000/webhooks/enode"
        )
    secret = secret if secret is not None else os.environ.get(SECRET_ENV)
    if not secret:
        raise ValueError(
            f"--webhook-receiver needs the webhook's secret: --webhook-secret SECRET or the "
            f"{SECRET_ENV} environment variable"
        )
    headers = []
    for raw in raw_headers:
        name, colon, value = raw.partition(":")
        if not colon or not name.strip() or any(c.isspace() for c in name.strip()):
            raise ValueError(
                f"--webhook-header {name.strip() or '?'}:...: give NAME:VALUE, e.g. "
                "--webhook-header 'X-Webhook-Auth:<value>'"
            )
        headers.append((name.strip(), value.strip()))
    return url, secret, tuple(headers)
