"""What `enode-mock serve` prints once it listens: where it is and how to use it.

The banner is data: `LINES` lists one function per line, each given the running server
(`Served`) and answering `(label, text)` or None to leave its line out. A module that adds
something worth finding (a console, a Link UI) appends its line here, in one place.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from enode_codegen import __version__

from .config import DEFAULT_CLIENTS, MockConfig
from .link_ui import TEST_CODE, TEST_PASSWORD

__all__ = ["LINES", "Served", "render"]


@dataclass(frozen=True)
class Served:
    """The server the banner describes."""

    base_url: str  # http://127.0.0.1:8080
    versions: tuple[str, ...]  # oldest first
    config: MockConfig
    seconds: float  # from the start of the process until it listened


Line = Callable[[Served], tuple[str, str] | None]


def _versions(served: Served) -> tuple[str, str]:
    return (
        "versions",
        f"{', '.join(served.versions)} (by Enode-Version; default {served.versions[-1]})",
    )


def _credentials(served: Served) -> tuple[str, str]:
    clients = served.config.clients
    if clients == DEFAULT_CLIENTS:
        pairs = ", ".join(f"{cid}:{secret}" for cid, secret in clients.items())
        return "credentials", f"{pairs} (client ID:secret, OAuth client credentials)"
    return "credentials", f"{', '.join(clients)} (client IDs given with --client)"


def _token_url(served: Served) -> tuple[str, str]:
    return "token URL", f"{served.base_url}/oauth2/token"


def _admin(served: Served) -> tuple[str, str]:
    return "admin", f"{served.base_url}/_mock/state (reset, clock, actions: mock/README.md)"


def _console(served: Served) -> tuple[str, str]:
    who = (
        "loopback, or other hosts with the admin token"
        if served.config.admin_token
        else "loopback only; --admin-token for others"
    )
    return "console", f"{served.base_url}/_mock/console ({who})"


def _link_ui(served: Served) -> tuple[str, str]:
    return "Link UI", (
        f"at linkUrl: any e-mail, password {TEST_PASSWORD} (e-mail with +2fa: code {TEST_CODE})"
    )


LINES: list[Line] = [_versions, _token_url, _credentials, _admin, _console, _link_ui]


def render(served: Served) -> str:
    """The banner's text, one `label  text` line per entry of `LINES` that applies."""
    rows = [row for row in (line(served) for line in LINES) if row is not None]
    width = max(len(label) for label, _ in rows)
    head = (
        f"enode-mock {__version__}: the Enode API mock at {served.base_url} "
        f"(ready in {served.seconds:.2f}s)"
    )
    return "\n".join([head, *(f"  {label:<{width}}  {text}" for label, text in rows)]) + "\n"
