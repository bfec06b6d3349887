"""Webhooks management: CRUD of each client's webhooks and the test delivery.

Webhooks belong to the OAuth client whose token made the request: another client neither
lists nor reaches them (404). A URL must be HTTPS, except `http://` to a loopback host
(127.0.0.1, ::1, localhost) so that a local receiver can be tested against the mock; a
client cannot register the same URL twice (400). Every webhook receives the events it
subscribes to (webhook_delivery.py). The test endpoint really POSTs a signed
`enode:webhook:test` event to the URL and answers the outcome; the POST happens after the
state lock is released, so other requests go on meanwhile. A success records
`lastSuccess` and activates the webhook again (as does any update), which restarts the
delivery of its queued events.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from ..clock import parse_timestamp
from ..problems import ProblemError
from ..state import RawEvent, Webhook
from ..webhook_events import TEST_EVENT
from .common import Ctx, Handler, Reply, invalid_body, not_found

__all__ = ["HANDLERS"]

_LOOPBACK_NAMES = {"localhost"}


def _is_loopback(host: str) -> bool:
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _check_url(url: str) -> None:
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
    except ValueError as error:
        raise invalid_body("url", f"{url[:80]!r} is not a URL: {error}") from None
    if not host:
        raise invalid_body("url", f"{url[:80]!r} has no host")
    if parts.scheme == "https" or (parts.scheme == "http" and _is_loopback(host)):
        return
    raise invalid_body(
        "url",
        f"{url[:80]!r} is not an HTTPS URL (plain http is accepted only for a loopback host)",
    )


def _client(ctx: Ctx) -> str:
    return ctx.client_id or ""


def _webhooks(ctx: Ctx) -> dict[str, Webhook]:
    return ctx.state.webhooks


def _own(ctx: Ctx) -> list[Webhook]:
    client = _client(ctx)
    return [hook for hook in _webhooks(ctx).values() if hook.client_id == client]


def _path_webhook(ctx: Ctx) -> Webhook:
    webhook_id = str(ctx.path["webhookId"])
    hook = _webhooks(ctx).get(webhook_id)
    if hook is None or hook.client_id != _client(ctx):
        raise not_found("webhook", webhook_id)
    return hook


def _check_unique(ctx: Ctx, url: str, but: Webhook | None = None) -> None:
    for hook in _own(ctx):
        if hook is not but and hook.url == url:
            raise invalid_body("url", f"a webhook with this URL already exists ({hook.id})")


def create_webhook(ctx: Ctx) -> Reply:
    body = ctx.body
    url = str(body["url"])
    _check_url(url)
    _check_unique(ctx, url)
    state = ctx.state
    hook = Webhook(
        id=state.new_id(),
        client_id=_client(ctx),
        seq=state.next_seq(),
        url=url,
        secret=str(body["secret"]),
        created_at=ctx.now(),
        events=list(body.get("events", ["*"])),
        api_version=body.get("apiVersion"),
        auth=dict(body["authentication"]) if body.get("authentication") else None,
        created_version=ctx.version,
    )
    _webhooks(ctx)[hook.id] = hook
    state.touch()
    return Reply(200, hook.record())


def list_webhooks(ctx: Ctx) -> Reply:
    return ctx.page(_own(ctx), lambda hook: hook.record())


def get_webhook(ctx: Ctx) -> Reply:
    return Reply(200, _path_webhook(ctx).record())


def update_webhook(ctx: Ctx) -> Reply:
    hook = _path_webhook(ctx)
    body = ctx.body or {}
    if "url" in body:
        _check_url(str(body["url"]))
        _check_unique(ctx, str(body["url"]), but=hook)
        hook.url = str(body["url"])
    if "secret" in body:
        hook.secret = str(body["secret"])
    if "events" in body:
        hook.events = list(body["events"])
    if "apiVersion" in body:
        hook.api_version = body["apiVersion"]
    if "authentication" in body:
        auth = body["authentication"]
        hook.auth = dict(auth) if auth else None
    hook.is_active = True  # updating a webhook reactivates it (webhooks guide)
    if ctx.env.webhooks is not None:
        ctx.env.webhooks.reactivate(hook.id)
    ctx.state.touch()
    return Reply(200, hook.record())


def delete_webhook(ctx: Ctx) -> Reply:
    hook = _path_webhook(ctx)
    del _webhooks(ctx)[hook.id]
    if ctx.env.webhooks is not None:
        ctx.env.webhooks.forget(hook.id)
    ctx.state.touch()
    return Reply(204)


def test_webhook(ctx: Ctx) -> Reply:
    hook = _path_webhook(ctx)
    dispatcher = ctx.env.webhooks
    if dispatcher is None:  # pragma: no cover - every MockApp has one
        raise ProblemError(500, "This mock instance sends no webhooks.")
    raw = RawEvent(TEST_EVENT, ctx.now(), None)
    event = dispatcher.renderer.render(raw, dispatcher.version_of(hook))  # checked vs spec
    send = dispatcher.test_delivery(hook, event)
    state = ctx.state

    def deliver() -> Reply:  # runs without the state lock
        outcome = send()
        if outcome.success:
            with state.lock:
                if state.webhooks.get(hook.id) is hook:
                    hook.last_success = parse_timestamp(event["createdAt"]).timestamp()
                    hook.is_active = True
                    dispatcher.reactivate(hook.id)
                    state.touch()
        return Reply(200, outcome.result())

    return Reply(200, deferred=deliver)


HANDLERS: dict[str, Handler] = {
    "createWebhook": create_webhook,
    "listWebhooks": list_webhooks,
    "getWebhook": get_webhook,
    "updateWebhook": update_webhook,
    "deleteWebhook": delete_webhook,
    "testWebhook": test_webhook,
}
