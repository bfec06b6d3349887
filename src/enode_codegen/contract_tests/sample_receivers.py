"""Two webhook receivers to point `--webhook-receiver` at: a correct one and a sloppy one.

    correct_receiver(secret)   verifies X-Enode-Signature on the raw bytes (401 when it
                               does not match or is missing), checks the webhook's custom
                               authentication header if given (401), answers a replayed
                               X-Enode-Delivery ID with 200 without handling it again,
                               400 for a body that is not an array of events, else 200
    sloppy_receiver()          what too many receivers do: never verifies anything (every
                               signature accepted) and answers 500 when the body is not the
                               array of events it expects

Starlette apps (ASGI) receiving on POST /hook (GET /health answers 204 once it is up);
`serving(app)` runs one with uvicorn on a free 127.0.0.1 port in a
thread. From a shell (the secret from ENODE_WEBHOOK_SECRET):

    python -m enode_codegen.contract_tests.sample_receivers correct --port 8000
    enode-codegen contract --webhook-receiver http://127.0.0.1:8000/hook   # passes
    python -m enode_codegen.contract_tests.sample_receivers sloppy --port 8001
    enode-codegen contract --webhook-receiver http://127.0.0.1:8001/hook   # fails

The correct one is also the pattern to copy: verify the bytes as received, before any JSON
parsing; dedupe on the delivery ID; answer fast (Enode waits 5 s, then retries).
"""

from __future__ import annotations

import argparse
import hmac
import json
import socket
import sys
import threading
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from enode_codegen.runtime._webhooks import (
    DELIVERY_HEADER,
    SIGNATURE_HEADER,
    WebhookVerificationError,
    resolve_secret,
    verify_signature,
)

__all__ = ["correct_receiver", "serving", "sloppy_receiver"]

PATH = "/hook"
REMEMBERED_DELIVERIES = 10_000


def correct_receiver(
    secret: str | None = None,
    *,
    auth_header: tuple[str, str] | None = None,
    handled: list[dict[str, Any]] | None = None,
) -> Starlette:
    """A receiver that does it right; the events it handled are appended to `handled`."""
    key = resolve_secret(secret)  # ENODE_WEBHOOK_SECRET when None; fails early without one
    seen: OrderedDict[str, None] = OrderedDict()
    lock = threading.Lock()
    events_out = handled if handled is not None else []

    async def receive(request: Request) -> Response:
        body = await request.body()  # the raw bytes: the signature covers exactly these
        if auth_header is not None:
            name, value = auth_header
            given = request.headers.get(name, "")
            if not hmac.compare_digest(given.encode(), value.encode()):
                return JSONResponse({"error": f"missing or wrong {name} header"}, 401)
        try:
            verify_signature(body, request.headers.get(SIGNATURE_HEADER), key)
        except WebhookVerificationError as error:
            return JSONResponse({"error": str(error)}, 401)
        delivery = request.headers.get(DELIVERY_HEADER)
        if not delivery:
            return JSONResponse({"error": f"no {DELIVERY_HEADER} header"}, 400)
        with lock:
            if delivery in seen:  # Enode redelivers when an answer was lost: already done
                return JSONResponse({"duplicate": True})
        try:
            events = json.loads(body)
        except ValueError:  # JSONDecodeError and UnicodeDecodeError
            return JSONResponse({"error": "the body is not JSON"}, 400)
        if not isinstance(events, list) or not all(
            isinstance(event, dict) and isinstance(event.get("event"), str) for event in events
        ):
            return JSONResponse({"error": "the body is not an array of events"}, 400)
        with lock:
            if delivery in seen:
                return JSONResponse({"duplicate": True})
            seen[delivery] = None
            while len(seen) > REMEMBERED_DELIVERIES:
                seen.popitem(last=False)
            # hand the events on (a queue, a task); unknown `event` values are kept too:
            # Enode adds events without a new API version
            events_out.extend(events)
        return JSONResponse({"received": len(events)})

    return _app(receive)


def sloppy_receiver(handled: list[dict[str, Any]] | None = None) -> Starlette:
    """A receiver that trusts every request (the bug the contract suite must catch)."""
    events_out = handled if handled is not None else []

    async def receive(request: Request) -> Response:
        body = await request.body()
        try:
            events = json.loads(body)
            kinds = [event["event"] for event in events]  # no signature check at all
        except Exception:
            return Response("Internal Server Error", 500)
        events_out.extend(events)
        return JSONResponse({"received": len(kinds)})

    return _app(receive)


def _app(receive: Callable[[Request], Awaitable[Response]]) -> Starlette:
    async def health(request: Request) -> Response:
        return Response(status_code=204)

    return Starlette(
        routes=[Route(PATH, receive, methods=["POST"]), Route("/health", health, methods=["GET"])]
    )


@contextmanager
def serving(app: Starlette, port: int = 0) -> Iterator[str]:
    """Serve `app` with uvicorn on 127.0.0.1 (`port`, default a free one) in a thread;
    yields the receiver's URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    server = uvicorn.Server(
        uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        for _ in range(500):
            if server.started or not thread.is_alive():
                break
            threading.Event().wait(0.01)
        if not server.started:
            raise RuntimeError("the sample receiver did not start")
        yield f"http://127.0.0.1:{sock.getsockname()[1]}{PATH}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m enode_codegen.contract_tests.sample_receivers",
        description="Serve a sample webhook receiver on 127.0.0.1 until interrupted.",
    )
    parser.add_argument("kind", choices=("correct", "sloppy"))
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument(
        "--auth-header",
        metavar="NAME:VALUE",
        help="correct: also require this header (the webhook's `authentication`)",
    )
    args = parser.parse_args(argv)
    if args.kind == "correct":
        header = None
        if args.auth_header:
            name, colon, value = args.auth_header.partition(":")
            if not colon or not name.strip():
                parser.error("--auth-header: give NAME:VALUE")
            header = (name.strip(), value.strip())
        try:
            app = correct_receiver(auth_header=header)
        except WebhookVerificationError as error:
            parser.error(str(error))
    else:
        app = sloppy_receiver()
    try:
        with serving(app, args.port) as url:
            print(f"{args.kind} webhook receiver on {url} (Ctrl-C stops it)", flush=True)
            threading.Event().wait()
    except KeyboardInterrupt:
        pass
    except OSError as error:
        print(f"cannot listen on 127.0.0.1:{args.port}: {error.strerror}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
