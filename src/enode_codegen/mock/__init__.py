"""A stateful mock of the Enode API, serving every dated version in spec/ from the specs.

    from enode_codegen.mock import MockConfig, create_app
    app = create_app(MockConfig(action_delay=None))   # an ASGI app (Starlette)

or `enode-mock serve`. See mock/README.md.
"""

from __future__ import annotations

from .app import MockApp, create_app
from .clock import Clock
from .config import DEFAULT_CLIENTS, MockConfig

__all__ = ["DEFAULT_CLIENTS", "Clock", "MockApp", "MockConfig", "create_app"]
