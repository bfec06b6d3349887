"""`enode-mock serve` as a user starts it: ready within a second with a banner saying where
it is, which versions it serves and which credentials to use; a busy port said at once."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from snapshots import blank

ENODE_MOCK = Path(sys.executable).parent / "enode-mock"
BANNER = """\
enode-mock 0.1.0: the Enode API mock at http://127.0.0.1:<port> (ready in <duration>)
  versions     2023-04-01, 2023-08-01, 2024-01-01, 2024-10-01 (by Enode-Version; default 2024-10-01)
  token URL    http://127.0.0.1:<port>/oauth2/token
  credentials  mock-client:mock-secret (client ID:secret, OAuth client credentials)
  admin        http://127.0.0.1:<port>/_mock/state (reset, clock, actions: mock/README.md)
  console      http://127.0.0.1:<port>/_mock/console (loopback only; --admin-token for others)
  Link UI      at linkUrl: any e-mail, password enode-mock (e-mail with +2fa: code 123456)
"""


def test_serve_prints_a_banner_once_it_answers() -> None:
    started = time.monotonic()
    process = subprocess.Popen(
        [str(ENODE_MOCK), "serve", "--port", "0", "--log-level", "warning"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        banner = "".join(process.stdout.readline() for _ in range(BANNER.count("\n")))
        ready = time.monotonic() - started
        assert blank(banner) == BANNER
        base = re.search(r"http://127\.0\.0\.1:\d+", banner)
        assert base is not None
        assert httpx.get(f"{base.group()}/health/ready", timeout=5).is_success
        token = httpx.post(
            f"{base.group()}/oauth2/token",
            auth=("mock-client", "mock-secret"),
            data={"grant_type": "client_credentials"},
            timeout=5,
        )
        assert token.status_code == 200, token.text  # the credentials the banner gives work
        # under a second on an idle machine (bench: `mock-startup`); generous for a busy one
        assert ready < 10, f"ready after {ready:.1f}s"
    finally:
        process.terminate()
        process.wait(10)


def test_a_busy_port_is_said_at_once() -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        started = time.monotonic()
        result = subprocess.run(
            [str(ENODE_MOCK), "serve", "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    assert result.returncode == 1
    assert result.stdout == ""  # no "Application startup complete" before the error
    assert blank(result.stderr) == (
        "enode-mock: cannot listen on 127.0.0.1:<port>: the port is in use (another "
        "enode-mock?); choose another with --port, or --port 0 for a free one\n"
    )
    assert time.monotonic() - started < 10


def test_the_listening_socket_says_tcp() -> None:
    """asyncio turns Nagle off (TCP_NODELAY) only on sockets whose protocol is TCP; with
    proto 0 every response's body waited 40 ms behind its headers (45 ms a request)."""
    from enode_codegen.mock.cli import _bind

    sock = _bind("127.0.0.1", 0)
    try:
        assert sock.proto == socket.IPPROTO_TCP
    finally:
        sock.close()


def test_packaged_specs_are_read_once_then_from_the_json_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from enode_codegen.generator.bundle import bundle_spec
    from enode_codegen.generator.paths import PUBLISHED_DIR
    from enode_codegen.mock.specs import _document

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    first = _document(PUBLISHED_DIR, "2024-10-01")
    [cached] = (tmp_path / "enode-codegen" / "specs").glob("2024-10-01-*.json")
    assert first == bundle_spec(PUBLISHED_DIR / "2024-10-01.yaml").document
    cached.write_text('{"read": "from the cache"}')  # what is read next comes from here
    assert _document(PUBLISHED_DIR, "2024-10-01") == {"read": "from the cache"}
    cached.write_text("not json")  # a damaged copy: the YAML is read again
    assert _document(PUBLISHED_DIR, "2024-10-01") == first
