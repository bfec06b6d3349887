"""`python -m enode_codegen.contract_tests.faults serve --fault NAME [enode-mock serve options]`:
the mock behind one fault, served over HTTP (the contract suite's `--mock-server --fault`)."""

from __future__ import annotations

import argparse
import logging
import sys

from enode_codegen.mock.cli import add_serve_arguments, build_config

from . import FAULTS, wrap


def main(argv: list[str] | None = None) -> int:
    root = argparse.ArgumentParser(
        prog="python -m enode_codegen.contract_tests.faults",
        description="The Enode mock behind one deliberate fault.",
    )
    commands = root.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the mock with a fault over HTTP (uvicorn)")
    add_serve_arguments(serve)
    serve.add_argument("--fault", required=True, choices=sorted(FAULTS))
    args = root.parse_args(argv)

    import uvicorn

    from enode_codegen.mock.app import create_app

    logging.basicConfig(level=args.log_level.upper())
    app = wrap(create_app(build_config(args)), args.fault)
    uvicorn.run(app, host=args.host, port=args.port, log_level=args.log_level)
    return 0


if __name__ == "__main__":
    sys.exit(main())
