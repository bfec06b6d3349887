"""What a user meets first: client options, exported errors, resource names, the mock's
answers to wrong credentials and bad ports, progress lines, and quiet job output."""

from __future__ import annotations

import importlib
import os
import pydoc
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import httpx
import pytest

from enode_codegen.generator.cli import main as codegen
from enode_codegen.generator.generate import PackageReport, generate
from enode_codegen.generator.paths import spec_file
from enode_codegen.mock.app import create_app
from enode_codegen.mock.config import MockConfig

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = sorted(p.parent for p in (ROOT / "generated").glob("*/pyproject.toml"))
ENODE_ENV = (
    "ENODE_CLIENT_ID",
    "ENODE_CLIENT_SECRET",
    "ENODE_ENVIRONMENT",
    "ENODE_BASE_URL",
    "ENODE_TOKEN_URL",
)


def package(version: str = "2024-10-01") -> ModuleType:
    return importlib.import_module(f"enode_{version.replace('-', '_')}")


# --- client options -----------------------------------------------------------------------


@pytest.mark.parametrize("cls", ["Client", "AsyncClient"])
def test_a_misspelt_option_is_a_type_error_naming_the_valid_ones(cls: str) -> None:
    client_class = getattr(package(), cls)
    with pytest.raises(TypeError) as raised:
        client_class(timout=5, access_token="t", base_url="https://enode.test")
    message = str(raised.value)
    assert f"{cls}() got unexpected keyword argument(s) 'timout'" in message
    assert "did you mean 'timeout'?" in message
    for valid in ("client_id", "client_secret", "environment", "max_retries", "transport"):
        assert valid in message.split("valid options:")[1]


def test_correct_options_still_work() -> None:
    client = package().Client(access_token="t", base_url="https://enode.test", timeout=5)
    assert client.timeout.read == 5
    client.close()


def test_help_shows_the_options_not_only_kwargs() -> None:
    text = pydoc.render_doc(package().Client, renderer=pydoc.plaintext)
    signature = next(line for line in text.splitlines() if "Client(*," in line)
    for option in (
        "client_id: str | None = None",
        "environment: str | None = None",
        "max_retries: int = 2",
        "strict: bool = False",
        "timeout:",
        "http_client:",
    ):
        assert option in signature, option
    assert "**options" not in signature
    assert "A misspelt option raises `TypeError`" in text


# --- errors -------------------------------------------------------------------------------


@pytest.mark.parametrize("path", PACKAGES, ids=lambda p: p.name)
def test_configuration_error_is_exported_and_in_the_readme_table(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ENODE_ENV:
        monkeypatch.delenv(name, raising=False)
    pkg = package(path.name.removeprefix("enode-client-"))
    assert "ConfigurationError" in pkg.__all__
    with pytest.raises(pkg.ConfigurationError, match="client_id"):
        pkg.Client()
    readme = (path / "README.md").read_text()
    table = readme.split("## Errors", 1)[1].split("\n## ", 1)[0]
    for name in ("ConfigurationError", "AuthenticationError", "NotFoundError", "StrictModeError"):
        assert f"| `{name}` |" in table, name


# --- resource names -----------------------------------------------------------------------


@pytest.mark.parametrize("path", PACKAGES, ids=lambda p: p.name)
def test_resources_are_named_after_paths_and_keep_tag_display_names(path: Path) -> None:
    client_class = package(path.name.removeprefix("enode-client-")).Client
    for attr, tag in (
        ("hvacs", "HVAC"),
        ("inverters", "Solar inverters"),
        ("users", "User management"),
        ("health", "Service health"),
        ("batteries", "Batteries"),
    ):
        resource = getattr(client_class, attr)
        assert resource.__doc__.startswith(f"{tag} operations"), (attr, resource.__doc__)
    for old in ("hvac", "solar_inverters", "user_management", "service_health"):
        assert not hasattr(client_class, old), old
    readme = (path / "README.md").read_text()
    assert "client.hvac." not in readme and "client.solar_inverters." not in readme


# --- the mock -----------------------------------------------------------------------------


async def test_refused_credentials_say_so_through_the_client() -> None:
    pkg = package()
    app = create_app(MockConfig())
    options = {
        "base_url": "http://mock",
        "token_url": "http://mock/oauth2/token",
        "transport": httpx.ASGITransport(app=app),
    }
    async with pkg.AsyncClient(client_id="mock-client", client_secret="wrong", **options) as c:
        with pytest.raises(pkg.AuthenticationError) as raised:
            await c.batteries.list_batteries()
    message = str(raised.value)
    assert "credentials for client_id 'mock-client' were refused" in message
    assert "send HTTP Basic" not in message

    async with httpx.AsyncClient(transport=options["transport"], base_url="http://mock") as raw:
        response = await raw.post("/oauth2/token", data={"grant_type": "client_credentials"})
    assert response.status_code == 401
    assert "no client credentials were sent" in response.json()["error_description"]


def test_mock_serve_on_an_impossible_port_says_one_line_and_exits_2(tmp_path: Path) -> None:
    enode_mock = Path(sys.executable).parent / "enode-mock"
    result = subprocess.run(
        [str(enode_mock), "serve", "--port", "80000"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == "enode-mock: --port 80000 is not a TCP port (0-65535)\n"


# --- progress and noise -------------------------------------------------------------------


def test_generate_reports_each_package_as_it_is_rendered(tmp_path: Path) -> None:
    heard: list[str] = []
    on_disk: list[bool] = []

    def progress(report: PackageReport) -> None:
        heard.append(report.distribution)
        on_disk.append((tmp_path / "out" / report.distribution).exists())

    specs = [spec_file(v) for v in ("2023-04-01", "2024-10-01")]
    reports, _ = generate(specs, tmp_path / "out", progress=progress)
    assert heard == ["enode-client-2023-04-01", "enode-client-2024-10-01"]
    assert on_disk == [False, False]  # heard while rendering, before anything is written
    assert [r.distribution for r in reports] == heard


def test_a_warning_shared_by_packages_is_printed_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    versions = ("2024-01-01", "2024-10-01")
    args = [str(spec_file(v)) for v in versions]
    assert codegen(["generate", *args, "--output", str(tmp_path)]) == 0
    captured = capsys.readouterr()
    lines = [line for line in captured.err.splitlines() if "AnyUrl" in line]
    # every AnyUrl warning (UserLinkRequest.redirect_uri, the webhook URLs, ...) is one line
    # naming both packages, never one line per package
    assert [line for line in lines if "UserLinkRequest.redirect_uri" in line], captured.err
    assert len(lines) == len(set(lines)), captured.err
    assert all(
        line.endswith("(enode-client-2024-01-01, enode-client-2024-10-01)") for line in lines
    ), captured.err
    assert captured.out.count(" operations, ") == 2


def _nox_python() -> Path | None:
    bootstrap = ROOT / ".nox-bootstrap" / "bin" / "python"
    if bootstrap.is_file():
        return bootstrap
    nox = shutil.which("nox")
    if nox:
        first = Path(nox).read_text(errors="replace").splitlines()[0]
        if first.startswith("#!"):
            return Path(first[2:].strip())
    return None


def test_nox_does_not_print_the_uv_probe(tmp_path: Path) -> None:
    python = _nox_python()
    if python is None or shutil.which("uv"):
        pytest.skip("needs nox (python3 noxfile.py bootstraps it) and no uv on PATH")
    probe = (
        "import logging, runpy, sys\n"
        "logging.basicConfig(level=logging.DEBUG, stream=sys.stdout, format='%(message)s')\n"
        "if sys.argv[1] == 'noxfile':\n"
        f"    runpy.run_path({str(ROOT / 'noxfile.py')!r})\n"
        "from nox.virtualenv import find_uv\n"
        "find_uv()\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "UV"}
    without = subprocess.run(
        [str(python), "-c", probe, "bare"], capture_output=True, text=True, env=env, check=True
    )
    assert "uv binary not found." in without.stdout  # what nox says on its own
    with_noxfile = subprocess.run(
        [str(python), "-c", probe, "noxfile"], capture_output=True, text=True, env=env, check=True
    )
    assert "uv binary not found." not in with_noxfile.stdout


def test_the_contract_suite_reports_each_version_as_it_completes(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "enode-codegen"),
            "contract",
            "--versions",
            "2023-04-01,2024-10-01",
            "-k",
            "test_client_not_found or test_client_unprocessable",
            "--summary",
            str(tmp_path / "summary.md"),
            "--junit-xml",
            str(tmp_path / "junit.xml"),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    lines = [line for line in result.stdout.splitlines() if line.startswith("contract 20")]
    assert [line.split(" (")[0] for line in lines] == [
        "contract 2023-04-01 clients: 2 passed, 0 skipped, 0 failed",
        "contract 2023-04-01: done, 2 tests: 2 passed, 0 skipped, 0 failed",
        "contract 2024-10-01 clients: 2 passed, 0 skipped, 0 failed",
        "contract 2024-10-01: done, 2 tests: 2 passed, 0 skipped, 0 failed",
    ]
    assert "(1/2 versions," in lines[1] and "(2/2 versions," in lines[3]


def test_nox_list_describes_every_session_in_a_whole_sentence() -> None:
    """`python3 noxfile.py --list` shows the first line of each session's docstring: each
    one must be a sentence on its own, not cut mid-way."""
    python = _nox_python()
    if python is None:
        pytest.skip("needs nox (python3 noxfile.py bootstraps it)")
    listed = subprocess.run(
        [str(python), str(ROOT / "noxfile.py"), "--list"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    described = dict(
        line[2:].split(" -> ", 1)
        for line in listed.splitlines()
        if line[:2] in ("* ", "- ") and " -> " in line
    )
    assert {"contract", "release", "publish", "corpus", "lint"} <= set(described), listed
    for session, text in described.items():
        assert text.endswith("."), f"{session}: {text!r} stops mid-sentence"
