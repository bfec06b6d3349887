"""The tool works as a user installs it: a wheel in a fresh virtualenv, run from an empty
folder (validate, generate, the generated client against `enode-mock serve`, the contract
suite against that server), and output is the same bytes from any working directory.

The wheel is built and installed once per module (about 20 s, wheels come from the local
package cache or index); every command then runs in a new empty temporary folder.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import zipfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from snapshots import PYTEST_FINAL, blank

from enode_codegen._process import serving
from enode_codegen.generator.output import diff_trees

ROOT = Path(__file__).resolve().parent.parent
GENERATED = ROOT / "generated"
TINY = ROOT / "tests" / "fixtures" / "tiny" / "openapi.yaml"
BIN = Path(sys.executable).parent
VERSION = "2024-10-01"
OLDEST = "2023-04-01"
MOCK_CLIENT = ("mock-client", "mock-secret")


def run(
    args: Sequence[str | Path],
    cwd: Path,
    env: dict[str, str] | None = None,
    timeout: float = 300,
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, f"{result.args}:\n{result.stdout}\n{result.stderr}"
    return result.stdout


@contextmanager
def mock_server(enode_mock: Path, cwd: Path) -> Iterator[str]:
    """`enode-mock serve` on a free 127.0.0.1 port; its base URL once /health/ready answers."""
    with serving(
        lambda port: [enode_mock, "serve", "--port", str(port), "--log-level", "warning"],
        ready="/health/ready",
        log=cwd / "mock.log",
        cwd=cwd,
    ) as base:
        yield base


@dataclass(frozen=True)
class Installed:
    wheel: Path
    venv: Path

    @property
    def bin(self) -> Path:
        return self.venv / "bin"

    @property
    def site_packages(self) -> Path:
        [site] = (self.venv / "lib").glob("python3*/site-packages")
        return site


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    """The project's wheel (built with the pinned hatchling of pyproject.toml) installed
    alone in a fresh virtualenv."""
    work = tmp_path_factory.mktemp("wheel")
    ok(run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", work, ROOT], work))
    [wheel] = work.glob("enode_codegen-*.whl")
    venv = work / "venv"
    ok(run([sys.executable, "-m", "venv", venv], work))
    ok(run([venv / "bin" / "python", "-m", "pip", "install", "-q", "--no-compile", wheel], work))
    return Installed(wheel, venv)


def test_the_wheel_holds_one_top_level_package(installed: Installed) -> None:
    with zipfile.ZipFile(installed.wheel) as wheel:
        top = {name.split("/", 1)[0] for name in wheel.namelist()}
    assert top == {"enode_codegen", installed.wheel.name.split("-py3")[0] + ".dist-info"}
    names = {p.name for p in installed.site_packages.iterdir()}
    assert "enode_codegen" in names
    assert not names & {"mock", "generator", "templates", "runtime", "spec", "contract_tests"}


def test_both_commands_print_their_version(installed: Installed, tmp_path: Path) -> None:
    for command in ("enode-codegen", "enode-mock"):
        out = ok(run([installed.bin / command, "--version"], tmp_path))
        assert out.strip() == f"{command} 0.1.0"


def test_installed_tool_from_an_empty_folder(installed: Installed, tmp_path: Path) -> None:
    """validate -> generate -> pip install the generated package -> a call against
    `enode-mock serve` -> the contract suite (one version, ci profile) against that server."""
    codegen = installed.bin / "enode-codegen"
    python = installed.bin / "python"

    validated = ok(run([codegen, "validate"], tmp_path))
    assert validated.count(": OK: ") == 4, validated

    ok(run([codegen, "generate", "--output", "out"], tmp_path))
    diff = list(diff_trees(tmp_path / "out", GENERATED))
    assert not diff, "generated from an installed wheel differs from generated/:\n" + "".join(diff)

    ok(
        run(
            [python, "-m", "pip", "install", "-q", "--no-deps", f"out/enode-client-{VERSION}"],
            tmp_path,
        )
    )

    with mock_server(installed.bin / "enode-mock", tmp_path) as base:
        call = (
            f"from enode_{VERSION.replace('-', '_')} import Client\n"
            f"with Client(client_id='{MOCK_CLIENT[0]}', client_secret='{MOCK_CLIENT[1]}',"
            f" base_url='{base}', token_url='{base}/oauth2/token') as client:\n"
            "    page = client.batteries.list_batteries()\n"
            "    print(len(page.data), type(page.data[0]).__name__)\n"
        )
        count, kind = ok(run([python, "-c", call], tmp_path)).split()
        assert int(count) > 0 and kind == "Battery"

        contract = run(
            [
                codegen,
                "contract",
                "--target",
                base,  # a running enode-mock: no live limits, reset through its admin API
                "--versions",
                VERSION,
                "--profile",
                "ci",
                "--seed",
                "1",
                "-q",
            ],
            tmp_path,
            timeout=600,
        )
        out = ok(contract)
    # what a user reads: no plugin warning about its own configuration (pytest-asyncio's)
    for warning in ("PytestDeprecationWarning", "PytestConfigWarning"):
        assert warning not in out + contract.stderr, out + contract.stderr
    final = PYTEST_FINAL.fullmatch(out.strip().splitlines()[-1])
    assert final is not None and re.fullmatch(r"\d+ passed(, \d+ skipped)?", final["counts"]), out
    assert f"contract {VERSION}: done" in out and ", 0 failed (" in out, out
    assert (tmp_path / "enode-contract-reports" / "summary.md").is_file()


def test_contract_from_an_empty_folder_generates_the_clients_it_drives(
    installed: Installed, tmp_path: Path
) -> None:
    """No client package installed, no generated/ here: the suite generates the packaged
    versions' clients once into its cache and drives them (no error per client test), deaf
    to the pytest configuration of the folder it runs in.
    (OLDEST: the test above installs VERSION's client into the same virtualenv.)"""
    cache = tmp_path / "cache"
    # a project's pytest configuration here (rc 4 before: pytest-cov is not installed)
    (tmp_path / "pyproject.toml").write_text('[tool.pytest.ini_options]\naddopts = "--cov=x"\n')
    result = run(
        [
            installed.bin / "enode-codegen", "contract", "--versions", OLDEST, "--seed", "1",
            "-k", "test_client_not_found or test_client_unprocessable", "-q",
        ],
        tmp_path,
        env={"ENODE_CLIENTS_CACHE": str(cache)},
    )  # fmt: skip
    out = blank(ok(result), [tmp_path])
    assert (
        "contract: generated the client packages into <path>/cache (<duration>; later runs "
        "reuse them)" in out
    ), out
    final = PYTEST_FINAL.fullmatch(result.stdout.strip().splitlines()[-1])
    # pytest-xdist's controller does not count what its workers deselected
    assert final is not None and re.fullmatch(
        r"[1-9]\d* passed(, \d+ deselected)?", final["counts"]
    )
    again = blank(ok(run(result.args, tmp_path, env={"ENODE_CLIENTS_CACHE": str(cache)})))
    assert "generated the client packages" not in again  # reused


def test_installed_tool_tests_a_webhook_receiver(
    installed: Installed, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`enode-codegen contract --webhook-receiver URL` from the wheel, against the sample
    correct receiver it ships, run as its own process (the secret from the environment)."""
    secret = {"ENODE_WEBHOOK_SECRET": "whsec-install-test-5b7c9d1e3f"}
    receiver = [installed.bin / "python", "-m", "enode_codegen.contract_tests.sample_receivers"]
    monkeypatch.setenv(*next(iter(secret.items())))  # the receiver process inherits it
    with serving(
        lambda port: [*receiver, "correct", "--port", str(port)],
        ready="/health",
        log=tmp_path / "receiver.log",
        cwd=tmp_path,
    ) as base:
        contract = run(
            [
                installed.bin / "enode-codegen",
                "contract",
                "--webhook-receiver",
                f"{base}/hook",
                "--versions",
                VERSION,
                "--profile",
                "fault",
                "--seed",
                "2",
                "-q",
            ],
            tmp_path,
            env=secret,
        )
    out = ok(contract)
    assert f"contract {VERSION}: done, 8 tests: 8 passed" in out, out
    summary = (tmp_path / "enode-contract-reports" / "summary.md").read_text()
    assert summary.startswith("# Enode contract tests: summary (webhook receiver)")
    assert secret["ENODE_WEBHOOK_SECRET"] not in summary + out


# --- from the checkout, run in another folder --------------------------------------------


def test_check_passes_from_another_folder(tmp_path: Path) -> None:
    out = ok(run([BIN / "enode-codegen", "check"], tmp_path))
    assert "up to date" in out


def test_generate_from_another_folder_writes_the_same_bytes(tmp_path: Path) -> None:
    ok(run([BIN / "enode-codegen", "generate", "--output", "out"], tmp_path))
    diff = list(diff_trees(tmp_path / "out", GENERATED))
    assert not diff, "".join(diff)


def test_generating_one_spec_ships_the_runtime(tmp_path: Path) -> None:
    ok(run([BIN / "enode-codegen", "generate", TINY, "--output", "out"], tmp_path))
    [package] = (tmp_path / "out").glob("*/pyproject.toml")
    assert (package.parent / "enode_2099_01_01" / "_runtime" / "__init__.py").is_file()
    imported = run(
        [sys.executable, "-c", "import enode_2099_01_01 as p; print(p.Client.__name__)"],
        tmp_path,
        env={"PYTHONPATH": str(package.parent)},
    )
    assert ok(imported).strip() == "Client"
