"""What the browser tests share: where chromium and axe-core are, the mock's test client,
the app's side of redirectUri, screenshots and the accessibility check (conftest.py holds
the fixtures; a module of its own, as tests/mock/mockhelpers.py, because several test
folders have a conftest.py and `from conftest import` would find whichever came last)."""

from __future__ import annotations

import base64
import hashlib
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

CHROMIUM = Path(os.environ.get("ENODE_CHROMIUM", "/usr/bin/chromium"))
ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "reports" / "browser"
AXE = Path(__file__).resolve().parent / "vendor" / "axe-core-4.14.1" / "axe.min.js"
# sri-history.json of the axe-core 4.14.1 npm package
AXE_SRI = "sha256-KTSJmUUM3yhJqOcLeRL8LahahJ2jnA0NU5T1HUqe2Vw="
CLIENT = ("mock-client", "mock-secret")


def mock_client(server: str, client: Any) -> Any:
    """A generated client (`enode_<version>.Client`) pointed at the mock at `server`."""
    return client(
        client_id=CLIENT[0],
        client_secret=CLIENT[1],
        base_url=server,
        token_url=f"{server}/oauth2/token",
    )


class AppSite:
    """The app's side of `redirectUri`: a local HTTP server recording the URLs opened."""

    def __init__(self) -> None:
        site = self
        self.opened: list[str] = []

        class _Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path == "/favicon.ico":  # the browser's own request
                    self.send_error(404)
                    return
                site.opened.append(f"{site.base}{self.path}")
                body = b"<!doctype html><title>app</title><p>Back in the app</p>"
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.base = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def shot(page: Any, name: str, part: str = "main") -> Path:
    """The whole page as reports/browser/<name>.png, and its `part` alone as
    <name>-part.png (small enough for the docs)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    page.locator(part).first.screenshot(path=str(SHOTS / f"{name}-part.png"))
    return path


def axe_source() -> str:
    raw = AXE.read_bytes()
    digest = "sha256-" + base64.b64encode(hashlib.sha256(raw).digest()).decode()
    assert digest == AXE_SRI, f"{AXE} is not axe-core 4.14.1 as published ({digest})"
    return raw.decode("utf-8")


def serious_violations(page: Any) -> list[str]:
    """axe-core's serious and critical violations on the page (WCAG 2 A/AA rules)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=axe_source())
    result = page.evaluate(
        "axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', "
        "'wcag21a', 'wcag21aa', 'best-practice']}})"
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
