"""Mock throughput and latency: `enode-mock serve` vs Prism on the same spec, same load.

Both servers run on 127.0.0.1 with request logging off and their other defaults (ours:
strict response validation on); Prism serves the bundled 2024-10-01 document. The load
is Debian's wrk, `-t1 -c8` for a bounded time after a 1 s warm-up, with bench/wrk/request.lua
setting the method, body, bearer token and Enode-Version. Two requests:

- list GET  `/batteries?pageSize=1` (one battery per page on both: Prism answers its
  one-item example whatever the page size, so ours is asked for one item too);
- action POST `/chargers/{id}/charging` `{"action": "START"}` (ours creates a PENDING
  action each time; Prism answers its example). Ours runs with `--action-delay manual`:
  with the default 3 s delay the first START resolves, the charger is then charging, and
  every later START is a 400 precondition failure instead of a new action.
"""

from __future__ import annotations

import base64
import json
import re
import shutil
import urllib.error
import urllib.request
from typing import Any

from .. import peers
from ..common import (
    BENCH,
    PYTHON,
    ROOT,
    Context,
    Figure,
    Skip,
    free_port,
    measure,
    ratio_row,
    scratch_dir,
    served,
    summarize,
    wait_http,
)
from .specs import bundled_specs

__all__ = ["throughput"]

VERSION = "2024-10-01"
PRISM = "Prism 5.14.2"
SCRIPT = BENCH / "wrk" / "request.lua"
_RESULT = re.compile(r"^BENCH_JSON (\{.*\})$", re.MULTILINE)


def _token(base: str) -> str:
    from enode_codegen.mock.config import DEFAULT_CLIENTS  # the documented default credentials

    client_id, secret = next(iter(DEFAULT_CLIENTS.items()))
    basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    request = urllib.request.Request(
        f"{base}/oauth2/token",
        data=b"grant_type=client_credentials",
        headers={"Authorization": f"Basic {basic}"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return str(json.load(response)["access_token"])


def _first_charger(base: str, token: str) -> str:
    request = urllib.request.Request(
        f"{base}/chargers?pageSize=1",
        headers={"Authorization": f"Bearer {token}", "Enode-Version": VERSION},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return str(json.load(response)["data"][0]["id"])


def _probe(url: str, env: dict[str, str]) -> str:
    """The status and start of the body of one request like wrk's, to explain its errors."""
    request = urllib.request.Request(
        url,
        method=env["BENCH_METHOD"],
        data=env["BENCH_BODY"].encode() or None,
        headers={
            "Authorization": f"Bearer {env['BENCH_TOKEN']}",
            "Enode-Version": env["BENCH_VERSION"],
            "Content-Type": "application/json",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return f"{response.status} (now)"
    except urllib.error.HTTPError as exc:
        return f"{exc.code} {exc.read()[:200].decode(errors='replace')}"
    except OSError as exc:
        return f"{type(exc).__name__}: {exc}"


def _wrk(wrk: str, url: str, seconds: int, env: dict[str, str]) -> dict[str, Any]:
    done = measure(
        [wrk, "-t1", "-c8", f"-d{seconds}s", "--timeout", "5s", "-s", SCRIPT, url],
        env=env,
        timeout=seconds + 30,
    ).check()
    match = _RESULT.search(done.stdout)
    if match is None:
        raise Skip(f"wrk printed no result:\n{done.stdout[-500:]}{done.stderr[-500:]}")
    result: dict[str, Any] = json.loads(match.group(1))
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    result["errors"] = sum(result[k] for k in ("connect", "read", "write", "status", "timeout"))
    if result["errors"]:
        result["probe"] = _probe(url, env)
    return result


def throughput(ctx: Context) -> Figure:
    """Requests/s and p50/p99 latency of ours vs Prism for a list GET and an action POST."""
    fig = Figure("mock", "Mock requests/s and latency (wrk -t1 -c8)")
    wrk = peers.ensure_wrk()
    prism = peers.ensure_prism()
    spec = bundled_specs()[VERSION]
    seconds = 3 if ctx.quick else 5
    logs = scratch_dir("mock-")
    ports = {"ours": free_port(), "prism": free_port()}
    bases = {who: f"http://127.0.0.1:{port}" for who, port in ports.items()}
    ours_cmd = [
        PYTHON, "-m", "enode_codegen.mock", "serve", "--host", "127.0.0.1", "--port", ports["ours"],
        "--log-level", "warning", "--action-delay", "manual",
    ]  # fmt: skip
    prism_cmd = [
        prism, "mock", "-h", "127.0.0.1", "-p", ports["prism"], "-v", "warn", spec,
    ]  # fmt: skip
    results: dict[tuple[str, str], list[dict[str, Any]]] = {}
    try:
        with (
            served([str(c) for c in ours_cmd], log=logs / "ours.log", cwd=ROOT) as ours_server,
            served([str(c) for c in prism_cmd], log=logs / "prism.log") as prism_server,
        ):
            for who, server in (("ours", ours_server), ("prism", prism_server)):
                try:
                    wait_http(f"{bases[who]}/batteries", server, timeout=90)
                except Skip as exc:
                    log = (logs / f"{who}.log").read_text(errors="replace")
                    raise Skip(f"{exc}; its log ends:\n{log[-1500:]}") from None
            token = _token(bases["ours"])
            charger = _first_charger(bases["ours"], token)
            requests = {
                "list GET": ("GET", "/batteries?pageSize=1", ""),
                "action POST": ("POST", f"/chargers/{charger}/charging", '{"action": "START"}'),
            }
            for name, (method, path, body) in requests.items():
                env = {
                    "BENCH_METHOD": method,
                    "BENCH_BODY": body,
                    "BENCH_TOKEN": token,
                    "BENCH_VERSION": VERSION,
                }
                for base in bases.values():  # warm-up
                    _wrk(wrk, f"{base}{path}", 1, env)
                for run in range(ctx.runs):
                    order = list(bases.items())
                    for who, base in order if run % 2 == 0 else reversed(order):
                        result = _wrk(wrk, f"{base}{path}", seconds, env)
                        results.setdefault((name, who), []).append(result)
                    ctx.log(
                        f"{name} run {run + 1}: "
                        + ", ".join(
                            f"{who} {results[(name, who)][-1]['rps']:.0f} req/s" for who in bases
                        )
                    )
    finally:
        shutil.rmtree(logs, ignore_errors=True)

    for name in ("list GET", "action POST"):
        ours, theirs = results[(name, "ours")], results[(name, "prism")]
        rps = summarize([r["rps"] for r in ours], "req/s")
        prism_rps = summarize([r["rps"] for r in theirs], "req/s")
        fig.rows.append(
            ratio_row(f"{name} requests/s", rps, prism_rps, PRISM, ">= 2.00x", lambda r: r >= 2)
        )
        for pct, target in (("p50", ""), ("p99", "< 1.00x")):
            mine = summarize([r[f"{pct}_us"] / 1000 for r in ours], "ms")
            peer = summarize([r[f"{pct}_us"] / 1000 for r in theirs], "ms")
            fig.rows.append(
                ratio_row(f"{name} {pct} latency", mine, peer, PRISM, target, lambda r: r < 1)
            )
        for who, runs in (("ours", ours), ("Prism", theirs)):
            errors = sum(r["errors"] for r in runs)
            if errors:
                total = sum(r["requests"] for r in runs)
                probes = sorted({r["probe"] for r in runs if "probe" in r})
                fig.notes.append(
                    f"{name}: {who} answered {errors} of {total} requests with an error "
                    f"(a request sent right after: {'; '.join(probes)})"
                )
    fig.notes.append(
        f"wrk -t1 -c8 -d{seconds}s per run after a 1 s warm-up; both servers single-process "
        "on a 2-core machine shared with wrk"
    )
    return fig
