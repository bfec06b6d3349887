"""Mock start-up: from spawning `enode-mock serve` until it answers, vs Prism.

Ours serves all four packaged Enode-Versions; Prism serves the bundled 2024-10-01 document
(one version). Each run spawns the server on a free 127.0.0.1 port and polls every 10 ms:
ours `GET /health/ready` until 2xx, Prism `GET /batteries` until it answers at all (it has
no health route); the process is then stopped. Runs alternate which server goes first.
"""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from pathlib import Path

from .. import peers
from ..common import (
    PYTHON,
    ROOT,
    Context,
    Figure,
    Row,
    Skip,
    Unavailable,
    free_port,
    ratio_row,
    scratch_dir,
    served,
    summarize,
)
from .specs import bundled_specs

__all__ = ["mock_startup"]

VERSION = "2024-10-01"
PRISM = "Prism 5.14.2"
TIMEOUT = 120.0


def _answered(url: str, any_status: bool) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return 200 <= response.status < 300 or any_status
    except urllib.error.HTTPError:
        return any_status
    except OSError:
        return False


def _start_up(command: list[str], url: str, any_status: bool, log: Path) -> float:
    """Seconds from spawning `command` until `url` answers."""
    started = time.monotonic()
    with served(command, log=log, cwd=ROOT) as server:
        while not _answered(url, any_status):
            if server.poll() is not None:
                raise Skip(f"{command[0]} exited with {server.returncode}; see {log}")
            if time.monotonic() - started > TIMEOUT:
                raise Skip(f"{url} did not answer within {TIMEOUT:.0f} s")
            time.sleep(0.01)
        return time.monotonic() - started


def mock_startup(ctx: Context) -> Figure:
    """Seconds until `enode-mock serve` answers, beside Prism's start-up."""
    fig = Figure("mock-startup", "Mock start-up until the first answer")
    logs = scratch_dir("startup-")

    def ours() -> float:
        port = free_port()
        command = [
            PYTHON, "-m", "enode_codegen.mock", "serve", "--port", str(port),
            "--log-level", "warning",
        ]  # fmt: skip
        return _start_up(command, f"http://127.0.0.1:{port}/health/ready", False, logs / "o.log")

    prism: str | None
    try:
        prism = str(peers.ensure_prism())
        spec = bundled_specs()[VERSION]
    except Unavailable as exc:
        prism, spec = None, None
        fig.notes.append(f"Prism not measured: {exc}")

    def theirs() -> float:
        assert prism is not None and spec is not None
        port = free_port()
        command = [prism, "mock", "-h", "127.0.0.1", "-p", str(port), "-v", "warn", str(spec)]
        return _start_up(command, f"http://127.0.0.1:{port}/batteries", True, logs / "p.log")

    ours()  # untimed: bytecode caches written
    times: dict[str, list[float]] = {"ours": [], "prism": []}
    for run in range(ctx.runs):
        sides = [("ours", ours), ("prism", theirs)] if prism else [("ours", ours)]
        for who, start in sides if run % 2 == 0 else list(reversed(sides)):
            times[who].append(start())
        ctx.log(
            f"start-up run {run + 1}: "
            + ", ".join(f"{who} {values[-1]:.2f} s" for who, values in times.items() if values)
        )
    mine = summarize(times["ours"], "s")
    if times["prism"]:
        fig.rows.append(
            ratio_row(
                "until the first answer",
                mine,
                summarize(times["prism"], "s"),
                PRISM,
                "< 1 s",
                lambda _ratio: mine.median < 1.0,
            )
        )
    else:
        fig.rows.append(
            Row("until the first answer", mine, target="< 1 s", verdict=_verdict(mine.median))
        )
    fig.notes.append(
        "ours serves the four packaged Enode-Versions, Prism the bundled 2024-10-01 document; "
        "spawned on a free port, polled every 10 ms; the target is ours under 1 s"
    )
    return fig


def _verdict(seconds: float) -> str:
    return "met" if seconds < 1.0 else "missed"
