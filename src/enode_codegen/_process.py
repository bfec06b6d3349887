"""Run a local HTTP server (enode-mock, pypiserver) as a child process for as long as needed."""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import httpx

__all__ = ["free_port", "serving"]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serving(
    command: Callable[[int], Sequence[str | Path]],
    *,
    ready: str,
    log: Path,
    cwd: Path | None = None,
    timeout: float = 60.0,
    port: int = 0,
) -> Iterator[str]:
    """Start `command(port)` on `port` (0: a free one); yield `http://127.0.0.1:<port>` once
    GET `ready` answers 2xx; stop the process (terminate, then kill) on leaving, whatever
    happened."""
    port = port or free_port()
    base = f"http://127.0.0.1:{port}"
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [str(part) for part in command(port)],
            cwd=cwd,
            stdout=sink,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(
                    f"{command(port)[0]} exited with {process.returncode} before it was ready "
                    f"(log: {log}):\n{log.read_text(errors='replace')[-2000:]}"
                )
            try:
                if httpx.get(base + ready, timeout=2).is_success:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"{base}{ready} did not answer within {timeout:g} s (log: {log})"
                )
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
