"""Every operation of every selected version, with schemathesis: examples from the spec, the
coverage phase (boundary and schema-negating values) and random positive and negative data,
each response checked by every schemathesis check (server errors, status code, content
type, response schema and headers, positive data acceptance, negative data rejection,
missing required headers, ignored auth, unsupported methods, ...)."""

from __future__ import annotations

from typing import Any

import pytest

from . import _st
from .options import current
from .progress import version_of
from .record import RECORDER
from .targets import Target

SCHEMAS = {version: _st.load(version) for version in current().versions}

_STARTED: set[str] = set()


@pytest.fixture(autouse=True)
def _fresh_version(
    target: Target, known_ids: dict[str, Any], request: pytest.FixtureRequest
) -> None:
    """Each version's operations start from a reset mock, whichever ran before them in this
    process (with --workers a version's operations run together on one worker)."""
    version = version_of(request.node)
    if version is None or version in _STARTED:
        return
    _STARTED.add(version)
    target.reset()
    RECORDER.forget_successes()


@_st.parametrize(SCHEMAS)
def test_operation(case: Any, target: Target, known_ids: dict[str, Any]) -> None:
    _st.call_and_validate(case, target)
