"""What the suite tests: the embedded mock (in-process ASGI or a spawned `enode-mock serve`)
or a live deployment (any base URL, e.g. the Enode sandbox or a proxy in front of it).

Every request of the run goes through a target's transports (transports.py: recorded,
budgeted, 429/503 waited out); a target refuses non-GET requests when it is a read-only
live target (the token request excepted).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any

import httpx
import pytest

from .options import REPORTS, Options
from .redaction import REDACTOR
from .transports import (
    SAFE_METHODS,
    Budget,
    BudgetedSession,
    BudgetedTransport,
    ReadOnlyError,
    RecordingASGI,
    SyncASGITransport,
)

__all__ = [
    "ACTION_DELAY",
    "LiveTarget",
    "MockAdmin",
    "MockServerTarget",
    "MockTarget",
    "Target",
    "make_target",
]

# virtual seconds until a PENDING mock action resolves by itself; tests advance the mock's
# clock instead of waiting
ACTION_DELAY = 30.0
MOCK_CLIENT = ("mock-client", "mock-secret")
LIVE_ENV = ("ENODE_BASE_URL", "ENODE_TOKEN_URL", "ENODE_CLIENT_ID", "ENODE_CLIENT_SECRET")


# --- targets ---------------------------------------------------------------------------


class Target:
    """The base URL, credentials and transports of what is tested."""

    name = "target"
    base_url: str
    token_url: str
    client_id: str
    client_secret: str

    def __init__(self, options: Options) -> None:
        self.options = options
        self.budget = Budget(options.max_rps, options.max_requests)
        self._token: tuple[str, float] | None = None
        self._token_lock = threading.Lock()
        self._http: httpx.Client | None = None
        self.action_wait_left = options.action_wait  # live: shared by the whole run

    # safety ---------------------------------------------------------------------------

    def guard(self, method: str, url: str | None = None) -> None:
        """Skip the calling test when it would write to a read-only target."""
        if self.options.writes_allowed or method.upper() in SAFE_METHODS:
            return
        if url is not None and url.split("?", 1)[0] == self.token_url:
            return
        pytest.skip(
            f"{method.upper()} skipped: the live target is read-only (pass --allow-writes to "
            "send non-GET requests)"
        )

    def _transport_guard(self, method: str, url: str) -> None:
        try:
            self.guard(method, url)
        except pytest.skip.Exception:
            raise ReadOnlyError(f"refused {method} {url}: the live target is read-only") from None

    # credentials ----------------------------------------------------------------------

    def token(self) -> str:
        with self._token_lock:
            now = time.monotonic()
            if self._token is None or self._token[1] <= now:
                response = self.http().post(
                    self.token_url,
                    auth=(self.client_id, self.client_secret),
                    data={"grant_type": "client_credentials"},
                )
                if response.status_code != 200:
                    raise RuntimeError(
                        f"token request to {self.token_url} answered {response.status_code}: "
                        f"{REDACTOR(response.text[:300])}"
                    )
                body = response.json()
                token = str(body["access_token"])
                REDACTOR.add(token)
                lifetime = float(body.get("expires_in") or 3600)
                self._token = (token, now + max(lifetime - 60.0, lifetime / 2))
            return self._token[0]

    def auth_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token()}"}

    # transports -----------------------------------------------------------------------

    def httpx_transport(self) -> httpx.BaseTransport:
        raise NotImplementedError

    def st_kwargs(self) -> dict[str, Any]:
        """How schemathesis reaches the target (`case.call(**kwargs)`)."""
        raise NotImplementedError

    def http(self) -> httpx.Client:
        """An httpx client for raw calls (no token attached)."""
        if self._http is None:
            self._http = httpx.Client(
                transport=self.httpx_transport(), base_url=self.base_url, timeout=30.0
            )
        return self._http

    def client(self, package: ModuleType, **options: Any) -> Any:
        """The generated `Client` of `package`, authenticating with the target's credentials."""
        return package.Client(
            client_id=self.client_id,
            client_secret=self.client_secret,
            base_url=self.base_url,
            token_url=self.token_url,
            transport=self.httpx_transport(),
            strict=True,
            sleep=self.sleep,
            **options,
        )

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)

    @property
    def admin(self) -> MockAdmin | None:
        return None

    def reset(self) -> None:
        """Back to the seed state (mock); nothing for a live target."""

    def let_actions_resolve(self) -> None:
        """Mock: move its clock past the action delay, so PENDING actions resolve on the
        next request as they would by themselves. Live: nothing (actions take their time)."""

    @property
    def poll_interval(self) -> float:
        return 2.0

    def wait_for(self, done: Callable[[], bool]) -> bool:
        """Live: poll `done` every `poll_interval` until it is true or the run's action-wait
        budget (`--action-wait`) is spent; whether it came true. The time spent is taken
        from the budget, so a target whose actions never resolve costs it once, not once
        per example. The mock: `done()` now (`let_actions_resolve` moved its clock)."""
        if done():
            return True
        while self.action_wait_left > 0:
            started = time.monotonic()
            self.sleep(min(self.poll_interval, self.action_wait_left))
            result = done()
            self.action_wait_left -= time.monotonic() - started
            if result:
                return True
        return False

    def action_timeout(self, default: float) -> float:
        """How long one `wait_for_action` may wait: live, what is left of the run's budget."""
        return default

    def describe(self) -> str:
        return f"{self.name} {self.base_url}"

    def close(self) -> None:
        if self._http is not None:
            self._http.close()


class MockAdmin:
    """The mock's admin API (`/_mock/...`, mock/README.md)."""

    def __init__(self, http: httpx.Client) -> None:
        self.http = http

    def _post(self, path: str, body: dict[str, Any] | None = None) -> httpx.Response:
        response = self.http.post(f"/_mock{path}", json=body if body is not None else {})
        if response.status_code >= 400 and response.status_code != 409:
            raise AssertionError(
                f"mock admin POST {path}: {response.status_code} {response.text[:300]}"
            )
        return response

    def reset(self) -> None:
        self._post("/reset")

    def advance_clock(self, seconds: float) -> None:
        self._post("/clock/advance", {"seconds": seconds})

    def advance_action(self, action_id: str, state: str | None = None) -> dict[str, Any]:
        response = self._post(f"/actions/{action_id}/advance", {"state": state} if state else {})
        return response.json()  # type: ignore[no-any-return]

    def schedule_control(self, kind: str, asset_id: str, controlled: bool) -> None:
        self._post(f"/assets/{kind}/{asset_id}/schedule-control", {"controlled": controlled})

    def set_ready(self, ready: bool) -> None:
        self._post("/health", {"ready": ready})

    def state(self) -> dict[str, Any]:
        return self.http.get("/_mock/state").json()  # type: ignore[no-any-return]

    def flush_webhooks(self, timeout: float = 20.0) -> list[dict[str, Any]]:
        """Wait until every queued webhook delivery was sent (or is waiting for a retry);
        the queues as they are then."""
        response = self._post("/webhooks/flush", {"timeout": timeout})
        return response.json()  # type: ignore[no-any-return]


class _MockBase(Target):
    token_path = "/oauth2/token"

    def _init_credentials(self) -> None:
        self.token_url = self.base_url + self.token_path
        self.client_id, self.client_secret = MOCK_CLIENT

    @property
    def admin(self) -> MockAdmin:
        return MockAdmin(self.http())

    def reset(self) -> None:
        self.admin.reset()

    def sleep(self, seconds: float) -> None:
        """Clients' retry back-off waits on the mock's clock, not the wall clock."""
        self.admin.advance_clock(seconds)

    def let_actions_resolve(self) -> None:
        self.admin.advance_clock(ACTION_DELAY + 1.0)

    def wait_for(self, done: Callable[[], bool]) -> bool:
        return done()  # the mock's clock was moved: no wall-clock wait

    @property
    def poll_interval(self) -> float:
        return 0.02


class MockTarget(_MockBase):
    """The mock in this process; requests are ASGI calls (no socket)."""

    name = "mock (in-process)"
    # the address of `enode-mock serve`, so every curl line reproduces against it
    base_url = "http://127.0.0.1:8080"

    def __init__(self, options: Options) -> None:
        super().__init__(options)
        from enode_codegen.mock.app import create_app
        from enode_codegen.mock.config import MockConfig

        from .faults import wrap

        # the versions under test (loading a version's spec is most of a short run's start)
        inner = create_app(MockConfig(action_delay=ACTION_DELAY, versions=options.versions))
        self.app = RecordingASGI(wrap(inner, options.fault), self.budget, self.base_url)
        self._init_credentials()
        self._transport: SyncASGITransport | None = None

    def httpx_transport(self) -> httpx.BaseTransport:
        if self._transport is None:
            self._transport = SyncASGITransport(self.app)
        return self._transport

    def st_kwargs(self) -> dict[str, Any]:
        # the schemas' app is bound to self.app (_st.bind), so checks' probes reach it too
        return {"base_url": self.base_url}

    def describe(self) -> str:
        fault = f", fault {self.options.fault}" if self.options.fault else ""
        return f"{self.name}{fault}; curl lines assume `enode-mock serve` at {self.base_url}"

    def close(self) -> None:
        super().close()
        if self._transport is not None:
            self._transport.shutdown()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class _NetworkBase(Target):
    def __init__(self, options: Options) -> None:
        super().__init__(options)
        self._session: BudgetedSession | None = None

    def httpx_transport(self) -> httpx.BaseTransport:
        return BudgetedTransport(httpx.HTTPTransport(retries=0), self.budget, self._transport_guard)

    def session(self) -> BudgetedSession:
        if self._session is None:
            self._session = BudgetedSession(self.budget, self._transport_guard)
        return self._session

    def st_kwargs(self) -> dict[str, Any]:
        return {"session": self.session(), "base_url": self.base_url}

    def close(self) -> None:
        super().close()
        if self._session is not None:
            self._session.close()


class MockServerTarget(_MockBase, _NetworkBase):
    """`enode-mock serve` spawned on a free 127.0.0.1 port for the run."""

    name = "mock (spawned server)"

    def __init__(self, options: Options) -> None:
        super().__init__(options)
        port = _free_port()
        self.base_url = f"http://127.0.0.1:{port}"
        self._init_credentials()
        args = [
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--action-delay",
            str(ACTION_DELAY),
            "--log-level",
            "warning",
        ]
        if options.fault:
            command = [
                sys.executable,
                "-m",
                "enode_codegen.contract_tests.faults",
                "serve",
                "--fault",
                options.fault,
                *args,
            ]
        else:
            script = shutil.which("enode-mock")
            command = [script] if script else [sys.executable, "-m", "enode_codegen.mock"]
            command += ["serve", *args]
        REPORTS.mkdir(parents=True, exist_ok=True)
        self.log_path = REPORTS / "mock-server.log"
        self._log = self.log_path.open("wb")
        self.process = subprocess.Popen(command, stdout=self._log, stderr=subprocess.STDOUT)
        self.command = command
        self._wait_ready()

    def _wait_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"the mock server exited ({self.process.returncode}); see {self.log_path}"
                )
            try:
                with socket.create_connection(
                    ("127.0.0.1", int(self.base_url.rsplit(":", 1)[1])), 0.2
                ):
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(
            f"the mock server did not listen within {timeout:.0f} s; see {self.log_path}"
        )

    def describe(self) -> str:
        return f"{self.name} {self.base_url} ({' '.join(self.command[-12:])})"

    def close(self) -> None:
        super().close()
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)
        self._log.close()


class RunningMockTarget(_MockBase, _NetworkBase):
    """`enode-mock serve` already running at `--target URL` (its admin API answers): reset,
    clock and actions through that API, as with the spawned server."""

    name = "mock (running server)"

    def __init__(self, options: Options) -> None:
        super().__init__(options)
        assert options.server is not None
        self.base_url = options.server
        self._init_credentials()


class LiveTarget(_NetworkBase):
    """A deployment of the API: ENODE_BASE_URL, ENODE_TOKEN_URL, ENODE_CLIENT_ID,
    ENODE_CLIENT_SECRET (any base URL works, e.g. a recording proxy)."""

    name = "live"

    def __init__(self, options: Options, env: dict[str, str]) -> None:
        super().__init__(options)
        self.base_url = env["ENODE_BASE_URL"].rstrip("/")
        self.token_url = env["ENODE_TOKEN_URL"]
        self.client_id = env["ENODE_CLIENT_ID"]
        self.client_secret = env["ENODE_CLIENT_SECRET"]
        REDACTOR.add(self.client_secret)

    def action_timeout(self, default: float) -> float:
        return max(self.action_wait_left, 0.0)

    def describe(self) -> str:
        mode = "read-write" if self.options.allow_writes else "read-only"
        return (
            f"live {self.base_url} ({mode}; at most {self.options.max_rps or 'unlimited'} req/s, "
            f"{self.options.max_requests or 'unlimited'} requests)"
        )


def live_env(
    defaults: dict[str, str] | None = None,
) -> tuple[dict[str, str] | None, list[str]]:
    """The ENODE_* variables a live target needs (`defaults` for those not set), and the
    names of those missing."""
    env = {name: os.environ.get(name) or (defaults or {}).get(name, "") for name in LIVE_ENV}
    missing = [name for name, value in env.items() if not value]
    return (None if missing else env), missing


def make_target(options: Options) -> Target:
    if options.server is not None and options.server_is_mock:
        return RunningMockTarget(options)
    if options.server is not None:  # any other server, tested as a live one at its URL
        env, missing = live_env(
            {"ENODE_BASE_URL": options.server, "ENODE_TOKEN_URL": f"{options.server}/oauth2/token"}
        )
        if env is None:
            pytest.skip(
                f"--target {options.server} (not an enode-mock) needs the environment variables "
                + ", ".join(missing)
                + "; they are not set"
            )
        return LiveTarget(options, env)
    if options.live:
        env, missing = live_env()
        if env is None:
            pytest.skip(
                "--target live needs the environment variables "
                + ", ".join(missing)
                + " (and optionally ENODE_VERSIONS); they are not set"
            )
        return LiveTarget(options, env)
    if options.mock_server:
        return MockServerTarget(options)
    return MockTarget(options)


@contextlib.contextmanager
def opened(options: Options) -> Iterator[Target]:
    target = make_target(options)
    try:
        yield target
    finally:
        target.close()
