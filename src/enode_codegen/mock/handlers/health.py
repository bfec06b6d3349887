"""Service health: 204 while ready, 503 after `POST /_mock/health {"ready": false}`."""

from __future__ import annotations

from ..problems import ProblemError
from .common import Ctx, Handler, Reply

__all__ = ["HANDLERS"]


def check_ready(ctx: Ctx) -> Reply:
    if not ctx.state.healthy:
        raise ProblemError(
            503, "The mock was told to report itself not ready (POST /_mock/health)."
        )
    return Reply(204)


HANDLERS: dict[str, Handler] = {"checkHealthReady": check_ready}
