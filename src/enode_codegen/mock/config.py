"""`MockConfig`: everything a mock instance can be told, with the documented defaults."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from enode_codegen.generator.paths import PUBLISHED_DIR

from .clock import Clock

__all__ = [
    "DEFAULT_CLIENTS",
    "DEFAULT_SEED",
    "DEFAULT_SPEC_DIR",
    "MockConfig",
]

DEFAULT_SPEC_DIR = PUBLISHED_DIR
DEFAULT_SEED = Path(__file__).resolve().parent / "seed" / "default.json"
DEFAULT_CLIENTS: dict[str, str] = {"mock-client": "mock-secret"}


@dataclass
class MockConfig:
    """How one mock instance behaves.

    action_delay: seconds after which a PENDING action resolves by itself (checked on
        every request, so nothing runs in the background); `0` resolves it on the next
        request; `None` means manual: only `POST /_mock/actions/{id}/advance` resolves it.
    strict: validate every response against the spec before sending it; a violation
        becomes a 500 problem (and is logged and recorded) instead of a bad response.
    current_user: the user of the 2023-04-01 user-context routes (`/me`, the ID lists,
        `/schedules`, `/statistics/charging`) when no `Enode-User-Id` header is sent;
        `None` means the first user of the seed.
    versions: the Enode-Versions to serve (default: every `<version>.yaml` of `spec_dir`); the
        newest is the default for requests without an `Enode-Version` header.
    webhook_timeout: seconds a webhook delivery waits for the receiver's answer (5, as Enode).
    webhook_heartbeat: seconds of mock time between `system:heartbeat` events to every
        active webhook; None: no heartbeats (`enode-mock serve`: 300).
    webhook_workers: threads sending deliveries (one delivery per webhook at a time).
    webhook_linger: seconds a new event waits for others to join its delivery (a burst
        goes out as one batch of up to 100 instead of many single-event POSTs).
    webhook_queue_limit: events kept per webhook while its receiver is down (oldest
        dropped beyond it, and counted).
    webhook_history: deliveries kept for `GET /_mock/webhooks/deliveries` (oldest dropped).
    admin_token: the token non-loopback clients must send for `/_mock` (admin API,
        console, Link UI); None: only loopback clients reach them (console.AccessGuard).
    accelerate: use jsonschema_rs for validity checks when it is installed (error
        messages always come from jsonschema).
    """

    seed_path: Path = DEFAULT_SEED
    spec_dir: Path = DEFAULT_SPEC_DIR
    versions: tuple[str, ...] | None = None
    action_delay: float | None = None
    strict: bool = True
    token_ttl: float = 3599.0
    clients: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_CLIENTS))
    current_user: str | None = None
    max_body_bytes: int = 1024 * 1024
    accelerate: bool = True
    clock: Clock = field(default_factory=Clock)
    webhook_timeout: float = 5.0
    webhook_heartbeat: float | None = None
    webhook_workers: int = 4
    webhook_linger: float = 0.05
    webhook_queue_limit: int = 10_000
    webhook_history: int = 1000
    admin_token: str | None = None
