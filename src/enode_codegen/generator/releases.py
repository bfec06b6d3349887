"""Release versions of generated packages (`enode-codegen release`).

A package's version moves when, and only when, its content does. Each tracked package has
a ledger, `enode_codegen/releases/<distribution>.json` (committed, package data), listing
every release: version, kind of bump, the sha256 of every file with the version-bearing
text left out (the `version = ...` line of pyproject.toml and the release history of
CHANGELOG.md), the digest of the spec document and the generator epoch it was built from,
and its release notes. Beside it, `<distribution>.spec.json` is the spec document of the
latest release, so the next bump is diffed against exactly what was released.

Generation gives a package the ledger's latest version when its content digest is that
release's; otherwise the next version, from `diff(released spec, current spec)`:

- major: a breaking difference by Enode's rules, or a generator break declared since the
  last release (a sentence appended to GENERATOR_BREAKING_CHANGES);
- minor: differences, none breaking (new operations, new optional fields, ...), or a
  generator addition declared since the last release (GENERATOR_FEATURES);
- patch: no structural difference (descriptions, examples, or the generator's output).

Pending and recorded releases render the same, so `release` only writes the ledger: what
`generate` wrote stays current, and a fresh clone computes the same versions.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from . import paths
from .diff import KINDS, Difference, diff_documents

__all__ = [
    "FIRST_VERSION",
    "GENERATOR_BREAKING_CHANGES",
    "GENERATOR_FEATURES",
    "LedgerError",
    "Release",
    "apply",
    "content_files",
    "inputs",
    "latest",
    "ledger_file",
    "plan",
    "record",
]

FIRST_VERSION = "1.0.0"

# Generator changes that break users' code without an API change (a renamed method, a
# removed option, a new minimum Python). Append one sentence per break, in the commit that
# makes it: the next release of every package whose content changed is then a major one,
# and the sentence is its release note. The epoch is the length of this tuple.
GENERATOR_BREAKING_CHANGES: tuple[str, ...] = (
    "Enum values without letters or digits are named after what they are instead of "
    "`FIELD_`: `WebhookEvent.FIELD_` (`*`, every event) is now `WebhookEvent.ALL`.",
)

# Generator changes that add to every package's API without an API change (a new function,
# a new option) and break nothing. Append one sentence per addition, in the commit that makes
# it: the next release of every package whose content changed is then at least a minor one,
# with the sentence as a release note. A release records how many it has seen.
GENERATOR_FEATURES: tuple[str, ...] = (
    "Responses and webhook events that differ from the spec are returned, not raised: "
    "`drift(obj)` lists each `Deviation` (path, expected, received) and each is logged once "
    "at WARNING; `strict=True` raises on every kind of drift (`ResponseValidationError` is "
    "exported). `wait_for_action` is typed by the action it waits for.",
)

_VERSION_LINE = re.compile(r'^version = "[^"\n]*"$', re.M)
_BEGIN = "<!-- releases: recorded in enode_codegen/releases/, `enode-codegen release` -->"
_END = "<!-- end of releases -->"
_HISTORY = re.compile(re.escape(_BEGIN) + r".*?" + re.escape(_END) + r"\n\n?", re.S)


class LedgerError(Exception):
    """A release ledger that cannot be read; the message names the file and what is wrong."""


@dataclass(frozen=True)
class Release:
    version: str
    bump: str  # initial, major, minor or patch
    digest: str  # of the package's content, version-bearing text left out
    spec_digest: str  # of the spec document it was built from
    generator_epoch: int
    notes: tuple[str, ...]  # Markdown list items, without the "- "
    files: dict[str, str]  # path -> sha256, version-bearing text left out
    generator_features: int = 0  # len(GENERATOR_FEATURES) when it was planned

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["notes"] = list(self.notes)
        return data


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def generator_epoch() -> int:
    return len(GENERATOR_BREAKING_CHANGES)


def ledger_file(distribution: str) -> Path:
    return paths.RELEASES_DIR / f"{distribution}.json"


def spec_copy_file(distribution: str) -> Path:
    return paths.RELEASES_DIR / f"{distribution}.spec.json"


def inputs(distribution: str, versioned: bool) -> list[Path]:
    """The files a versioned package's release is computed from (for the regeneration stamp)."""
    return [ledger_file(distribution), spec_copy_file(distribution)] if versioned else []


def history(distribution: str) -> list[Release]:
    """The recorded releases, oldest first (empty when there is no ledger yet)."""
    path = ledger_file(distribution)
    if not path.is_file():
        return []
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return [Release(**{**entry, "notes": tuple(entry["notes"])}) for entry in data["releases"]]
    except (ValueError, KeyError, TypeError) as exc:
        raise LedgerError(
            f"{path}: not a release ledger ({type(exc).__name__}: {exc}); restore it from git"
        ) from None


def latest(distribution: str) -> Release | None:
    releases = history(distribution)
    return releases[-1] if releases else None


def content_files(tree: dict[str, bytes]) -> dict[str, str]:
    """sha256 of every file of a package, version-bearing text left out."""
    digests = {}
    for name, data in sorted(tree.items()):
        if name == "pyproject.toml":
            data = _VERSION_LINE.sub('version = "<release>"', data.decode("utf-8")).encode()
        elif name == "CHANGELOG.md":
            data = (_HISTORY.sub("", data.decode("utf-8")).rstrip("\n") + "\n").encode()
        digests[name] = _sha256(data)
    return digests


def _digest_of(files: dict[str, str]) -> str:
    return _sha256("\n".join(f"{name}:{digest}" for name, digest in files.items()).encode())


def _spec_digest(document: dict[str, Any]) -> str:
    return _sha256(json.dumps(document, sort_keys=True, ensure_ascii=False).encode())


def _bumped(version: str, bump: str) -> str:
    major, minor, patch = (int(part) for part in version.split("."))
    if bump == "major":
        return f"{major + 1}.0.0"
    if bump == "minor":
        return f"{major}.{minor + 1}.0"
    return f"{major}.{minor}.{patch + 1}"


def _difference_note(d: Difference) -> str:
    text = f"{'**Breaking.** ' if d.breaking else ''}{KINDS[d.kind]}: `{d.subject}`"
    if d.detail:
        text += f" {d.detail}"
    if d.changelog:
        text += f": {d.changelog}"
    return text


def plan(distribution: str, tree: dict[str, bytes], document: dict[str, Any]) -> Release:
    """The release a package built from `document` with the files `tree` is: the latest
    recorded one when its content is that release's, otherwise the next."""
    files = content_files(tree)
    digest, spec_digest, epoch = _digest_of(files), _spec_digest(document), generator_epoch()
    last = latest(distribution)
    if last is None:
        title = str(document.get("info", {}).get("title", distribution))
        version = str(document.get("info", {}).get("version", ""))
        note = f"First release: the typed client of the {title}, version {version}."
        return Release(
            FIRST_VERSION,
            "initial",
            digest,
            spec_digest,
            epoch,
            (note,),
            files,
            len(GENERATOR_FEATURES),
        )
    if last.digest == digest:
        return last
    breaks = GENERATOR_BREAKING_CHANGES[last.generator_epoch :]
    features = GENERATOR_FEATURES[last.generator_features :]
    notes = [f"**Breaking (generator).** {sentence}" for sentence in breaks]
    notes += [f"**New (generator).** {sentence}" for sentence in features]
    differences: list[Difference] = []
    if spec_digest != last.spec_digest:
        copy = spec_copy_file(distribution)
        try:
            released = json.loads(copy.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise LedgerError(
                f"{copy}: the spec of release {last.version} cannot be read "
                f"({type(exc).__name__}: {exc}); restore it from git"
            ) from None
        differences = diff_documents(released, document).differences
        differences.sort(key=lambda d: not d.breaking)  # stable: breaking first
        notes += [_difference_note(d) for d in differences]
        if not differences:
            notes.append(
                "The API description changed without a structural difference "
                "(descriptions, examples)."
            )
    else:
        notes.append(
            "No change to the API: the generator's output changed "
            "(enode-codegen's templates, runtime or pinned formatter)."
        )
    changed = sorted(
        name for name in files.keys() | last.files.keys() if files.get(name) != last.files.get(name)
    )
    notes.append("Files changed: " + ", ".join(f"`{name}`" for name in changed) + ".")
    if breaks or any(d.breaking for d in differences):
        bump = "major"
    elif differences or features:
        bump = "minor"
    else:
        bump = "patch"
    return Release(
        _bumped(last.version, bump),
        bump,
        digest,
        spec_digest,
        epoch,
        tuple(notes),
        files,
        len(GENERATOR_FEATURES),
    )


def _render_history(releases: list[Release]) -> str:
    lines = [_BEGIN, "## Releases", ""]
    for release in reversed(releases):
        lines += [f"### {release.version} ({release.bump})", ""]
        lines += [f"- {note}" for note in release.notes]
        lines.append("")
    lines.append(_END)
    return "\n".join(lines) + "\n\n"


def apply(root: Path, distribution: str, document: dict[str, Any]) -> Release:
    """Give the formatted package in `root` its release version: the version line of
    pyproject.toml and the release history at the top of CHANGELOG.md."""
    tree = {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    }
    release = plan(distribution, tree, document)
    recorded = history(distribution)
    shown = recorded if recorded and recorded[-1] == release else [*recorded, release]
    pyproject = root / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8")
    pyproject.write_text(
        _VERSION_LINE.sub(f'version = "{release.version}"', text, count=1), encoding="utf-8"
    )
    changelog = root / "CHANGELOG.md"  # header line, blank, "# Changelog: ...", blank, body
    head, sep, rest = changelog.read_text(encoding="utf-8").partition("\n\n# ")
    title_line, _, body = rest.partition("\n\n")
    text = f"{head}{sep}{title_line}\n\n{_render_history(shown)}{body}"
    changelog.write_text(text.rstrip("\n") + "\n", encoding="utf-8")
    return release


def record(release: Release, distribution: str, document: dict[str, Any]) -> bool:
    """Append `release` to the ledger and store its spec document; False when it is already
    the latest recorded release."""
    recorded = history(distribution)
    if recorded and recorded[-1] == release:
        return False
    paths.RELEASES_DIR.mkdir(parents=True, exist_ok=True)
    data = {
        "distribution": distribution,
        "releases": [r.as_dict() for r in [*recorded, release]],
    }
    spec_copy_file(distribution).write_text(
        json.dumps(document, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    ledger_file(distribution).write_text(
        json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return True
