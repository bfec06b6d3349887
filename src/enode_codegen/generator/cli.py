"""The `enode-codegen` command line: validate, bundle, build-specs, diff, generate, check."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from enode_codegen import __version__

from .diff import diff_documents, packaged_report, render_json, render_markdown
from .errors import SpecError, display_path
from .generate import PackageReport, check, generate
from .output import FormatError
from .paths import (
    GENERATED_DIR,
    PUBLISHED_DIR,
    SPEC_DIR,
    discover_versions,
    packaged_versions,
    spec_file,
)
from .publish import check_specs, write_specs
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
        "paths",
        nargs="*",
        type=Path,
        help="a version name (2024-10-01), a spec file, a version's folder, or a spec folder",
    )
    validate.add_argument(
        "--no-enode-rules",
        action="store_true",
        help="skip Enode-specific rules (third-party specs)",
    )

    bundle = commands.add_parser(
        "bundle", help="print one version as a single self-contained JSON document"
    )
    bundle.add_argument("path", type=Path, help="a version name, a spec file or a version's folder")

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

    build_specs = commands.add_parser(
        "build-specs",
        help="render spec/published/<version>.yaml from spec/source and spec/changes",
    )
    build_specs.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1 with a diff when spec/published is stale",
    )

    diff = commands.add_parser(
        "diff", help="migration report between two versions (what changed, what breaks)"
    )
    diff.add_argument("old", help="the version pinned today (a version name or a spec file)")
    diff.add_argument("new", help="the version to move to (a version name or a spec file)")
    diff.add_argument("--format", choices=("markdown", "json"), default="markdown")

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
    if args.command == "build-specs":
        return _build_specs(check_only=args.check)
    if args.command == "diff":
        return _diff(args.old, args.new, args.format)
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
        elif not path.exists() and spec_file(str(path)).is_file():
            roots.append(spec_file(str(path)))
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
    shown: list[PackageReport] = []

    def show(report: PackageReport) -> None:  # as each package is rendered
        print(
            f"{report.distribution}: {report.operations} operations, {report.models} models "
            f"from {report.spec} in {report.seconds:.2f}s",
            flush=True,
        )
        shown.append(report)

    try:
        reports, changed = generate(
            roots, output, enode_rules=enode_rules, package=package, progress=show
        )
    except SpecError as exc:
        print(exc, file=sys.stderr)
        print(f"enode-codegen generate: {display_path(output)} left unchanged", file=sys.stderr)
        return 1
    except FormatError as exc:
        print(exc, file=sys.stderr)
        print(f"enode-codegen generate: {display_path(output)} left unchanged", file=sys.stderr)
        return 1
    for report in reports:
        if report not in shown:  # nothing changed: the reports recorded by the last run
            show(report)
    # a warning several packages share (the same schema in several versions) is said once
    warned: dict[str, list[str]] = {}
    for report in reports:
        for line in report.warnings:
            warned.setdefault(line, []).append(report.distribution)
    for line, packages in warned.items():
        print(f"warning: {line} ({', '.join(packages)})", file=sys.stderr)
    print(f"{len(changed)} package(s) changed: {', '.join(changed) or 'none'}")
    return 0


def _build_specs(*, check_only: bool) -> int:
    try:
        if check_only:
            lines = check_specs()
        else:
            changed = write_specs()
    except SpecError as exc:
        print(exc, file=sys.stderr)
        print(
            f"enode-codegen build-specs: {display_path(PUBLISHED_DIR)} left unchanged",
            file=sys.stderr,
        )
        return 1
    if check_only:
        if lines:
            sys.stdout.writelines(lines)
            print(
                f"\n{display_path(PUBLISHED_DIR)} is stale: "
                "run `enode-codegen build-specs` and commit the result",
                file=sys.stderr,
            )
            return 1
        print(f"{display_path(PUBLISHED_DIR)} is up to date")
        return 0
    print(f"{len(changed)} document(s) changed: {', '.join(changed) or 'none'}")
    return 0


def _diff(old: str, new: str, output_format: str) -> int:
    packaged = set(packaged_versions())
    try:
        if old in packaged and new in packaged:
            report, _ = packaged_report(old, new)
        else:
            documents = []
            for name in (old, new):
                roots = _roots([Path(name)])
                if len(roots) != 1 or not roots[0].is_file():
                    print(
                        f"enode-codegen diff: {name} is neither a packaged version "
                        f"({', '.join(sorted(packaged))}) nor a spec file",
                        file=sys.stderr,
                    )
                    return 2
                documents.append(validate_spec(roots[0], enode_rules=False).document)
            report = diff_documents(documents[0], documents[1], old_name=old, new_name=new)
    except SpecError as exc:
        print(exc, file=sys.stderr)
        return 1
    sys.stdout.write(render_json(report) if output_format == "json" else render_markdown(report))
    return 0


def _check(output: Path) -> int:
    if _build_specs(check_only=True):
        return 1
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
