"""The `enode-codegen` command line: validate, bundle, generate, check."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from enode_codegen import __version__

from .errors import SpecError, display_path
from .generate import check, generate
from .output import FormatError
from .paths import GENERATED_DIR, SPEC_DIR, discover_versions
from .validate import validate_spec

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="enode-codegen",
        description=__doc__,
        epilog="enode-codegen contract [options]: run the contract suite (contract --help)",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    validate = commands.add_parser(
        "validate", help="validate spec versions (default: every version in spec/)"
    )
    validate.add_argument(
        "paths", nargs="*", type=Path, help="a version's openapi.yaml or folder, or a spec folder"
    )
    validate.add_argument(
        "--no-enode-rules",
        action="store_true",
        help="skip Enode-specific rules (third-party specs)",
    )

    bundle = commands.add_parser(
        "bundle", help="print one version as a single self-contained JSON document"
    )
    bundle.add_argument(
        "path", type=Path, help="a version's openapi.yaml or folder, or a version name"
    )

    generate = commands.add_parser("generate", help="generate one client package per spec version")
    generate.add_argument(
        "paths", nargs="*", type=Path, help="specs (default: every version in spec/)"
    )
    generate.add_argument(
        "--output", type=Path, default=GENERATED_DIR, help="target folder (default: generated/)"
    )
    generate.add_argument("--package", help="import name, for a single third-party spec")
    generate.add_argument(
        "--no-enode-rules",
        action="store_true",
        help="skip Enode-specific validation (third-party specs)",
    )

    check = commands.add_parser(
        "check", help="fail with a diff if generated/ is not what generate would write"
    )
    check.add_argument(
        "--output", type=Path, default=GENERATED_DIR, help="folder to check (default: generated/)"
    )

    args = parser.parse_args(argv)
    if args.command == "validate":
        return _validate(args.paths, not args.no_enode_rules)
    if args.command == "bundle":
        return _bundle(args.path)
    if args.command == "generate":
        return _generate(args.paths, args.output, args.package, not args.no_enode_rules)
    if args.command == "check":
        return _check(args.output)
    parser.error(f"unknown command {args.command}")
    return 2


def _roots(paths: Sequence[Path]) -> list[Path]:
    if not paths:
        return discover_versions(SPEC_DIR)
    roots: list[Path] = []
    for path in paths:
        if path.is_dir() and (path / "openapi.yaml").is_file():
            roots.append(path / "openapi.yaml")
        elif path.is_dir():
            roots.extend(discover_versions(path))
        elif not path.exists() and (SPEC_DIR / str(path) / "openapi.yaml").is_file():
            roots.append(SPEC_DIR / str(path) / "openapi.yaml")
        else:
            roots.append(path)
    return roots


def _validate(paths: Sequence[Path], enode_rules: bool = True) -> int:
    roots = _roots(paths)
    if not roots:
        print("enode-codegen validate: no spec found", file=sys.stderr)
        return 2
    failed = 0
    for root in roots:
        try:
            result = validate_spec(root, enode_rules=enode_rules)
        except SpecError as exc:
            failed += 1
            for problem in exc.problems:
                print(problem, file=sys.stderr)
            print(f"{display_path(root)}: INVALID: {len(exc.problems)} problem(s)", file=sys.stderr)
        else:
            for warning in result.warnings:
                print(warning, file=sys.stderr)
            print(result.summary())
    return 1 if failed else 0


def _bundle(path: Path) -> int:
    roots = _roots([path])
    if len(roots) != 1:
        print(
            f"enode-codegen bundle: {path} names {len(roots)} versions; name one", file=sys.stderr
        )
        return 2
    try:
        result = validate_spec(roots[0])
    except SpecError as exc:
        print(exc, file=sys.stderr)
        return 1
    json.dump(result.document, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0


def _generate(paths: Sequence[Path], output: Path, package: str | None, enode_rules: bool) -> int:
    roots = _roots(paths)
    try:
        reports, changed = generate(roots, output, enode_rules=enode_rules, package=package)
    except SpecError as exc:
        print(exc, file=sys.stderr)
        print(f"enode-codegen generate: {display_path(output)} left unchanged", file=sys.stderr)
        return 1
    except FormatError as exc:
        print(exc, file=sys.stderr)
        print(f"enode-codegen generate: {display_path(output)} left unchanged", file=sys.stderr)
        return 1
    for report in reports:
        print(
            f"{report.distribution}: {report.operations} operations, {report.models} models "
            f"from {report.spec} in {report.seconds:.2f}s"
        )
        for line in report.warnings:
            print(f"  warning: {line}", file=sys.stderr)
    print(f"{len(changed)} package(s) changed: {', '.join(changed) or 'none'}")
    return 0


def _check(output: Path) -> int:
    try:
        lines = check(_roots([]), output)
    except SpecError as exc:
        print(exc, file=sys.stderr)
        return 1
    if lines:
        sys.stdout.writelines(lines)
        print(
            f"\n{display_path(output)} is stale: "
            "run `enode-codegen generate` and commit the result",
            file=sys.stderr,
        )
        return 1
    print(f"{display_path(output)} is up to date")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
