"""What every handler gets (`Ctx`) and gives back (`Reply`), and shared helpers.

A handler is a plain function `(Ctx) -> Reply` registered under its operationId. It
reads and changes the state (the dispatcher holds the state lock) and returns canonical
records; the response layer projects them onto the version's schema and validates them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from starlette.requests import Request

from ..actions import ActionEngine
from ..clock import Clock
from ..config import MockConfig
from ..pagination import paginate
from ..problems import ProblemError
from ..request_validation import ValidatedRequest
from ..schemas import Issue
from ..specs import Operation
from ..state import Asset, State, User

if TYPE_CHECKING:
    from ..webhook_delivery import WebhookDispatcher

__all__ = ["USER_HEADER", "Ctx", "Env", "Handler", "Reply", "invalid_body", "not_found"]

USER_HEADER = "enode-user-id"


@dataclass
class Env:
    """One mock instance's moving parts."""

    config: MockConfig
    state: State
    engine: ActionEngine
    clock: Clock
    webhooks: WebhookDispatcher | None = None


@dataclass
class Reply:
    """A handler's answer. `deferred`, when set, runs after the state lock is released (in
    a worker thread: the webhook test delivery waits for a receiver) and gives the reply."""

    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    deferred: Callable[[], Reply] | None = None


@dataclass
class Ctx:
    op: Operation
    request: ValidatedRequest
    env: Env
    user_header: str | None = None
    http: Request | None = None
    client_id: str | None = None  # the OAuth client behind the bearer token (authenticated ops)

    @property
    def base_url(self) -> str:
        """Scheme, host and port the client used (for URLs the mock hands out)."""
        if self.http is None:
            return "http://127.0.0.1:8080"
        return str(self.http.base_url).rstrip("/")

    @property
    def version(self) -> str:
        return self.op.version

    @property
    def state(self) -> State:
        return self.env.state

    @property
    def engine(self) -> ActionEngine:
        return self.env.engine

    @property
    def path(self) -> dict[str, Any]:
        return self.request.path

    @property
    def query(self) -> dict[str, Any]:
        return self.request.query

    @property
    def body(self) -> Any:
        return self.request.body

    def now(self) -> float:
        return self.env.clock.time()

    # --- users ------------------------------------------------------------------------

    def context_user_id(self) -> str:
        """The user of routes without a `userId` (2023-04-01's `/me`, ID lists, schedules).

        The `Enode-User-Id` header if sent, else the configured current user, else the
        first user of the seed.
        """
        if self.user_header:
            return self.user_header
        configured = self.env.config.current_user
        if configured:
            return configured
        return self.state.first_user_id or "unknown-user"

    def target_user_id(self) -> str:
        """`userId` from the path where the route has one, else the context user."""
        user_id = self.path.get("userId")
        return str(user_id) if user_id is not None else self.context_user_id()

    def path_user(self) -> User:
        """The user named by the path (404 if unknown), or the context user."""
        user_id = self.path.get("userId")
        if user_id is None:
            return self.state.users.get(self.context_user_id()) or User(self.context_user_id(), 0)
        user = self.state.users.get(str(user_id))
        if user is None:
            raise not_found("user", str(user_id))
        return user

    # --- assets -----------------------------------------------------------------------

    def asset(self, kind: str, param: str) -> Asset:
        asset_id = str(self.path[param])
        asset = self.state.asset(kind, asset_id)
        if asset is None:
            raise not_found(kind, asset_id)
        return asset

    def page(self, items: Iterable[Any], record: Callable[[Any], Any]) -> Reply:
        page, cursors = paginate(list(items), lambda item: int(item.seq), self.query)
        return Reply(200, {"data": [record(item) for item in page], "pagination": cursors})


_NAMES = {"hvac": "HVAC unit", "inverter": "solar inverter"}


def not_found(kind: str, entity_id: str) -> ProblemError:
    name = _NAMES.get(kind, kind)
    return ProblemError(404, f"No {name} with ID {entity_id!r} was found.")


def invalid_body(field: str, message: str) -> ProblemError:
    """The 400 for a body field the schema allows but the API refuses (`field` may be a
    dotted path such as `rules[0].toTimestamp`)."""
    return ProblemError(
        400,
        f"body.{field}: {message}",
        title="Invalid request body",
        issues=[Issue(message, ("body", field))],
    )


Handler = Callable[[Ctx], Reply]
