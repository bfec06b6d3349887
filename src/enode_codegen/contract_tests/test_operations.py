"""Every operation of every selected version, with schemathesis: examples from the spec, the
coverage phase (boundary and schema-negating values) and random positive and negative data,
each response checked by every schemathesis check (server errors, status code, content
type, response schema and headers, positive data acceptance, negative data rejection,
missing required headers, ignored auth, unsupported methods, ...)."""

from __future__ import annotations

from typing import Any

from . import _st
from .options import current
from .targets import Target

SCHEMAS = {version: _st.load(version) for version in current().versions}


@_st.parametrize(SCHEMAS)
def test_operation(case: Any, target: Target, known_ids: dict[str, Any]) -> None:
    _st.call_and_validate(case, target)
