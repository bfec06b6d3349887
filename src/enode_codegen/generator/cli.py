"""The `enode-codegen` command line: validate, bundle, build-specs, diff, generate, check,
release, and contract (the contract suite, `contract_tests/run.py`)."""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from enode_codegen import __version__

from . import releases
from .bundle import bundle_spec
from .diff import diff_documents, packaged_report, render_json, render_markdown
from .errors import SpecError, display_path
from .generate import PackageReport, check, generate
from .naming import package_name_problem
from .output import FormatError, OutputError, read_tree
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
    _allow_ref_outside(validate)

    bundle = commands.add_parser(
        "bundle", help="print one version as a single self-contained JSON document"
    )
    bundle.add_argument("path", type=Path, help="a version name, a spec file or a version's folder")
    _allow_ref_outside(bundle)

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
    _allow_ref_outside(generate)

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

    release = commands.add_parser(
        "release",
        help="regenerate, then record the new release of every package whose content changed "
        "in enode_codegen/releases/ (commit it with generated/)",
    )
    release.add_argument(
        "paths", nargs="*", type=Path, help="specs (default: every version in spec/)"
    )
    release.add_argument(
        "--check",
        action="store_true",
        help="record nothing; exit 1 when a package has a release not recorded yet",
    )
    release.add_argument(
        "--output", type=Path, default=GENERATED_DIR, help="target folder (default: generated/)"
    )

    commands.add_parser(
        "contract",
        add_help=False,
        help="test the mock, a running server or the live API against the specs "
        "(enode-codegen contract --help)",
    )

    args, rest = parser.parse_known_args(argv)
    if args.command == "contract":  # `enode-codegen contract` never reaches here (../cli.py)
        # the generator imports nothing above it (ARCHITECTURE.md): the suite is its own entry
        print(
            "enode-codegen: the contract suite runs as `enode-codegen contract` "
            "(or `python -m enode_codegen.contract_tests`)",
            file=sys.stderr,
        )
        return 2
    if rest:  # said with the usage of the command it was given to
        commands.choices[args.command].error(f"unrecognized arguments: {' '.join(rest)}")
    if args.command == "validate":
        return _validate(args.paths, not args.no_enode_rules, args.allow_ref_outside)
    if args.command == "bundle":
        return _bundle(args.path, args.allow_ref_outside)
    if args.command == "generate":
        return _generate(
            args.paths, args.output, args.package, not args.no_enode_rules, args.allow_ref_outside
        )
    if args.command == "build-specs":
        return _build_specs(check_only=args.check)
    if args.command == "diff":
        return _diff(args.old, args.new, args.format)
    if args.command == "check":
        return _check(args.output)
    if args.command == "release":
        return _release(args.paths, args.output, check_only=args.check)
    parser.error(f"unknown command {args.command}")
    return 2


def _allow_ref_outside(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--allow-ref-outside",
        action="append",
        type=Path,
        default=[],
        metavar="DIR",
        help="let $refs read files under DIR too (default: only the spec's own folder)",
    )


class _NoSpec(Exception):
    """A path names no spec: neither a file or folder here nor a packaged version."""


def _roots(paths: Sequence[Path]) -> list[Path]:
    if not paths:
        return discover_versions(SPEC_DIR)
    roots: list[Path] = []
    for path in paths:
        if path.is_dir() and (path / "openapi.yaml").is_file():
            roots.append(path / "openapi.yaml")
        elif path.is_dir():
            found = discover_versions(path)
            if not found:
                raise _NoSpec(
                    f"no spec found in {display_path(path)} (an openapi.yaml, dated "
                    "<version>.yaml files, or sub-folders holding an openapi.yaml)"
                )
            roots.extend(found)
        elif not path.exists() and spec_file(str(path)).is_file():
            roots.append(spec_file(str(path)))
        elif not path.exists():
            raise _NoSpec(
                f"{path} is neither a spec file nor a packaged version "
                f"(packaged: {', '.join(packaged_versions())})"
            )
        else:
            roots.append(path)
    return roots


def _roots_or_say(command: str, paths: Sequence[Path]) -> list[Path] | None:
    """`_roots`, or None after saying why there is none (the caller exits 2)."""
    try:
        roots = _roots(paths)
    except _NoSpec as error:
        print(f"enode-codegen {command}: {error}", file=sys.stderr)
        return None
    if not roots:
        print(f"enode-codegen {command}: no spec found", file=sys.stderr)
        return None
    return roots


_THIRD_PARTY_HINT = (
    "hint: {count} operation(s) do not declare the Enode-Version header, so this is not one "
    "of Enode's specs; for a third-party spec, add --no-enode-rules"
)


def _hint_third_party(problems: Sequence[Any]) -> None:
    count = sum(1 for p in problems if p.rule == "enode-version")
    if count:
        print(_THIRD_PARTY_HINT.format(count=count), file=sys.stderr)


def _validate(
    paths: Sequence[Path], enode_rules: bool = True, allow_outside: Sequence[Path] = ()
) -> int:
    roots = _roots_or_say("validate", paths)
    if roots is None:
        return 2
    failed = 0
    for root in roots:
        try:
            result = validate_spec(root, enode_rules=enode_rules, allow_outside=allow_outside)
        except SpecError as exc:
            failed += 1
            for problem in exc.problems:
                print(problem, file=sys.stderr)
            print(f"{display_path(root)}: INVALID: {len(exc.problems)} problem(s)", file=sys.stderr)
            if enode_rules:
                _hint_third_party(exc.problems)
        else:
            for warning in result.warnings:
                print(warning, file=sys.stderr)
            print(result.summary())
    return 1 if failed else 0


def _bundle(path: Path, allow_outside: Sequence[Path] = ()) -> int:
    roots = _roots_or_say("bundle", [path])
    if roots is None:
        return 2
    if len(roots) != 1:
        print(
            f"enode-codegen bundle: {path} names {len(roots)} versions; name one", file=sys.stderr
        )
        return 2
    try:
        result = validate_spec(roots[0], allow_outside=allow_outside)
    except SpecError as exc:
        print(exc, file=sys.stderr)
        return 1
    json.dump(result.document, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0


def _output_problem(output: Path) -> str | None:
    """Why `output` cannot be the folder packages go to, or None: it, or the first of its
    parents that exists, must be a folder."""
    for path in (output, *output.parents):
        if path.exists() or path.is_symlink():
            if path.is_dir():
                return None
            what = "a file" if path.exists() else "a broken symbolic link"
            where = "" if path == output else f" (its parent {display_path(path)} is {what})"
            return f"--output {display_path(output)} is not a folder{where or f': it is {what}'}"
    return None


def _generate(
    paths: Sequence[Path],
    output: Path,
    package: str | None,
    enode_rules: bool,
    allow_outside: Sequence[Path] = (),
) -> int:
    if package is not None and (problem := package_name_problem(package)) is not None:
        print(f"enode-codegen generate: --package {problem}", file=sys.stderr)
        return 2
    if (problem := _output_problem(output)) is not None:
        print(f"enode-codegen generate: {problem}", file=sys.stderr)
        return 2
    roots = _roots_or_say("generate", paths)
    if roots is None:
        return 2
    if package is not None and len(roots) != 1:
        given = f"{len(roots)} given" if paths else "none given, so every packaged version"
        print(
            f"enode-codegen generate: --package names the package of one spec; give that spec "
            f"({given}), e.g. `enode-codegen generate other-api.json --package other_client`",
            file=sys.stderr,
        )
        return 2
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
            roots,
            output,
            enode_rules=enode_rules,
            package=package,
            progress=show,
            prune=not paths,  # the whole packaged set: a version no longer packaged goes
            allow_outside=allow_outside,
        )
    except SpecError as exc:
        print(exc, file=sys.stderr)
        if enode_rules:
            _hint_third_party(exc.problems)
        print(f"enode-codegen generate: {display_path(output)} left unchanged", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(
            f"enode-codegen generate: interrupted; {display_path(output)} left unchanged",
            file=sys.stderr,
        )
        return 130
    except (FormatError, releases.LedgerError) as exc:
        print(exc, file=sys.stderr)
        print(f"enode-codegen generate: {display_path(output)} left unchanged", file=sys.stderr)
        return 1
    except OutputError as exc:
        print(
            f"enode-codegen generate: {exc}; {display_path(output)} left unchanged", file=sys.stderr
        )
        return 1
    except OSError as exc:  # the file system said no: permissions, a full disk
        where = f": {exc.filename}" if exc.filename else ""
        print(f"enode-codegen generate: {exc.strerror or exc}{where}", file=sys.stderr)
        return 1
    for report in reports:
        if report.distribution not in {r.distribution for r in shown}:
            show(report)  # nothing changed: the reports recorded by the last run
    # warnings come with what was written: a package left as it was says nothing again
    # (its warnings were printed when it was written); one shared by several packages (the
    # same schema in several versions) is said once
    warned: dict[str, list[str]] = {}
    for report in reports:
        if report.distribution not in changed:
            continue
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
                try:
                    roots = _roots([Path(name)])
                except _NoSpec:
                    roots = []
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
    if not output.is_dir():
        print(
            f"enode-codegen check: nothing to check: there is no folder {display_path(output)}/ "
            "here; run `enode-codegen generate` first, or point --output at the generated folder",
            file=sys.stderr,
        )
        return 2
    if _build_specs(check_only=True):
        return 1
    try:
        lines = check(_roots([]), output)
    except (SpecError, releases.LedgerError) as exc:
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


def _release(paths: Sequence[Path], output: Path, *, check_only: bool) -> int:
    roots = _roots_or_say("release", paths)
    if roots is None:
        return 2
    try:
        if check_only:
            with tempfile.TemporaryDirectory(prefix=".enode-codegen-release-") as scratch:
                return _releases(roots, Path(scratch), check_only=True)
        return _releases(roots, output, check_only=False)
    except (SpecError, FormatError, releases.LedgerError) as exc:
        print(exc, file=sys.stderr)
        print("enode-codegen release: nothing recorded", file=sys.stderr)
        return 1


def _releases(roots: Sequence[Path], output: Path, *, check_only: bool) -> int:
    reports, _ = generate(roots, output)
    pending = []
    for root, report in zip(roots, reports, strict=True):
        if not report.version:
            continue
        document = bundle_spec(root, strict=False).document
        tree = read_tree(output / report.distribution)
        planned = releases.plan(report.distribution, tree, document)
        last = releases.latest(report.distribution)
        if last == planned:
            print(f"{report.distribution}: {planned.version}, unchanged")
            continue
        pending.append(report.distribution)
        if check_only:
            print(f"{report.distribution}: {planned.version} ({planned.bump}) not recorded yet")
        else:
            releases.record(planned, report.distribution, document)
            print(f"{report.distribution}: {planned.version} ({planned.bump}) recorded")
    if check_only and pending:
        print("run `enode-codegen release` and commit the ledgers", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
