"""Deliberately broken variants of the mock, to prove the contract suite catches each fault.

Each fault is an ASGI middleware around the (strict, self-validating) mock: it rewrites the
mock's requests or responses on the wire (wire.py), outside the mock, so the mock's own
strict mode cannot mask it. The faults are grouped by what catches them: `schema.py`
(schemathesis's checks), `pagination.py`, `actions.py`, `reads.py`, `versions.py` and
`problems.py` (the named checks of codes.py). `--fault NAME` selects one for a run
(in-process, or with --mock-server through
`python -m enode_codegen.contract_tests.faults serve --fault NAME ...`).

tests/test_contract_faults.py runs the suite against every fault and asserts it fails.
"""

from __future__ import annotations

from typing import Any

from . import actions, pagination, problems, reads, schema, versions
from .wire import BEHAVIOUR_ONLY, Call, Exchange, Fault, FaultMiddleware

__all__ = ["FAULTS", "PASSTHROUGH", "THROTTLED", "Fault", "wrap"]


async def _throttled(exchange: Exchange, call: Call) -> Exchange:
    """Every 5th request is answered 429, every 7th 503, both with `Retry-After: 0`, before
    reaching the mock (a client that honours Retry-After just sends it again)."""
    counter = call.memory("throttle")
    counter["n"] = counter.get("n", 0) + 1
    n = counter["n"]
    if n % 5 and n % 7:
        return await call(exchange)
    status, slug = (429, "too-many-requests") if n % 5 == 0 else (503, "service-unavailable")
    exchange.status = status
    exchange.response_headers = [(b"retry-after", b"0")]
    exchange.set_content_type("application/problem+json")
    exchange.set_json(
        {
            "type": f"https://developers.enode.com/api/problems/{slug}",
            "title": "Try again later",
            "detail": "The mock's throttled fault: retry after the Retry-After header.",
        }
    )
    return exchange


async def _passthrough(exchange: Exchange, call: Call) -> Exchange:
    return await call(exchange)


# the control: the middleware without a fault (the clean suite must pass through it)
PASSTHROUGH = Fault("passthrough", "no fault: the middleware alone", _passthrough, ())
# not a fault of the API: 429/503 answers with Retry-After that the suite must honour (the
# clean suite passes through it)
THROTTLED = Fault(
    "throttled",
    "every 5th request 429, every 7th 503, with Retry-After: 0",
    _throttled,
    (),
    BEHAVIOUR_ONLY,
)

FAULTS: dict[str, Fault] = {
    fault.name: fault
    for fault in (
        PASSTHROUGH,
        *schema.FAULTS,
        *actions.FAULTS,
        *pagination.FAULTS,
        *reads.FAULTS,
        *versions.FAULTS,
        *problems.FAULTS,
        THROTTLED,
    )
}


def wrap(app: Any, name: str | None) -> Any:
    """`app` wrapped in the fault `name` (None: `app` itself)."""
    if name is None:
        return app
    if name not in FAULTS:
        raise ValueError(f"unknown fault {name!r}; known: {', '.join(FAULTS)}")
    return FaultMiddleware(app, FAULTS[name])
