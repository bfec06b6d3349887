"""Bounded input: what the loader and bundler do with hostile or careless specs, as a user of
`enode-codegen validate` and `generate --no-enode-rules` reads it (one clear line naming the
file and line, a non-zero exit, never a traceback), and that the legal cases still work.

Inputs are in tests/fixtures/bounded/; deep specs are written here, at the depth named."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from enode_codegen.generator.yaml_source import ALIAS_NODE_BUDGET, MAX_DEPTH, load_source

ROOT = Path(__file__).resolve().parent.parent
BOUNDED = ROOT / "tests" / "fixtures" / "bounded"
CODEGEN = Path(sys.executable).parent / "enode-codegen"


def run(*args: str, cwd: Path = ROOT) -> tuple[int, str, str, float]:
    started = time.perf_counter()
    done = subprocess.run(
        [str(CODEGEN), *args], cwd=cwd, capture_output=True, text=True, timeout=300
    )
    return done.returncode, done.stdout, done.stderr, time.perf_counter() - started


def refused(command: str, spec: Path, *options: str) -> str:
    """Run `command` on `spec`; assert the user reads one problem and no traceback; return it."""
    args = [command, "--no-enode-rules", str(spec), *options]
    if command == "generate":
        args += ["--output", str(spec.parent / "not-written"), "--package", "client"]
    code, out, err, _ = run(*args)
    assert code == 1, (out, err)
    assert "Traceback" not in out + err
    problems = [line for line in err.splitlines() if ": error: " in line]
    assert len(problems) == 1, err
    assert not (spec.parent / "not-written").exists()
    return problems[0]


def _nested(levels: int, version: str = "3.0.3") -> str:
    """A spec whose one schema nests `levels` objects, each a property of the one above."""
    lines = textwrap.dedent(
        f"""\
        openapi: {version}
        info: {{title: Deep, version: '1'}}
        paths:
          /deep:
            get:
              operationId: getDeep
              responses:
                '200':
                  description: ok
                  content:
                    application/json:
                      schema: {{$ref: '#/components/schemas/Deep'}}
        components:
          schemas:
            Deep:
        """
    ).splitlines()
    indent = " " * 6
    for _ in range(levels):
        lines += [f"{indent}type: object", f"{indent}properties:", f"{indent}  inner:"]
        indent += " " * 4
    lines.append(f"{indent}type: string")
    return "\n".join(lines) + "\n"


# --- YAML aliases ------------------------------------------------------------------


@pytest.mark.parametrize("command", ["validate", "generate"])
def test_an_alias_bomb_is_refused_at_the_alias(command: str) -> None:
    # 382 bytes, 9**8 strings once expanded: before this budget, `validate` did not finish
    spec = BOUNDED / "alias-bomb.yaml"
    started = time.perf_counter()
    problem = refused(command, spec)
    assert time.perf_counter() - started < 60  # about a second; the budget stops it early
    assert problem == (
        "tests/fixtures/bounded/alias-bomb.yaml:9: error: [yaml] YAML aliases repeat more "
        f"than {ALIAS_NODE_BUDGET:,} nodes (an alias bomb?); write the repeated part out or "
        "use a $ref (at #/x-f/0)"
    )


def test_aliases_within_the_budget_are_expanded(tmp_path: Path) -> None:
    spec = tmp_path / "anchors.yaml"
    spec.write_text(
        "shared: &error {description: failed, code: 1}\nfirst: *error\nsecond: {nested: *error}\n",
        encoding="utf-8",
    )
    source = load_source(spec)
    error = {"description": "failed", "code": 1}
    assert source.data == {"shared": error, "first": error, "second": {"nested": error}}
    assert source.data["first"] is not source.data["shared"]  # copies, changed independently
    assert source.line_of("/second") == 3
    assert source.line_of("/second/nested/code") == 1  # where the repeated text is written


# --- nesting -----------------------------------------------------------------------


@pytest.mark.parametrize(("levels", "version"), [(70, "3.1.0"), (260, "3.0.3"), (260, "3.1.0")])
def test_deep_schemas_validate(tmp_path: Path, levels: int, version: str) -> None:
    # 70 levels in 3.1 stopped openapi-spec-validator (RecursionError); 260 crashed the loader
    spec = tmp_path / "deep.yaml"
    spec.write_text(_nested(levels, version), encoding="utf-8")
    code, out, err, _ = run("validate", "--no-enode-rules", str(spec))
    assert (code, err) == (0, "")
    assert out.endswith("OK: Deep 1: 1 operations, 1 schemas\n")


def test_a_deep_schema_generates(tmp_path: Path) -> None:
    # 260 levels crashed the loader; hoisting and model generation recurse, on a deep stack
    spec = tmp_path / "deep.yaml"
    spec.write_text(_nested(260), encoding="utf-8")
    code, out, err, _ = run(
        "generate", "--no-enode-rules", str(spec), "--output", str(tmp_path), "--package", "deep"
    )
    assert (code, err) == (0, "")
    assert out.endswith("1 package(s) changed: deep\n")
    models = (tmp_path / "deep" / "deep" / "models.py").read_text(encoding="utf-8")
    assert len(re.findall(r"^class ", models, re.MULTILINE)) == 260  # one per level


def test_a_deep_model_parses_as_deep(tmp_path: Path) -> None:
    # pydantic builds a model's validator recursively, on the stack of the user's program:
    # 70 levels validate (past any real spec); about 100 stop pydantic itself there
    levels = 70
    spec = tmp_path / "deep.yaml"
    spec.write_text(_nested(levels), encoding="utf-8")
    out_dir = tmp_path / "out"
    code, _, err, _ = run(
        "generate", "--no-enode-rules", str(spec), "--output", str(out_dir), "--package", "deep"
    )
    assert code == 0, err
    value: object = "leaf"
    for _ in range(levels):
        value = {"inner": value}
    check = (
        "import json, sys; from deep import models; "
        "m = models.Deep.model_validate(json.loads(sys.argv[1])); "
        "depth = 0\n"
        "while not isinstance(m, str): m, depth = m.inner, depth + 1\n"
        "print(depth, m)"
    )
    parsed = subprocess.run(
        [sys.executable, "-c", check, json.dumps(value)],
        cwd=out_dir / "deep",
        capture_output=True,
        text=True,
        check=True,
    )
    assert parsed.stdout == f"{levels} leaf\n"


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_nesting_past_the_limit_is_one_line(tmp_path: Path, suffix: str) -> None:
    spec = tmp_path / f"brackets{suffix}"
    deep = "[" * 5000 + "]" * 5000
    spec.write_text(
        '{"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {},\n'
        f'"x-deep": {deep}}}\n',
        encoding="utf-8",
    )
    for command in ("validate", "generate"):
        problem = refused(command, spec)
        assert problem.endswith(
            f"brackets{suffix}:2: error: [yaml] nested more than {MAX_DEPTH} levels deep "
            "(at line 2, below here) (at #/x-deep/0/0/0/0)"
        )


# --- where $refs may lead ----------------------------------------------------------


@pytest.mark.parametrize("command", ["validate", "generate"])
def test_a_ref_outside_the_spec_folder_is_refused(command: str) -> None:
    problem = refused(command, BOUNDED / "outside" / "openapi.yaml")
    assert problem == (
        "tests/fixtures/bounded/outside/openapi.yaml:13: error: [ref] "
        "$ref '../../../../../../../../../../../../etc/passwd' points outside the spec's "
        "folder tests/fixtures/bounded/outside (--allow-ref-outside DIR allows another folder) "
        "(at #/paths/~1secret/get/responses/200/content/text~1plain/schema)"
    )


def test_allow_ref_outside_names_a_folder_refs_may_read(tmp_path: Path) -> None:
    spec = BOUNDED / "outside" / "sibling.yaml"
    problem = refused("validate", spec)
    assert "$ref '../shared/Pet.yaml' points outside the spec's folder" in problem
    allow = ("--allow-ref-outside", str(BOUNDED / "shared"))
    code, out, err, _ = run("validate", "--no-enode-rules", str(spec), *allow)
    assert (code, err) == (0, "")
    assert (
        out
        == "tests/fixtures/bounded/outside/sibling.yaml: OK: Sibling 1: 1 operations, 0 schemas\n"
    )
    # the option names that folder only: /etc stays out of reach
    refused("validate", BOUNDED / "outside" / "openapi.yaml", *allow)


@pytest.mark.parametrize("command", ["validate", "generate"])
def test_a_remote_ref_is_not_supported(command: str) -> None:
    problem = refused(command, BOUNDED / "remote" / "openapi.yaml")
    assert problem == (
        "tests/fixtures/bounded/remote/openapi.yaml:13: error: [ref] remote $ref "
        "'https://example.com/schemas/pet.yaml#/components/schemas/Pet': not supported "
        "(only files next to the spec are read) "
        "(at #/paths/~1pets/get/responses/200/content/application~1json/schema)"
    )


def test_recursion_through_another_file_is_a_model(tmp_path: Path) -> None:
    # `items: {$ref: Node.yaml}` inside Node.yaml: a tree, not a circular reference
    spec = BOUNDED / "recursive" / "openapi.yaml"
    code, out, err, _ = run("validate", "--no-enode-rules", str(spec))
    assert (code, err) == (0, "")
    assert out.endswith("OK: Tree 1: 1 operations, 1 schemas\n")
    out_dir = tmp_path / "out"
    code, _, err, _ = run(
        "generate", "--no-enode-rules", str(spec), "--output", str(out_dir), "--package", "tree"
    )
    assert code == 0, err
    tree = {"name": "root", "children": [{"name": "a", "children": [{"name": "b"}]}]}
    check = (
        "import json, sys; from tree import models; "
        "t = models.GetTreeResponse.model_validate(json.loads(sys.argv[1])); "
        "leaf = t.children[0].children[0]; "
        "print(type(leaf).__name__, leaf.name, leaf.children)"
    )
    parsed = subprocess.run(
        [sys.executable, "-c", check, json.dumps(tree)],
        cwd=out_dir / "tree",
        capture_output=True,
        text=True,
        check=True,
    )
    assert parsed.stdout == "Node b None\n"
