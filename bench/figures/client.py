"""Client figures, in-process over `httpx.MockTransport` (no sockets, no server).

- call overhead: `client.batteries.get_battery(id)` of the generated 2024-10-01 client
  (sync and async) against raw httpx + `json.loads` + `Battery.model_validate`, both
  answered by the same transport with the same canned battery (bench/fixtures/battery.json).
- list parsing: a 1,000-battery page, through our client and through the client
  openapi-python-client generates from the same bundled document, end to end and from
  bytes only (ours: the runtime's `PageBody[Battery]`; theirs: `BatteryList.from_dict`).
"""

from __future__ import annotations

import asyncio
import importlib
import json
import shutil
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from types import ModuleType
from typing import Any

import httpx

from .. import peers
from ..common import (
    BENCH,
    CACHE,
    ROOT,
    Context,
    Figure,
    Row,
    Skip,
    measure,
    ratio_row,
    summarize,
)
from .specs import bundled_specs

__all__ = ["call_overhead", "list_parsing"]

VERSION = "2024-10-01"
PACKAGE = "enode_2024_10_01"
BASE_URL = "http://enode.test"
TOKEN = "bench-token"
OPC = "opc 0.29.1"
BATTERY = json.loads((BENCH / "fixtures" / "battery.json").read_text("utf-8"))


def _ours() -> ModuleType:
    """The committed generated package for 2024-10-01, imported from generated/."""
    folder = ROOT / "generated" / f"enode-client-{VERSION}"
    if not (folder / PACKAGE).is_dir():
        raise Skip(f"{folder} does not exist; run `enode-codegen generate` first")
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))
    return importlib.import_module(PACKAGE)


def _canned(body: bytes) -> httpx.MockTransport:
    headers = {"content-type": "application/json"}
    return httpx.MockTransport(lambda request: httpx.Response(200, content=body, headers=headers))


def _per_call(fn: Callable[[], object], calls: int) -> float:
    started = time.perf_counter()
    for _ in range(calls):
        fn()
    return (time.perf_counter() - started) / calls


async def _aper_call(fn: Callable[[], Awaitable[object]], calls: int) -> float:
    started = time.perf_counter()
    for _ in range(calls):
        await fn()
    return (time.perf_counter() - started) / calls


def _row(
    metric: str,
    ours: list[float],
    base: list[float],
    unit: str,
    peer: str,
    target: str,
    limit: float,
) -> Row:
    return ratio_row(
        metric, summarize(ours, unit), summarize(base, unit), peer, target, lambda r: r <= limit
    )


def call_overhead(ctx: Context) -> Figure:
    """One `get_battery` call: generated client vs raw httpx + json.loads + model_validate."""
    fig = Figure("client-call", "Per-call overhead of a generated client (in-process transport)")
    pkg = _ours()
    battery_model = pkg.models.Battery
    body = json.dumps(BATTERY).encode()
    battery_id = BATTERY["id"]
    transport = _canned(body)
    headers = {"Authorization": f"Bearer {TOKEN}", "Enode-Version": VERSION}
    calls = 500 if ctx.quick else 3000
    us = 1e6

    client = pkg.Client(access_token=TOKEN, base_url=BASE_URL, transport=transport)
    raw = httpx.Client(base_url=BASE_URL, transport=transport, headers=headers)

    def ours() -> object:
        return client.batteries.get_battery(battery_id)

    def baseline() -> object:
        response = raw.get(f"/batteries/{battery_id}")
        if response.status_code != 200:
            raise RuntimeError(response.status_code)
        return battery_model.model_validate(json.loads(response.content))

    if ours() != baseline():
        raise Skip("the generated client and the baseline parsed the battery differently")
    sync: dict[str, list[float]] = {"ours": [], "base": []}
    try:
        _per_call(ours, 200), _per_call(baseline, 200)  # warm-up
        for run in range(ctx.runs):
            pair = [("ours", ours), ("base", baseline)]
            for who, fn in pair if run % 2 == 0 else reversed(pair):
                sync[who].append(_per_call(fn, calls) * us)
    finally:
        client.close()
        raw.close()

    async def measure_async() -> dict[str, list[float]]:
        out: dict[str, list[float]] = {"ours": [], "base": []}
        async with (
            pkg.AsyncClient(access_token=TOKEN, base_url=BASE_URL, transport=transport) as aclient,
            httpx.AsyncClient(base_url=BASE_URL, transport=transport, headers=headers) as araw,
        ):

            async def aours() -> object:
                return await aclient.batteries.get_battery(battery_id)

            async def abaseline() -> object:
                response = await araw.get(f"/batteries/{battery_id}")
                if response.status_code != 200:
                    raise RuntimeError(response.status_code)
                return battery_model.model_validate(json.loads(response.content))

            await _aper_call(aours, 200)
            await _aper_call(abaseline, 200)
            for run in range(ctx.runs):
                pair = [("ours", aours), ("base", abaseline)]
                for who, fn in pair if run % 2 == 0 else reversed(pair):
                    out[who].append(await _aper_call(fn, calls) * us)
        return out

    async_ = asyncio.run(measure_async())
    peer = "raw httpx"
    fig.rows.append(_row("sync call", sync["ours"], sync["base"], "us", peer, "<= 1.25x", 1.25))
    fig.rows.append(
        _row("async call", async_["ours"], async_["base"], "us", peer, "<= 1.25x", 1.25)
    )
    fig.notes.append(
        f"{calls} sequential calls per run after 200 warm-up calls; the transport answers every "
        "request with the same battery, so both sides pay the same httpx cost"
    )
    return fig


def _their_package() -> ModuleType:
    """openapi-python-client's client for the bundled 2024-10-01 document, imported."""
    opc = peers.ensure_opc()
    deps = peers.ensure_opc_client_deps()
    folder = CACHE / "opc-client"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    name = "opc_enode_2024_10_01"
    done = measure(
        [
            opc,
            "generate",
            "--path",
            bundled_specs()[VERSION],
            "--meta",
            "none",
            "--output-path",
            folder / name,
        ],
        cwd=folder,
        env=peers.opc_env(opc),
    ).check()
    if not (folder / name / "client.py").is_file():
        raise Skip(f"{OPC} wrote no client:\n{done.stdout[-500:]}{done.stderr[-500:]}")
    for path in (str(deps), str(folder)):
        if path not in sys.path:
            sys.path.append(path)
    return importlib.import_module(name)


def list_parsing(ctx: Context) -> Figure:
    """A 1,000-item page of batteries: ours vs openapi-python-client's generated client."""
    fig = Figure("list-parse", "Parsing a 1,000-item list response")
    pkg = _ours()
    theirs = _their_package()
    their_list = importlib.import_module(f"{theirs.__name__}.api.batteries.list_batteries")
    their_model = importlib.import_module(f"{theirs.__name__}.models").BatteryList
    page_body = importlib.import_module(f"{PACKAGE}._runtime._models").PageBody
    adapter = importlib.import_module(f"{PACKAGE}._runtime._parse").adapter

    items = [
        {**BATTERY, "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"battery-{i}"))} for i in range(1000)
    ]
    body = json.dumps({"data": items, "pagination": {"after": None, "before": None}}).encode()
    transport = _canned(body)
    client = pkg.Client(access_token=TOKEN, base_url=BASE_URL, transport=transport)
    their_client = theirs.AuthenticatedClient(
        base_url=BASE_URL, token=TOKEN, httpx_args={"transport": transport}
    )
    ours_adapter = adapter(page_body[pkg.models.Battery])

    def ours_call() -> Any:
        return client.batteries.list_batteries(page_size=1000).data

    def their_call() -> Any:
        return their_list.sync(client=their_client, page_size=1000).data

    def ours_parse() -> Any:
        return ours_adapter.validate_json(body).data

    def their_parse() -> Any:
        return their_model.from_dict(json.loads(body)).data

    for fn in (ours_call, their_call, ours_parse, their_parse):
        parsed = fn()
        if len(parsed) != 1000:
            raise Skip(f"{fn.__name__} returned {len(parsed)} items, not 1000")
    reps = 5 if ctx.quick else 20
    ms = 1e3
    results: dict[str, list[float]] = {k: [] for k in ("oc", "tc", "op", "tp")}
    pairs = {"oc": ours_call, "tc": their_call, "op": ours_parse, "tp": their_parse}
    try:
        for run in range(ctx.runs):
            order = list(pairs.items())
            for key, fn in order if run % 2 == 0 else reversed(order):
                results[key].append(_per_call(fn, reps) * ms)
    finally:
        client.close()
        their_client.get_httpx_client().close()
    fig.rows.append(
        _row("list call, end to end", results["oc"], results["tc"], "ms", OPC, "< 1.00x", 0.999)
    )
    fig.rows.append(
        _row("parse only, from bytes", results["op"], results["tp"], "ms", OPC, "< 1.00x", 0.999)
    )
    fig.notes.append(
        f"{reps} parses per run of a {len(body) // 1024} KiB body; end to end = the client's "
        "list call over httpx.MockTransport; parse only = ours: TypeAdapter(PageBody[Battery])"
        ".validate_json (what the runtime runs), theirs: BatteryList.from_dict(json.loads(body))"
    )
    return fig
