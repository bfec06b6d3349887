"""Hypothesis runs seeded from `--seed` and a label, for checks that draw their own data
(behaviour sequences, deliveries to a user's receiver): the same seed draws the same
examples, each example is run once (no shrinking, no example database)."""

from __future__ import annotations

import zlib
from collections.abc import Callable

import hypothesis
from hypothesis import strategies as st

from .options import current

__all__ = ["run_seeded"]


def run_seeded(label: str, examples: int, example: Callable[[st.DataObject], None]) -> None:
    """Call `example` on `examples` draws, seeded from --seed and `label`."""
    test = hypothesis.given(st.data())(example)
    test = hypothesis.settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=False,
        phases=[hypothesis.Phase.generate],
        suppress_health_check=list(hypothesis.HealthCheck),
        print_blob=False,
    )(test)
    hypothesis.seed(current().seed ^ zlib.crc32(label.encode()))(test)()
