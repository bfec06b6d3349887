"""enode-codegen: versioned Enode API specs, typed Python clients, a stateful mock and
contract tests.

The pipeline, one subpackage a stage: `spec/` (the API, authored) -> `generator/`
(`enode-codegen`) with `templates/` and `runtime/` -> generated client packages;
`mock/` (`enode-mock`) serves the same specs; `contract_tests/` checks a target
against them. ARCHITECTURE.md in the repository tells the data flow.
"""

from __future__ import annotations

from importlib import metadata

__all__ = ["__version__"]

try:
    __version__ = metadata.version("enode-codegen")
except metadata.PackageNotFoundError:  # imported from a checkout without installing
    __version__ = "0+unknown"
