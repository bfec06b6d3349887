"""Publish generated client packages to a package index, then install one from it and call
the mock with it (`nox -s publish`).

    python -m enode_codegen.publish_packages [PACKAGE_DIR ...] [--local-index DIR]
    ENODE_PUBLISH_INDEX_URL=... ENODE_PUBLISH_UPLOAD_URL=... ENODE_PUBLISH_TOKEN=... \\
        python -m enode_codegen.publish_packages

By default a local pypiserver (a real index) is started on a free 127.0.0.1 port
(`--index-port` chooses one; `--mock-port` the mock's) for the run, serving `dist/index/`,
so what was published stays published between runs. With
ENODE_PUBLISH_INDEX_URL (the simple index, e.g. https://pypi.org/simple/), uploads go to
ENODE_PUBLISH_UPLOAD_URL with the API token ENODE_PUBLISH_TOKEN.

For each package (default: every one in generated/): sdist and wheel are built
(`python -m build`, the package's pinned hatchling; builds are reproducible) and checked
(`twine check --strict`). A package with a release ledger (`enode_codegen/releases/`) is
published only at a version the ledger records (`enode-codegen release` records them). A
version the index does not have yet is uploaded (`twine upload`): the packages whose version
moved. A version it already has is never uploaded again: with identical files it is
skipped; with different files the run stops before uploading anything, saying the package
changed without a new version. Then, in a clean virtualenv,
`pip install <distribution> --index-url <index>` and a call against `enode-mock serve`.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import tomllib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from ._process import serving
from .generator import releases
from .generator.paths import CHECKOUT_ROOT, GENERATED_DIR

__all__ = [
    "Package",
    "PublishError",
    "discover",
    "index_files",
    "main",
    "publish",
    "unrecorded",
]

_BASE = CHECKOUT_ROOT if CHECKOUT_ROOT else Path()
LOCAL_INDEX = _BASE / "dist" / "index"
BUILD_DIR = _BASE / "dist" / "publish"
VERIFY = "enode-client-2024-10-01"
MOCK_CLIENT = ("mock-client", "mock-secret")


class PublishError(Exception):
    """Publishing cannot go on; the message says why and what to do."""


@dataclass(frozen=True)
class Package:
    path: Path
    distribution: str
    version: str
    module: str

    @property
    def stem(self) -> str:
        """The file name prefix of its sdist and wheel: `enode_client_2024_10_01-1.0.0`."""
        return f"{normalize(self.distribution).replace('-', '_')}-{self.version}"


def normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def discover(folders: Sequence[Path]) -> list[Package]:
    """Every package folder (one with a pyproject.toml) given, or under a folder given."""
    packages: list[Package] = []
    for folder in folders:
        candidates = (
            [folder]
            if (folder / "pyproject.toml").is_file()
            else sorted(p.parent for p in folder.glob("*/pyproject.toml"))
        )
        for path in candidates:
            project = tomllib.loads((path / "pyproject.toml").read_text(encoding="utf-8"))
            meta = project.get("project", {})
            if "name" not in meta or "version" not in meta:
                raise PublishError(f"{path / 'pyproject.toml'}: no [project] name and version")
            module = next(p.name for p in sorted(path.iterdir()) if (p / "__init__.py").is_file())
            packages.append(Package(path, meta["name"], meta["version"], module))
    if not packages:
        raise PublishError(f"no package found in {', '.join(map(str, folders))}")
    return packages


def unrecorded(packages: Sequence[Package]) -> list[str]:
    """Why packages with a release ledger (enode_codegen/releases/) cannot be published: a
    version the ledger does not record (generated, but `enode-codegen release` not run), so a
    later change could give other content the same version."""
    problems = []
    for package in packages:
        recorded = [r.version for r in releases.history(package.distribution)]
        if recorded and package.version not in recorded:
            problems.append(
                f"{package.distribution} {package.version} is not recorded in "
                f"{releases.ledger_file(package.distribution).name} (latest: {recorded[-1]}): "
                "run `enode-codegen release` and commit the ledger first"
            )
    return problems


def index_files(index_url: str, distribution: str) -> dict[str, str | None]:
    """File name -> sha256 (None when the index gives none) of what the simple index
    `index_url` holds for `distribution`; empty when it has none (404, or a redirect to
    an upstream index as pypiserver does for packages it does not have)."""
    url = f"{index_url.rstrip('/')}/{normalize(distribution)}/"
    response = httpx.get(url, follow_redirects=False, timeout=30)
    if response.status_code == 404 or response.is_redirect:
        return {}
    if response.status_code != 200:
        raise PublishError(f"{url}: HTTP {response.status_code}; is this a simple index?")
    files: dict[str, str | None] = {}
    for href in re.findall(r'href="([^"]+)"', response.text):
        path, _, fragment = href.partition("#")
        digest = fragment.removeprefix("sha256=") if fragment.startswith("sha256=") else None
        files[path.rsplit("/", 1)[-1]] = digest
    return files


def _run(
    args: Sequence[str | Path], *, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        command = " ".join(str(a) for a in args)
        raise PublishError(f"`{command}` failed:\n{result.stdout}{result.stderr}".rstrip())
    return result


def build(package: Package, into: Path) -> list[Path]:
    """sdist and wheel of `package`, checked with `twine check --strict`."""
    out = into / package.distribution
    if out.exists():
        for old in out.iterdir():
            old.unlink()
    _run([sys.executable, "-m", "build", "--sdist", "--wheel", "--outdir", out, package.path])
    files = sorted(out.iterdir())
    if {f.name for f in files} != {f"{package.stem}.tar.gz", f"{package.stem}-py3-none-any.whl"}:
        raise PublishError(f"{package.path}: build wrote {[f.name for f in files]}")
    _run([sys.executable, "-m", "twine", "check", "--strict", *files])
    return files


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass(frozen=True)
class Index:
    url: str  # the simple index: pip's --index-url
    upload_url: str
    username: str
    password: str


def publish(packages: Sequence[Package], index: Index, build_dir: Path) -> list[str]:
    """Build, check and upload every package whose version `index` does not have; return
    the names uploaded. Raises PublishError, before uploading anything, when the index has
    a package's version with other content."""
    uploads: list[Path] = []
    uploaded: list[str] = []
    refused: list[str] = []
    for package in packages:
        started = time.perf_counter()
        files = build(package, build_dir)
        on_index = {
            name: digest
            for name, digest in index_files(index.url, package.distribution).items()
            # its wheels (`<stem>-<tags>.whl`) and sdists; `<stem>.post1.tar.gz` is another version
            if name.startswith(package.stem + "-")
            or name in (f"{package.stem}.tar.gz", f"{package.stem}.zip")
        }
        label = f"{package.distribution} {package.version}"
        if not on_index:
            uploads += files
            uploaded.append(package.distribution)
            print(f"publish: {label}: built and checked in {time.perf_counter() - started:.1f}s")
            continue
        differing = [
            f.name
            for f in files
            if f.name in on_index and on_index[f.name] not in (None, _sha256(f))
        ]
        if differing:
            refused.append(
                f"{label} is already on {index.url} with different content "
                f"({', '.join(differing)}): a published version is never replaced; "
                "give the package a new version"
            )
        else:
            compared = (
                "same files" if None not in on_index.values() else "the index gives no hashes"
            )
            print(f"publish: {label}: already on {index.url} ({compared}), not uploaded again")
    if refused:
        raise PublishError("\n".join(f"error: {line}" for line in refused))
    if uploads:
        env = {
            **os.environ,
            "TWINE_USERNAME": index.username,
            "TWINE_PASSWORD": index.password,
        }
        _run(
            [
                sys.executable,
                "-m",
                "twine",
                "upload",
                "--non-interactive",
                "--disable-progress-bar",
                "--repository-url",
                index.upload_url,
                *uploads,
            ],
            env=env,
        )
        print(f"publish: uploaded {', '.join(uploaded)} to {index.upload_url}")
    return uploaded


@contextmanager
def local_index(folder: Path, port: int = 0) -> Iterator[Index]:
    """pypiserver on 127.0.0.1:`port` (0: a free port) serving `folder`, for as long as the
    block runs (uploads without authentication; packages it lacks redirect to PyPI, as by
    default)."""
    folder.mkdir(parents=True, exist_ok=True)
    with serving(
        lambda port: [
            sys.executable,
            "-m",
            "pypiserver",
            "run",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--authenticate",
            ".",
            "--passwords",
            ".",
            folder,
        ],
        ready="/health",
        log=folder.parent / "pypiserver.log",
        port=port,
    ) as base:
        print(f"publish: local pypiserver at {base} serving {folder}")
        yield Index(f"{base}/simple/", f"{base}/", "local", "local")


def verify(package: Package, index: Index, work: Path, mock_port: int = 0) -> str:
    """Install `package` from `index` alone in a clean virtualenv and call `enode-mock serve`
    (on 127.0.0.1:`mock_port`, 0: a free port) with it; return what the call printed."""
    venv = work / "venv"
    _run([sys.executable, "-m", "venv", venv])
    python = venv / "bin" / "python"
    report = work / "pip-report.json"
    _run(
        [
            python,
            "-m",
            "pip",
            "install",
            "-q",
            "--no-compile",
            "--report",
            report,
            "--index-url",
            index.url,
            f"{package.distribution}=={package.version}",
        ]
    )
    source = next(
        (
            item["download_info"]["url"]
            for item in json.loads(report.read_text())["install"]
            if normalize(item["metadata"]["name"]) == normalize(package.distribution)
        ),
        "",
    )
    if not source.startswith(index.url.rsplit("/simple", 1)[0]):
        raise PublishError(f"{package.distribution} was installed from {source!r}, not the index")
    with serving(
        lambda port: [
            sys.executable,
            "-m",
            "enode_codegen.mock",
            "serve",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        ready="/health/ready",
        log=work / "mock.log",
        port=mock_port,
    ) as base:
        call = (
            f"from {package.module} import Client\n"
            f"with Client(client_id={MOCK_CLIENT[0]!r}, client_secret={MOCK_CLIENT[1]!r},"
            f" base_url={base!r}, token_url={base + '/oauth2/token'!r}) as client:\n"
            "    batteries = client.batteries.list_batteries().data\n"
            "    print(f'{len(batteries)} batteries, the first {batteries[0].id}')\n"
        )
        return _run([python, "-c", call], cwd=work).stdout.strip()


def _remote_index() -> Index | None:
    url = os.environ.get("ENODE_PUBLISH_INDEX_URL")
    if not url:
        return None
    missing = [
        name
        for name in ("ENODE_PUBLISH_UPLOAD_URL", "ENODE_PUBLISH_TOKEN")
        if not os.environ.get(name)
    ]
    if missing:
        raise PublishError(f"ENODE_PUBLISH_INDEX_URL is set, but not {' and '.join(missing)}")
    return Index(
        url,
        os.environ["ENODE_PUBLISH_UPLOAD_URL"],
        os.environ.get("ENODE_PUBLISH_USER", "__token__"),
        os.environ["ENODE_PUBLISH_TOKEN"],
    )


def _publish_and_verify(
    packages: list[Package],
    index: Index,
    build_dir: Path,
    verify_name: str | None,
    mock_port: int = 0,
) -> None:
    publish(packages, index, build_dir)
    if verify_name is None:
        return
    [package] = [p for p in packages if p.distribution == verify_name] or [packages[-1]]
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="enode-publish-verify-") as work:
        said = verify(package, index, Path(work), mock_port)
    print(
        f"publish: installed {package.distribution} {package.version} from {index.url} in a "
        f"clean venv; against enode-mock: {said} ({time.perf_counter() - started:.1f}s)"
    )


def _port(text: str) -> int:
    if not text.isdigit() or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a TCP port (0-65535)")
    return int(text)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m enode_codegen.publish_packages", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "packages", nargs="*", type=Path, help="package folders (default: generated/)"
    )
    parser.add_argument(
        "--local-index",
        type=Path,
        default=LOCAL_INDEX,
        help="folder the local pypiserver serves (default dist/index/)",
    )
    parser.add_argument("--build-dir", type=Path, default=BUILD_DIR, help=argparse.SUPPRESS)
    parser.add_argument(
        "--verify",
        default=VERIFY,
        metavar="DISTRIBUTION",
        help=f"the package to install from the index and call the mock with (default {VERIFY})",
    )
    parser.add_argument("--no-verify", dest="verify", action="store_const", const=None)
    parser.add_argument(
        "--index-port",
        type=_port,
        default=0,
        metavar="PORT",
        help="127.0.0.1 port of the local pypiserver (default: a free port)",
    )
    parser.add_argument(
        "--mock-port",
        type=_port,
        default=0,
        metavar="PORT",
        help="127.0.0.1 port of the enode-mock the installed package calls (default: a free port)",
    )
    args = parser.parse_args(argv)
    try:
        packages = discover(args.packages or [GENERATED_DIR])
        problems = unrecorded(packages)
        if problems:
            raise PublishError("\n".join(f"error: {line}" for line in problems))
        remote = _remote_index()
        if remote is not None:
            _publish_and_verify(packages, remote, args.build_dir, args.verify, args.mock_port)
        else:
            with local_index(args.local_index, args.index_port) as index:
                _publish_and_verify(packages, index, args.build_dir, args.verify, args.mock_port)
    except PublishError as error:
        print(f"publish: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
