"""What the mock's own routes (admin API, console, Link UI) see of one running mock: its
parts, as a protocol that `app.MockApp` fulfils, so those routes need not import the app
that mounts them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from starlette.requests import Request
    from starlette.responses import Response

    from .auth import TokenStore
    from .handlers.common import Env
    from .responses import Responder
    from .schemas import Issue
    from .specs import SpecIndex
    from .webhook_delivery import WebhookDispatcher

__all__ = ["MockInstance"]


class MockInstance(Protocol):
    """One mock: its environment (state, action engine, clock), specs, tokens, webhooks."""

    env: Env
    index: SpecIndex
    responder: Responder
    tokens: TokenStore
    webhooks: WebhookDispatcher

    def canonical_issues(self, kind: str, record: dict[str, Any]) -> list[Issue]:
        """Problems of a canonical asset record against the newest version's schema."""
        ...

    async def api(self, request: Request) -> Response:
        """Answer one request of the Enode API (as a client's request would be)."""
        ...
