"""The mock's clock: wall time plus an offset that tests (and `/_mock/clock/advance`) move."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

__all__ = ["Clock", "format_timestamp", "parse_timestamp"]


class Clock:
    """Seconds since the epoch, from `time.time()` (or a frozen start) plus a movable offset.

    `frozen_at` stops the clock at that instant (only `advance` moves it), which makes
    timestamps in responses reproducible.
    """

    def __init__(self, frozen_at: datetime | None = None) -> None:
        self._frozen = frozen_at.timestamp() if frozen_at is not None else None
        self._offset = 0.0
        self._lock = threading.Lock()

    def time(self) -> float:
        base = self._frozen if self._frozen is not None else time.time()
        return base + self._offset

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.time(), UTC)

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._offset += seconds

    def reset(self) -> None:
        with self._lock:
            self._offset = 0.0


def format_timestamp(moment: datetime | float) -> str:
    """RFC 3339 in UTC with milliseconds and a `Z`, as Enode writes timestamps."""
    if isinstance(moment, float | int):
        moment = datetime.fromtimestamp(moment, UTC)
    moment = moment.astimezone(UTC)
    return (
        f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}T{moment.hour:02d}:"
        f"{moment.minute:02d}:{moment.second:02d}.{moment.microsecond // 1000:03d}Z"
    )


def parse_timestamp(value: str) -> datetime:
    """Parse an RFC 3339 timestamp (already format-checked) into an aware datetime."""
    text = value.strip()
    if text[-1:] in ("Z", "z"):
        text = text[:-1] + "+00:00"
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)
