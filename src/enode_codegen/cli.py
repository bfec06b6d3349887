"""The `enode-codegen` command: `contract` runs the contract suite (`contract_tests/run.py`);
every other command (validate, bundle, build-specs, diff, generate, check, release) is the
generator's (`generator/cli.py`)."""

from __future__ import annotations

import sys
from collections.abc import Sequence

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["contract"]:
        from enode_codegen.contract_tests.run import main as contract

        return contract(args[1:])
    from enode_codegen.generator.cli import main as generator

    return generator(args)
