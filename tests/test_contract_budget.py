"""The request budget (--max-requests) inside hypothesis-driven behaviour checks: once spent,
the check is skipped and says why, instead of failing as a "flaky strategy" (the budget made
the replay of an example stop at its first request)."""

from __future__ import annotations

import pytest
from hypothesis import strategies as st

from enode_codegen.contract_tests import behaviour
from enode_codegen.contract_tests.transports import Budget


class SpendingTarget:
    """Stands in for a target: only its reset and a request budget are used here."""

    def __init__(self, requests: int) -> None:
        self.budget = Budget(None, requests)
        self.resets = 0

    def reset(self) -> None:
        self.resets += 1


def _walk(target: SpendingTarget, data: st.DataObject) -> None:
    # like a page walk: draw, send, draw, send; the budget runs out in the second example
    for _ in range(2):
        data.draw(st.integers(0, 10), label="page size")
        target.budget.acquire("/vehicles")


def test_budget_spent_inside_a_property_is_a_skip_that_says_why() -> None:
    target = SpendingTarget(3)
    with pytest.raises(pytest.skip.Exception, match=r"budget of 3 requests \(--max-requests\)"):
        behaviour.run_property(
            "budget",
            10,
            lambda data: _walk(target, data),
            target,  # type: ignore[arg-type]
        )
    assert target.resets == 2 and target.budget.count == 3


def test_other_errors_still_fail_the_property() -> None:
    target = SpendingTarget(1000)

    def body(data: st.DataObject) -> None:
        _walk(target, data)
        assert data.draw(st.integers(0, 3), label="n") < 3, "a real finding"

    with pytest.raises(AssertionError, match="a real finding"):
        behaviour.run_property("finding", 50, body, target)  # type: ignore[arg-type]
