"""Drift: where a response (or a webhook event) differs from what this client version expects.

The default client is a tolerant reader: a body that does not match its model is returned
anyway, holding what came (see `_tolerant.py`), and every difference is a `Deviation`
(JSON path, what was expected, what came). `drift(obj)` lists them for a returned model or
page; each is also logged once per (operation, path) at WARNING on the `enode` logger.
With `strict=True` the client raises instead. Standard library only: importing this never
loads pydantic.
"""

from __future__ import annotations

import re
import threading
import weakref
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ._log import logger

__all__ = ["Deviation", "attach", "drift", "json_kind", "report"]


@dataclass(frozen=True)
class Deviation:
    """One difference between a response and the spec this client was generated from.

    `path` is a JSON path into the body as sent (wire names: `$.data[0].information.brand`),
    `expected` what the spec says belongs there (`string`, `VehicleInformation object`,
    `a known field`, ...), `received` the JSON value that came (`None` for null; for a
    missing field, `MISSING`).
    """

    path: str
    expected: str
    received: Any
    problem: str = ""  # the one-line description; derived from expected/received when empty

    def __str__(self) -> str:
        problem = self.problem or f"expected {self.expected}, received {json_kind(self.received)}"
        return f"{self.path}: {problem}"


class _Missing:
    """The `received` of a required field that is absent."""

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()

# id(obj) -> (weak reference keeping the entry honest, its deviations). Models and pages are
# weak-referenceable; the entry goes when the object does. Nothing is stored on the model
# itself, so equality, dumps and copies are unchanged.
_RECORDS: dict[int, tuple[weakref.ref[Any], tuple[Deviation, ...]]] = {}
_LOGGED: set[tuple[str, str, str]] = set()
_LOCK = threading.Lock()


def drift(obj: object) -> list[Deviation]:
    """The deviations found in the response that built `obj` (a model returned by the client,
    a nested model of it, an item of a page, a page, a webhook event), in body order; [] when
    it matched the spec, and for any object the client did not build."""
    record = _RECORDS.get(id(obj))
    if record is None or record[0]() is not obj:
        return []
    return list(record[1])


def attach(obj: object, deviations: Iterable[Deviation]) -> None:
    """Record `deviations` as `drift(obj)` (no-op for objects that cannot be weakly referenced)."""
    found = tuple(deviations)
    if not found:
        return
    key = id(obj)
    try:
        ref = weakref.ref(obj, lambda _, key=key: _RECORDS.pop(key, None))  # type: ignore[misc]
    except TypeError:
        return
    _RECORDS[key] = (ref, found)


def report(operation: str, deviations: Iterable[Deviation]) -> None:
    """Log each deviation once per (operation, path, what) at WARNING; list indices count as
    one path, so a page of 100 items with the same drift logs one line."""
    for deviation in deviations:
        path = re.sub(r"\[\d+\]", "[*]", deviation.path)
        key = (operation, path, deviation.problem or deviation.expected)
        with _LOCK:
            if key in _LOGGED:
                continue
            _LOGGED.add(key)
        shown = Deviation(path, deviation.expected, deviation.received, deviation.problem)
        logger.warning(
            "drift in %s at %s; returned as received (strict=True raises instead)",
            operation,
            shown,
            extra={"operation": operation, "json_path": path, "expected": deviation.expected},
        )


def json_kind(value: object) -> str:
    """What a received value is, as JSON names it, without the value itself (bodies may
    hold personal data and are never logged): `null`, `string`, `number`, `array`, ..."""
    if value is MISSING:
        return "nothing (field missing)"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list | tuple):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__
