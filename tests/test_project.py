"""The entry points stay true: the README's commands exist and CI runs its test command."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path
from typing import Any, cast

import yaml

ROOT = Path(__file__).resolve().parent.parent


def nox_sessions() -> set[str]:
    tree = ast.parse((ROOT / "noxfile.py").read_text())
    return {
        node.name
        for node in tree.body
        if isinstance(node, ast.FunctionDef)
        and any("session" in ast.unparse(decorator) for decorator in node.decorator_list)
    }


def quick_start() -> list[str]:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    block = section.split("```sh", 1)[1].split("```", 1)[0]
    return [line.split("#", 1)[0].strip() for line in block.strip().splitlines()]


def test_quick_start_is_exactly_two_commands_naming_real_sessions() -> None:
    commands = quick_start()
    assert len(commands) == 2
    sessions = nox_sessions()
    for command in commands:
        match = re.fullmatch(r"python3 noxfile\.py -s (\w+)", command)
        assert match, command
        assert match.group(1) in sessions, f"{command}: no such nox session"


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text()
    test_command = quick_start()[1]
    assert test_command.endswith("-s tests")
    assert test_command in ci


def test_every_session_the_readme_names_exists() -> None:
    readme = (ROOT / "README.md").read_text()
    named = set(re.findall(r"nox -s (\w+)", readme))
    assert named <= nox_sessions(), named - nox_sessions()


def test_main_job_validates_generates_then_runs_the_contract_suite() -> None:
    """`nox -s contract` is the README's main job: validate -> generate -> contract tests,
    in that order, passing extra arguments through to pytest."""
    tree = ast.parse((ROOT / "noxfile.py").read_text())
    [contract] = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "contract"]
    runs = [
        ast.unparse(call)
        for call in ast.walk(contract)
        if isinstance(call, ast.Call) and ast.unparse(call.func) == "session.run"
    ]
    assert runs == [
        "session.run('enode-codegen', 'validate')",
        "session.run('enode-codegen', 'generate')",
        "session.run('enode-codegen', 'contract', *session.posargs)",
    ]


# --- the forge's CI workflows -------------------------------------------------------------

WORKFLOWS = ROOT / ".github" / "workflows"


def _workflow(name: str) -> dict[str, Any]:
    data = yaml.safe_load((WORKFLOWS / name).read_text())
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as true
    return cast(dict[str, Any], data)


def _commands(workflow: dict[str, Any]) -> str:
    return "\n".join(
        step.get("run", "") for job in workflow["jobs"].values() for step in job["steps"]
    )


def test_workflows_pass_actionlint() -> None:
    actionlint = Path(sys.executable).parent / "actionlint"
    result = subprocess.run(
        [str(actionlint), "-no-color"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_ci_regenerates_and_tests_on_a_change_to_what_clients_come_from() -> None:
    ci = _workflow("ci.yml")
    for event in ("push", "pull_request"):
        paths = ci["on"][event]["paths"]
        for source in ("spec", "generator", "templates", "runtime"):
            assert f"src/enode_codegen/{source}/**" in paths, (event, source)
    commands = _commands(ci)
    for command in (
        "enode-codegen generate",
        "git diff --exit-code",
        "enode-codegen check",
        "python3 noxfile.py -s tests",
        "python3 noxfile.py -s lint",
        "python3 noxfile.py -s contract",
    ):
        assert command in commands, command


def test_a_release_tag_publishes_with_the_index_from_secrets() -> None:
    release = _workflow("release.yml")
    assert release["on"]["push"]["tags"]
    publish = release["jobs"]["publish"]
    assert publish["needs"] == "check"
    [step] = [s for s in publish["steps"] if "noxfile.py -s publish" in s.get("run", "")]
    for name in ("ENODE_PUBLISH_INDEX_URL", "ENODE_PUBLISH_UPLOAD_URL", "ENODE_PUBLISH_TOKEN"):
        assert step["env"][name] == f"${{{{ secrets.{name} }}}}"
    assert set(nox_sessions()) >= {"check", "tests", "lint", "publish", "contract"}
