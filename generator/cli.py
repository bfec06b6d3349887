"""The `enode-codegen` command line: validate, bundle, generate, check."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from .errors import SpecError, display_path
from .paths import PROJECT_ROOT, discover_versions
from .validate import validate_spec

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="enode-codegen", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    validate = commands.add_parser("validate", help="validate spec versions (default: every version in spec/)")
    validate.add_argument("paths", nargs="*", type=Path, help="a version's openapi.yaml or folder, or a spec folder")

    bundle = commands.add_parser("bundle", help="print one version as a single self-contained JSON document")
    bundle.add_argument("path", type=Path, help="a version's openapi.yaml or folder, or a version name")

    args = parser.parse_args(argv)
    if args.command == "validate":
        return _validate(args.paths)
    if args.command == "bundle":
        return _bundle(args.path)
    parser.error(f"unknown command {args.command}")
    return 2


def _roots(paths: Sequence[Path]) -> list[Path]:
    if not paths:
        return discover_versions(PROJECT_ROOT / "spec")
    roots: list[Path] = []
    for path in paths:
        if path.is_dir() and (path / "openapi.yaml").is_file():
            roots.append(path / "openapi.yaml")
        elif path.is_dir():
            roots.extend(discover_versions(path))
        elif not path.exists() and (PROJECT_ROOT / "spec" / str(path) / "openapi.yaml").is_file():
            roots.append(PROJECT_ROOT / "spec" / str(path) / "openapi.yaml")
        else:
            roots.append(path)
    return roots


def _validate(paths: Sequence[Path]) -> int:
    roots = _roots(paths)
    if not roots:
        print("enode-codegen validate: no spec found", file=sys.stderr)
        return 2
    failed = 0
    for root in roots:
        try:
            result = validate_spec(root)
        except SpecError as exc:
            failed += 1
            for problem in exc.problems:
                print(problem, file=sys.stderr)
            print(f"{display_path(root)}: INVALID: {len(exc.problems)} problem(s)", file=sys.stderr)
        else:
            print(result.summary())
    return 1 if failed else 0


def _bundle(path: Path) -> int:
    roots = _roots([path])
    if len(roots) != 1:
        print(f"enode-codegen bundle: {path} names {len(roots)} versions; name one", file=sys.stderr)
        return 2
    try:
        result = validate_spec(roots[0])
    except SpecError as exc:
        print(exc, file=sys.stderr)
        return 1
    json.dump(result.document, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
