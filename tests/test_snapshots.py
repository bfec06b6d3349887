"""The blanking every output-reading test relies on accepts each form pytest prints."""

from __future__ import annotations

from pathlib import Path

import pytest
from snapshots import PYTEST_FINAL, blank


@pytest.mark.parametrize(
    ("line", "counts"),
    [
        ("12 passed in 3.21s", "12 passed"),
        ("12 passed, 3 skipped in 72.10s (0:01:12)", "12 passed, 3 skipped"),
        ("==== 1 failed, 2 passed in 3600.00s (1:00:00) ====", "1 failed, 2 passed"),
        ("4 passed in 90000.00s (1 day, 1:00:00)", "4 passed"),
    ],
)
def test_pytest_final_line_in_every_form(line: str, counts: str) -> None:
    match = PYTEST_FINAL.fullmatch(line)
    assert match is not None and match["counts"] == counts


def test_blank_hides_what_changes_between_runs(tmp_path: Path) -> None:
    text = (
        f"wrote {tmp_path}/summary.md; http://127.0.0.1:48213 ready in 0.84s "
        "(took 72.10s (0:01:12))"
    )
    assert blank(text, [tmp_path]) == (
        "wrote <path>/summary.md; http://127.0.0.1:<port> ready in <duration> (took <duration>)"
    )
