"""What a user reads, made comparable: durations, ports and temporary paths blanked, the
way schemathesis's snapshot fixtures do (`test/fixtures/snapshots.py`).

Every test that reads a tool's output goes through here, so one place knows every form
that output legitimately takes (pytest adds ` (0:01:12)` to its duration past 60 s).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

__all__ = ["PYTEST_FINAL", "blank"]

# " (0:01:12)" after a duration past 60 s (`_pytest.terminal.format_session_duration`)
_CLOCK = r"(?: \((?:\d+ days?, )?\d+:\d\d:\d\d\))?"
# pytest's last line, "3 passed, 1 skipped in 12.34s"; -q drops the "=" rulers framing it
PYTEST_FINAL = re.compile(rf"=* ?(?P<counts>\d+ [a-z]+(?:, \d+ [a-z]+)*) in \d+\.\d\ds{_CLOCK} ?=*")

_DURATION = re.compile(rf"\b\d+(?:\.\d+)?\s?(?:s|ms)\b{_CLOCK}")
_PORT = re.compile(r"\b(127\.0\.0\.1|localhost):\d{1,5}\b")


def blank(text: str, paths: Iterable[Path] = ()) -> str:
    """`text` with each path in `paths` as `<path>`, `127.0.0.1:<port>` and `<duration>`."""
    for path in paths:
        text = text.replace(str(path), "<path>")
    text = _PORT.sub(r"\1:<port>", text)
    return _DURATION.sub("<duration>", text)
