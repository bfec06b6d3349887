"""Webhook deliveries of `enode-mock serve`: events/s delivered and verified end to end, and
the mock's request latency with deliveries running vs without.

Three processes on 127.0.0.1: the mock (`--action-delay manual --webhook-heartbeat off`, the
seed's webhook deleted so that "without" means no webhook at all), a receiver that checks
the signature of every delivery with `runtime/_webhooks.verify_signature` and counts the
events it parsed (`python -m bench.figures.webhooks receive`), and a load generator
(`python -m bench.figures.webhooks load`). The load is open-loop at a fixed rate over one
keep-alive connection, alternating a battery operation-mode POST (two events each: the
previous action CANCELLED, the new one PENDING) and a GET of that battery; each request's
latency is measured from when it was due.

- throughput: with the receiver answering 503, the load queues events behind a failing
  delivery; then the receiver answers 200, the mock clock jumps to the first retry, and
  the time until the receiver has verified every event gives events/s (batches of 100).
- latency: runs alternate "without" (no webhook) and "with" (a webhook on the receiver
  subscribed to everything); p50/p99 of the same load, ratio with/without, target <= 1.10.
  After each "with" run the receiver must have verified every event the run raised.
"""

from __future__ import annotations

import argparse
import http.client
import json
import shutil
import sys
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from ..common import (
    PYTHON,
    ROOT,
    Context,
    Figure,
    Row,
    Skip,
    free_port,
    measure,
    ratio_row,
    scratch_dir,
    served,
    summarize,
    wait_http,
)

__all__ = ["deliveries"]

VERSION = "2024-10-01"
SECRET = "bench-webhook-secret-0123456789abcdef"
ACTION_EVENT = "user:vendor-action:updated"


# --- the receiver (its own process) -------------------------------------------------------


def receive(port: int, secret: str) -> None:
    from enode_codegen.runtime._webhooks import WebhookVerificationError, verify_signature

    counts = {"events": 0, "deliveries": 0, "bad": 0, "status": 200}
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _answer(self, status: int, body: bytes = b"") -> None:
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:  # the counters
            with lock:
                body = json.dumps(counts).encode()
            self._answer(200, body)

        def do_PUT(self) -> None:  # {"status": 503}: what deliveries get from now on
            body = self.rfile.read(int(self.headers.get("content-length") or 0))
            with lock:
                counts.update(json.loads(body))
            self._answer(204)

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length") or 0))
            with lock:
                status = counts["status"]
            if status != 200:
                self._answer(status)
                return
            try:
                verify_signature(body, self.headers.get("x-enode-signature"), secret)
                events = json.loads(body)
            except (WebhookVerificationError, ValueError):
                with lock:
                    counts["bad"] += 1
                self._answer(400)
                return
            with lock:
                counts["events"] += len(events)
                counts["deliveries"] += 1
            self._answer(200)

        def log_message(self, format: str, *args: object) -> None:
            return

    ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()


# --- the load generator (its own process) -------------------------------------------------


def load(base: str, token: str, battery: str, rate: float, seconds: float) -> dict[str, Any]:
    host, port = base.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    headers = {"Authorization": f"Bearer {token}", "Enode-Version": VERSION}
    post_headers = {**headers, "Content-Type": "application/json"}
    interval = 1.0 / rate
    latencies: list[float] = []
    errors = posts = 0
    started = time.perf_counter()
    count = int(rate * seconds)
    for i in range(count):
        due = started + i * interval
        pause = due - time.perf_counter()
        if pause > 0:
            time.sleep(pause)
        if i % 2 == 0:
            mode = "IMPORT_FOCUS" if (i // 2) % 2 else "SELF_RELIANCE"
            body = json.dumps({"operationMode": mode})
            connection.request(
                "POST", f"/batteries/{battery}/operation-mode", body=body, headers=post_headers
            )
            posts += 1
        else:
            connection.request("GET", f"/batteries/{battery}", headers=headers)
        answer = connection.getresponse()
        answer.read()
        latencies.append(time.perf_counter() - due)
        if answer.status != 200:
            errors += 1
    latencies.sort()
    return {
        "requests": count,
        "posts": posts,
        "errors": errors,
        "p50_ms": latencies[len(latencies) // 2] * 1000,
        "p99_ms": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000,
        "seconds": time.perf_counter() - started,
    }


# --- the figure ---------------------------------------------------------------------------


def _call(method: str, url: str, body: Any = None, token: str | None = None) -> Any:
    headers = {"Enode-Version": VERSION, "Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    with urllib.request.urlopen(request, timeout=60) as response:
        raw = response.read()
    return json.loads(raw) if raw else None


def _token(base: str) -> str:
    import base64

    from enode_codegen.mock.config import DEFAULT_CLIENTS

    client_id, secret = next(iter(DEFAULT_CLIENTS.items()))
    basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    request = urllib.request.Request(
        f"{base}/oauth2/token",
        data=b"grant_type=client_credentials",
        headers={"Authorization": f"Basic {basic}"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return str(json.load(response)["access_token"])


def _battery(base: str, token: str) -> str:
    page = _call("GET", f"{base}/batteries?pageSize=100", token=token)
    for battery in page["data"]:
        capabilities = battery["capabilities"]
        if (
            battery["isReachable"]
            and capabilities["importFocus"]["isCapable"]
            and capabilities["selfReliance"]["isCapable"]
        ):
            return str(battery["id"])
    raise Skip("no reachable battery capable of IMPORT_FOCUS and SELF_RELIANCE in the seed")


def _load(base: str, token: str, battery: str, rate: float, seconds: float) -> dict[str, Any]:
    done = measure(
        [
            PYTHON,
            "-m",
            "bench.figures.webhooks",
            "load",
            "--base",
            base,
            "--token",
            token,
            "--battery",
            battery,
            "--rate",
            str(rate),
            "--seconds",
            str(seconds),
        ],
        cwd=ROOT,
        timeout=seconds * 4 + 60,
    ).check()
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _counts(receiver: str) -> dict[str, int]:
    counts: dict[str, int] = _call("GET", receiver)
    return counts


def _wait_events(receiver: str, expected: int, timeout: float) -> float:
    """Seconds until the receiver has verified `expected` events (Skip on timeout)."""
    started = time.perf_counter()
    while True:
        counts = _counts(receiver)
        if counts["bad"]:
            raise Skip(f"the receiver refused {counts['bad']} deliveries (bad signature)")
        if counts["events"] >= expected:
            return time.perf_counter() - started
        if time.perf_counter() - started > timeout:
            raise Skip(f"only {counts['events']} of {expected} events arrived in {timeout:g} s")
        time.sleep(0.005)


def deliveries(ctx: Context) -> Figure:
    fig = Figure("webhooks", "Mock webhook deliveries: events/s, request latency")
    seconds = 3.0 if ctx.quick else 6.0
    rate = 150.0  # requests/s: well below saturation, as a service's load would be
    backlog_posts = 1000 if ctx.quick else 2500
    logs = scratch_dir("webhooks-")
    mock_port, receiver_port = free_port(), free_port()
    base = f"http://127.0.0.1:{mock_port}"
    receiver = f"http://127.0.0.1:{receiver_port}/hook"
    mock_cmd = [
        PYTHON, "-m", "enode_codegen.mock", "serve", "--port", mock_port, "--log-level",
        "warning", "--action-delay", "manual", "--webhook-heartbeat", "off",
    ]  # fmt: skip
    receiver_cmd = [
        PYTHON, "-m", "bench.figures.webhooks", "receive", "--port", receiver_port,
        "--secret", SECRET,
    ]  # fmt: skip
    throughput: list[float] = []
    live_rates: list[float] = []
    latency: dict[str, list[dict[str, Any]]] = {"without": [], "with": []}
    try:
        with (
            served([str(c) for c in mock_cmd], log=logs / "mock.log", cwd=ROOT) as mock,
            served([str(c) for c in receiver_cmd], log=logs / "receiver.log", cwd=ROOT) as rcv,
        ):
            wait_http(f"{base}/health/ready", mock, timeout=90)
            wait_http(receiver, rcv, timeout=30)
            token = _token(base)
            for hook in _call("GET", f"{base}/webhooks", token=token)["data"]:
                _call("DELETE", f"{base}/webhooks/{hook['id']}", token=token)
            battery = _battery(base, token)

            def with_hook(run: Any) -> Any:
                # only the actions' events: vehicles charging on the running clock would add
                # `user:vehicle:updated` events the counts do not expect
                body = {"url": receiver, "secret": SECRET, "events": [ACTION_EVENT]}
                hook = _call("POST", f"{base}/webhooks", body, token)
                try:
                    return run()
                finally:
                    _call("POST", f"{base}/_mock/webhooks/flush", {"timeout": 60})
                    _call("DELETE", f"{base}/webhooks/{hook['id']}", token=token)

            _load(base, token, battery, rate, 1.0)  # warm-up
            for run in range(ctx.runs):
                # throughput: a backlog behind a failing delivery, then released
                def backlog() -> float:
                    before = _counts(receiver)["events"]
                    _call("PUT", receiver, {"status": 503})
                    _load(base, token, battery, 2000.0, backlog_posts * 2 / 2000.0)
                    queued = sum(
                        q["queued"] + (1 if q["inFlight"] else 0)
                        for q in _call("POST", f"{base}/_mock/webhooks/flush", {"timeout": 60})
                    )
                    expected = before + backlog_posts * 2
                    _call("PUT", receiver, {"status": 200})
                    _call("POST", f"{base}/_mock/clock/advance", {"seconds": 10})
                    elapsed = _wait_events(receiver, expected, 120)
                    ctx.log(f"backlog of {queued} queued events and batches drained")
                    return backlog_posts * 2 / elapsed

                throughput.append(with_hook(backlog))
                order = ["without", "with"] if run % 2 == 0 else ["with", "without"]
                for side in order:
                    if side == "without":
                        latency[side].append(_load(base, token, battery, rate, seconds))
                        continue

                    def live() -> dict[str, Any]:
                        before = _counts(receiver)["events"]
                        result = _load(base, token, battery, rate, seconds)
                        waited = _wait_events(receiver, before + result["posts"] * 2, 60)
                        live_rates.append(result["posts"] * 2 / (result["seconds"] + waited))
                        return result

                    latency[side].append(with_hook(live))
                ctx.log(
                    f"run {run + 1}: {throughput[-1]:,.0f} events/s; p99 without "
                    f"{latency['without'][-1]['p99_ms']:.2f} ms, with "
                    f"{latency['with'][-1]['p99_ms']:.2f} ms"
                )
    finally:
        shutil.rmtree(logs, ignore_errors=True)

    fig.rows.append(
        Row("backlog delivered + verified", summarize(throughput, "events/s"), target="reported")
    )
    fig.rows.append(
        Row("live load, delivered + verified", summarize(live_rates, "events/s"), target="")
    )
    for pct, target in (("p50", ""), ("p99", "<= 1.10x")):
        mine = summarize([r[f"{pct}_ms"] for r in latency["with"]], "ms")
        base_stats = summarize([r[f"{pct}_ms"] for r in latency["without"]], "ms")
        fig.rows.append(
            ratio_row(
                f"request {pct} latency, deliveries running",
                mine,
                base_stats,
                "no webhook",
                target,
                lambda r: r <= 1.10,
            )
        )
    errors = sum(r["errors"] for side in latency.values() for r in side)
    if errors:
        fig.notes.append(f"{errors} requests of the latency runs did not answer 200")
    fig.notes.append(
        f"open-loop load at {rate:g} requests/s for {seconds:g} s per run (half battery "
        "operation-mode POSTs, two events each), one keep-alive connection; mock, receiver "
        "and load generator are separate processes on a 2-core machine; backlog: "
        f"{backlog_posts * 2} events queued behind a 503, then released"
    )
    return fig


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.figures.webhooks")
    commands = parser.add_subparsers(dest="command", required=True)
    rcv = commands.add_parser("receive")
    rcv.add_argument("--port", type=int, required=True)
    rcv.add_argument("--secret", required=True)
    gen = commands.add_parser("load")
    gen.add_argument("--base", required=True)
    gen.add_argument("--token", required=True)
    gen.add_argument("--battery", required=True)
    gen.add_argument("--rate", type=float, required=True)
    gen.add_argument("--seconds", type=float, required=True)
    args = parser.parse_args(argv)
    if args.command == "receive":
        receive(args.port, args.secret)
        return 0
    print(json.dumps(load(args.base, args.token, args.battery, args.rate, args.seconds)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
