"""Publishing for real: a local pypiserver on a free port, the generated package built,
checked and uploaded, installed back from the index in a clean virtualenv and called
against the mock; a published version is never uploaded twice, nor replaced."""

from __future__ import annotations

import re
import shutil
import tomllib
from pathlib import Path

import httpx
import pytest

from enode_codegen import publish_packages
from enode_codegen._process import free_port

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "generated" / "enode-client-2024-10-01"
VERSION = tomllib.loads((PACKAGE / "pyproject.toml").read_text())["project"]["version"]


def _server_url(out: str) -> str:
    match = re.search(r"local pypiserver at (http://127\.0\.0\.1:\d+)", out)
    assert match, out
    return match.group(1)


def _stopped(url: str) -> bool:
    try:
        httpx.get(f"{url}/health", timeout=2)
    except httpx.TransportError:
        return True
    return False


def test_round_trip_through_a_local_pypiserver(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    index, build = tmp_path / "index", tmp_path / "build"
    args = ["--local-index", str(index), "--build-dir", str(build)]
    port = free_port()  # the user chooses the index's port; by default a free one

    assert publish_packages.main([str(PACKAGE), *args, "--index-port", str(port)]) == 0
    out = capsys.readouterr().out
    assert _server_url(out) == f"http://127.0.0.1:{port}"
    assert "uploaded enode-client-2024-10-01 to http://127.0.0.1:" in out
    assert re.search(
        rf"installed enode-client-2024-10-01 {re.escape(VERSION)} .* clean venv", out
    ), out
    assert re.search(r"against enode-mock: [1-9]\d* batteries, the first \S+", out), out
    assert sorted(p.name for p in index.iterdir()) == [
        f"enode_client_2024_10_01-{VERSION}-py3-none-any.whl",
        f"enode_client_2024_10_01-{VERSION}.tar.gz",
    ]
    assert _stopped(_server_url(out))
    published = {p.name: p.read_bytes() for p in index.iterdir()}

    # the same version again, same content: not uploaded
    assert publish_packages.main([str(PACKAGE), *args, "--no-verify"]) == 0
    out = capsys.readouterr().out
    assert "already on http://127.0.0.1:" in out and "not uploaded again" in out
    assert "uploaded enode-client" not in out

    # changed content under the same version: refused, nothing uploaded
    changed = tmp_path / PACKAGE.name
    shutil.copytree(PACKAGE, changed, ignore=shutil.ignore_patterns("__pycache__"))
    readme = changed / "README.md"
    readme.write_text(readme.read_text() + "\nA change without a new version.\n")
    assert publish_packages.main([str(changed), *args, "--no-verify"]) == 1
    captured = capsys.readouterr()
    assert f"enode-client-2024-10-01 {VERSION} is already on http://127.0.0.1:" in captured.err
    assert "with different content" in captured.err
    assert "give the package a new version" in captured.err
    assert {p.name: p.read_bytes() for p in index.iterdir()} == published
    assert _stopped(_server_url(captured.out))


def test_a_remote_index_needs_upload_url_and_token(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ENODE_PUBLISH_INDEX_URL", "https://example.invalid/simple/")
    monkeypatch.delenv("ENODE_PUBLISH_UPLOAD_URL", raising=False)
    monkeypatch.delenv("ENODE_PUBLISH_TOKEN", raising=False)
    assert publish_packages.main([str(PACKAGE)]) == 1
    err = capsys.readouterr().err
    assert "ENODE_PUBLISH_UPLOAD_URL and ENODE_PUBLISH_TOKEN" in err


def test_a_version_the_release_ledger_does_not_record_is_not_published(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Generated with a new version but `enode-codegen release` not run: publishing it could
    give later, different content the same version, so nothing is built or uploaded."""
    changed = tmp_path / PACKAGE.name
    shutil.copytree(PACKAGE, changed, ignore=shutil.ignore_patterns("__pycache__"))
    pyproject = changed / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace(f'"{VERSION}"', '"99.0.0"', 1))
    index = tmp_path / "index"
    assert publish_packages.main([str(changed), "--local-index", str(index), "--no-verify"]) == 1
    captured = capsys.readouterr()
    assert "enode-client-2024-10-01 99.0.0 is not recorded in enode-client-2024-10-01.json" in (
        captured.err
    )
    assert "run `enode-codegen release`" in captured.err
    assert "pypiserver" not in captured.out and not index.exists()
