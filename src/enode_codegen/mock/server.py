"""uvicorn's server, telling when it is ready (`enode-mock serve` prints its banner then)."""

from __future__ import annotations

import socket
from collections.abc import Callable

import uvicorn

__all__ = ["ReadyServer"]


class ReadyServer(uvicorn.Server):
    """Calls `on_ready` once the app has started and the sockets listen."""

    def __init__(self, config: uvicorn.Config, on_ready: Callable[[], None]) -> None:
        super().__init__(config)
        self.on_ready = on_ready

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        if self.started:
            self.on_ready()
