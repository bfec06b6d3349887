"""`enode-mock`: run the mock with uvicorn.

enode-mock serve [--host 127.0.0.1] [--port 8080] [--seed-data FILE]
                 [--action-delay SECONDS|manual] [--token-ttl SECONDS]
                 [--client ID:SECRET ...] [--current-user USER_ID] [--no-strict]
"""

from __future__ import annotations

import argparse
import errno
import gc
import logging
import os
import socket
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from enode_codegen import __version__

from .config import DEFAULT_CLIENTS, DEFAULT_SEED, DEFAULT_SPEC_DIR, MockConfig

__all__ = ["DEFAULT_ACTION_DELAY", "add_serve_arguments", "build_config", "main", "parser"]

_STARTED = time.monotonic()
DEFAULT_ACTION_DELAY = 3.0
DEFAULT_HEARTBEAT = 300.0


def _delay(text: str) -> float | None:
    if text.lower() in ("manual", "none", "off"):
        return None
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a number of seconds or 'manual'"
        ) from None
    if value < 0:
        raise argparse.ArgumentTypeError("the action delay must be >= 0")
    return value


def _heartbeat(text: str) -> float | None:
    if text.lower() in ("off", "none"):
        return None
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds or 'off'") from None
    if value <= 0:
        raise argparse.ArgumentTypeError("the heartbeat period must be > 0 seconds")
    return value


def _client(text: str) -> tuple[str, str]:
    client_id, colon, secret = text.partition(":")
    if not colon or not client_id or not secret:
        raise argparse.ArgumentTypeError(f"{text!r} is not ID:SECRET")
    return client_id, secret


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(
        prog="enode-mock", description="A stateful mock of the Enode API."
    )
    root.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = root.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve every Enode-Version over HTTP (uvicorn)")
    add_serve_arguments(serve)
    return root


def add_serve_arguments(serve: argparse.ArgumentParser) -> None:
    """The options of `enode-mock serve`, on `serve` (also the contract suite's faulty mock,
    `python -m enode_codegen.contract_tests.faults serve`)."""
    serve.set_defaults(said_to=serve)  # whose usage an unknown option is said with
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8080)
    serve.add_argument(
        "--seed-data",
        type=Path,
        default=DEFAULT_SEED,
        metavar="FILE",
        help="seed fixture (default: mock/seed/default.json)",
    )
    serve.add_argument("--spec-dir", type=Path, default=DEFAULT_SPEC_DIR, help=argparse.SUPPRESS)
    serve.add_argument(
        "--action-delay",
        type=_delay,
        default=DEFAULT_ACTION_DELAY,
        metavar="SECONDS|manual",
        help=f"seconds until a PENDING action resolves (default {DEFAULT_ACTION_DELAY:g}; "
        "0: on the next request; manual: only via POST /_mock/actions/{id}/advance)",
    )
    serve.add_argument(
        "--webhook-heartbeat",
        type=_heartbeat,
        default=DEFAULT_HEARTBEAT,
        metavar="SECONDS|off",
        help=f"mock-clock seconds between system:heartbeat events to every active webhook "
        f"(default {DEFAULT_HEARTBEAT:g})",
    )
    serve.add_argument(
        "--token-ttl",
        type=float,
        default=3599.0,
        metavar="SECONDS",
        help="lifetime of access tokens (default 3599)",
    )
    serve.add_argument(
        "--client",
        type=_client,
        action="append",
        metavar="ID:SECRET",
        help="an OAuth client (repeatable; default mock-client:mock-secret)",
    )
    serve.add_argument(
        "--current-user",
        metavar="USER_ID",
        help="user of 2023-04-01's /me and ID lists (default: the seed's first user)",
    )
    serve.add_argument(
        "--no-strict",
        dest="strict",
        action="store_false",
        help="send responses that violate the spec instead of a 500 (still logged)",
    )
    serve.add_argument(
        "--admin-token",
        default=os.environ.get("ENODE_MOCK_ADMIN_TOKEN"),
        metavar="TOKEN",
        help="token other hosts must send for /_mock (admin API, console, Link UI); "
        "without it only loopback clients reach them (default: $ENODE_MOCK_ADMIN_TOKEN)",
    )
    serve.add_argument(
        "--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"]
    )


def build_config(args: argparse.Namespace) -> MockConfig:
    return MockConfig(
        seed_path=args.seed_data,
        spec_dir=args.spec_dir,
        action_delay=args.action_delay,
        strict=args.strict,
        token_ttl=args.token_ttl,
        clients=dict(args.client) if args.client else dict(DEFAULT_CLIENTS),
        current_user=args.current_user,
        webhook_heartbeat=args.webhook_heartbeat,
        admin_token=args.admin_token or None,
    )


def main(argv: Sequence[str] | None = None) -> int:
    root = parser()
    args, rest = root.parse_known_args(argv)
    if rest:  # said with the usage of the command it was given to (`serve --prot`)
        args.said_to.error(f"unrecognized arguments: {' '.join(rest)}")
    if not 0 <= args.port <= 65535:
        print(f"enode-mock: --port {args.port} is not a TCP port (0-65535)", file=sys.stderr)
        return 2
    # the port first: a busy one is said at once, before loading anything
    try:
        sock = _bind(args.host, args.port)
    except OSError as error:
        print(
            f"enode-mock: cannot listen on {args.host}:{args.port}: {_why(error)}", file=sys.stderr
        )
        return 1
    import uvicorn

    from .app import create_app
    from .banner import Served, render
    from .server import ReadyServer

    logging.basicConfig(level=args.log_level.upper(), format="%(levelname)s %(name)s: %(message)s")
    config = build_config(args)
    try:
        app = create_app(config)
    except (OSError, ValueError) as error:
        sock.close()
        print(f"enode-mock: {error}", file=sys.stderr)
        return 2
    _tune_gc()
    host, port = sock.getsockname()[:2]
    shown_host = f"[{host}]" if ":" in host else host
    versions = tuple(app.state.mock.index.supported)

    def ready() -> None:
        served = Served(
            f"http://{shown_host}:{port}", versions, config, time.monotonic() - _STARTED
        )
        sys.stdout.write(render(served))
        sys.stdout.flush()

    served_by = uvicorn.Config(app, log_level=args.log_level, timeout_graceful_shutdown=5)
    ReadyServer(served_by, ready).run(sockets=[sock])
    return 0


def _bind(host: str, port: int) -> socket.socket:
    """A socket bound to host:port (0: a free port), for uvicorn to listen on."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY only on sockets that say TCP, and
    # without it a response's body waits 40 ms behind its headers (Nagle + delayed ACK)
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


def _why(error: OSError) -> str:
    if error.errno == errno.EADDRINUSE:
        return (
            "the port is in use (another enode-mock?); choose another with --port, "
            "or --port 0 for a free one"
        )
    if error.errno == errno.EADDRNOTAVAIL:
        return "this machine has no such address (--host)"
    if error.errno == errno.EACCES:
        return "permission denied (ports below 1024 need privileges)"
    return error.strerror or str(error)


def _tune_gc() -> None:
    """Keep garbage-collection pauses out of request latency.

    The specs, compiled validators and seed state live for the whole process: freeze
    them out of every collection. The state grows with every action a load test
    creates, and full collections over it showed up as p99 spikes (bench/README.md),
    so young collections run every 50,000 allocations instead of every 700.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)


if __name__ == "__main__":
    sys.exit(main())
