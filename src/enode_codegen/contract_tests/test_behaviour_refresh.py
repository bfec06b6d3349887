"""Named checks of refresh hints and health (EN5xx in codes.py): a list's or entity's
`Retry-After`-style refresh hint, and the health endpoint saying it is ready.

Read-only checks run against a read-only live target too; the others skip there.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from hypothesis import strategies as st

from .behaviour import (
    SAMPLES,
    VERSIONS,
    fresh,  # noqa: F401  (autouse: a reset target per check)
    run_property,
)
from .checks import Sequence, skip_unless_writes
from .options import Options
from .spec import operations
from .targets import Target

__all__: list[str] = []

REFRESH = [
    (v, op.operation_id, op.path_params[0])
    for v in VERSIONS
    for op in sorted(operations(v).values(), key=lambda o: o.operation_id)
    if op.path.endswith("/refresh-hint")
]


@pytest.mark.parametrize(
    ("version", "op_id", "param"), REFRESH, ids=[f"{v}-{o}" for v, o, _ in REFRESH]
)
def test_refresh_hint(
    version: str,
    op_id: str,
    param: str,
    target: Target,
    known_ids: dict[str, Any],
    options: Options,
) -> None:
    """A refresh hint answers 204 for a known asset and 404 for an unknown one."""
    skip_unless_writes(options, "refresh_hint")
    known = known_ids[version].get(param, [])

    def hint(data: st.DataObject) -> None:
        seq = Sequence(target, version)
        if known:
            asset = data.draw(st.sampled_from(known), label=param)
            reply = seq.send(op_id, path_parameters={param: asset})
            seq.expect("refresh_hint", reply.status == 204, f"{asset}: {reply.status}, not 204")
        unknown = str(uuid.UUID(int=data.draw(st.integers(1, 2**64), label="unknown id")))
        reply = seq.send(op_id, path_parameters={param: unknown})
        seq.expect("refresh_hint", reply.status == 404, f"{unknown}: {reply.status}, not 404")

    run_property(f"refresh {version} {op_id}", SAMPLES, hint, target)


@pytest.mark.parametrize("version", VERSIONS)
def test_health_ready(version: str, target: Target) -> None:
    """`GET /health/ready` needs no token: 204 when ready; 503 problem when not (mock)."""
    seq = Sequence(target, version)
    ready = seq.send("checkHealthReady", authenticated=False)
    seq.expect("health_ready", ready.status == 204, f"ready: {ready.status}, not 204")
    if target.admin is None:
        return
    target.admin.set_ready(False)
    try:
        down = seq.send("checkHealthReady", authenticated=False)
        kind = str(down.headers.get("content-type"))
        seq.expect(
            "health_ready",
            down.status == 503 and "application/problem+json" in kind,
            f"not ready: {down.status} {kind}, not a 503 problem",
        )
    finally:
        target.admin.set_ready(True)
