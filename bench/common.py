"""Shared pieces of the benchmarks: paths, statistics, timed subprocesses, result rows.

Every figure returns a `Figure` of `Row`s. A row compares our `Stats` with a peer's (or
with a fixed target) and says whether the target was met; a figure that cannot be
measured carries the reason in `skipped` instead of rows.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "BENCH",
    "CACHE",
    "PYTHON",
    "RESULTS",
    "ROOT",
    "Context",
    "Figure",
    "Process",
    "Row",
    "Skip",
    "Stats",
    "Unavailable",
    "free_port",
    "measure",
    "ratio_row",
    "scratch_dir",
    "served",
    "summarize",
    "wait_http",
]

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
CACHE = BENCH / ".cache"
RESULTS = BENCH / "results"
PYTHON = sys.executable  # the interpreter that has the project installed runs "ours"


class Unavailable(Exception):
    """A peer or tool cannot be installed or found; only the figures needing it are skipped."""


class Skip(Exception):
    """A figure cannot be measured; the message says why."""


@dataclass(frozen=True)
class Context:
    """How hard to try: `runs` repetitions per figure (fewer in --quick)."""

    quick: bool
    runs: int
    verbose: bool = True

    def log(self, message: str) -> None:
        if self.verbose:
            print(f"  .. {message}", file=sys.stderr, flush=True)


@dataclass(frozen=True)
class Stats:
    """min / median / max of repeated measurements, in `unit`."""

    min: float
    median: float
    max: float
    runs: int
    unit: str


def summarize(values: Sequence[float], unit: str) -> Stats:
    """Stats of `values` (at least one)."""
    if not values:
        raise ValueError("no measurements")
    return Stats(min(values), statistics.median(values), max(values), len(values), unit)


@dataclass
class Row:
    """One measured quantity: ours, optionally a peer's, and the target it is held to.

    `ratio` is ours / peer (or ours - peer for an "above" target), `verdict` is "met",
    "missed" or "" (no target).
    """

    metric: str
    ours: Stats | None
    peer: Stats | None = None
    peer_name: str = ""
    ratio: float | None = None
    ratio_label: str = ""
    target: str = ""
    verdict: str = ""


def ratio_row(
    metric: str,
    ours: Stats,
    peer: Stats,
    peer_name: str,
    target: str = "",
    passes: Callable[[float], bool] | None = None,
) -> Row:
    """A row comparing medians, ours / peer; `passes(ratio)` decides the verdict of a
    `target` (no target: no verdict)."""
    ratio = ours.median / peer.median
    verdict = ("met" if passes(ratio) else "missed") if target and passes else ""
    return Row(metric, ours, peer, peer_name, ratio, "ours/theirs", target, verdict)


@dataclass
class Figure:
    """The result of one figure: rows, or why it was skipped, plus free-form notes."""

    id: str
    title: str
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    skipped: str | None = None
    seconds: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Process:
    """A finished subprocess: wall time, peak RSS (itself or its largest waited-for child)."""

    args: tuple[str, ...]
    returncode: int
    seconds: float
    peak_rss_mb: float
    stdout: str
    stderr: str
    # the peak of the summed PSS of every process of the run at once (sampled every 20 ms;
    # PSS shares a page among the processes mapping it), when asked for
    tree_peak_mb: float | None = None

    def check(self) -> Process:
        if self.returncode != 0:
            tail = "\n".join((self.stderr or self.stdout).strip().splitlines()[-15:])
            raise Skip(f"`{' '.join(self.args[:4])} ...` exited {self.returncode}:\n{tail}")
        return self


def measure(
    args: Sequence[str | os.PathLike[str]],
    *,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float = 1800.0,
    tree_memory: bool = False,
) -> Process:
    """Run `args` to completion; wall time from os.wait4 and that child's own ru_maxrss
    (its largest process); with `tree_memory`, also the peak memory of all its processes
    together (`Process.tree_peak_mb`)."""
    argv = tuple(str(a) for a in args)
    full_env = {**os.environ, **(env or {})}
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(
            argv, cwd=cwd, env=full_env, stdout=out, stderr=err, start_new_session=True
        )
        timer = threading.Timer(timeout, _kill_group, (proc.pid,))
        timer.start()
        sampler = _TreeMemory(proc.pid) if tree_memory else None
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
            if sampler is not None:
                sampler.stop()
        seconds = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Process(
            argv,
            proc.returncode,
            seconds,
            usage.ru_maxrss / 1024,  # KiB on Linux
            out.read().decode(errors="replace"),
            err.read().decode(errors="replace"),
            sampler.peak_mb if sampler is not None else None,
        )


class _TreeMemory:
    """Samples the summed PSS of the processes in session `sid` (the run and every process
    it starts) on a thread until stopped; `peak_mb` is the largest sum seen."""

    def __init__(self, sid: int) -> None:
        self.sid = sid
        self.peak_mb = 0.0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._done.is_set():
            total = 0
            for entry in os.scandir("/proc"):
                if not entry.name.isdigit():
                    continue
                try:
                    with open(f"/proc/{entry.name}/stat", "rb") as stat:
                        fields = stat.read().rsplit(b")", 1)[1].split()
                    if int(fields[3]) != self.sid:  # field 6: session id
                        continue
                    with open(f"/proc/{entry.name}/smaps_rollup", "rb") as rollup:
                        for line in rollup:
                            if line.startswith(b"Pss:"):
                                total += int(line.split()[1])
                                break
                except (OSError, IndexError, ValueError):
                    continue  # ended meanwhile
            self.peak_mb = max(self.peak_mb, total / 1024)
            self._done.wait(0.02)

    def stop(self) -> None:
        self._done.set()
        self._thread.join()


def _kill_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)


def scratch_dir(prefix: str) -> Path:
    """A fresh folder under bench/.cache/tmp (removed by the caller)."""
    base = CACHE / "tmp"
    base.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=prefix, dir=base))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_http(url: str, server: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    """Wait until `url` answers at all (any status); raise Skip if `server` exits or after
    `timeout` seconds."""
    deadline = time.monotonic() + timeout
    last: object = None
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise Skip(f"the server for {url} exited with code {server.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:
            return  # it answered
        except OSError as exc:
            last = exc
            time.sleep(0.2)
    raise Skip(f"{url} did not answer within {timeout:.0f}s ({last})")


class served:
    """Context manager: start a server process in its own session, stop it (TERM, then KILL)."""

    def __init__(
        self, args: Sequence[str | os.PathLike[str]], *, log: Path, cwd: Path | None = None
    ) -> None:
        self.args = [str(a) for a in args]
        self.log = log
        self.cwd = cwd
        self.proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> subprocess.Popen[bytes]:
        self._out = self.log.open("wb")
        self.proc = subprocess.Popen(
            self.args,
            cwd=self.cwd,
            stdout=self._out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        return self.proc

    def __exit__(self, *exc: object) -> None:
        assert self.proc is not None
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                _kill_group(self.proc.pid)
                self.proc.wait()
        self._out.close()
