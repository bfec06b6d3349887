"""Problems found in a spec, reported as values that say what and where.

Every stage (load, bundle, validate) reports a `SpecProblem` with the file, the
line where known, and the JSON pointer of the offending node. Stages collect
problems and raise `SpecError` once, so a user sees every problem in one run.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

__all__ = ["Severity", "SpecError", "SpecProblem"]


class Severity(Enum):
    """ERROR stops the pipeline; WARNING means output is produced with something missing."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class SpecProblem:
    """One problem in a spec: where it is and what is wrong."""

    file: str
    line: int | None
    pointer: str
    rule: str
    message: str
    severity: Severity = Severity.ERROR

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        pointer = self.pointer or "/"
        return f"{where}: {self.severity.value}: [{self.rule}] {self.message} (at #{pointer})"


class SpecError(Exception):
    """Raised when a spec has one or more errors; carries all of them."""

    def __init__(self, problems: Iterable[SpecProblem]) -> None:
        self.problems = sorted(problems, key=_sort_key)
        super().__init__("\n".join(str(p) for p in self.problems))


def _sort_key(problem: SpecProblem) -> tuple[str, int, str, str]:
    return (problem.file, problem.line or 0, problem.pointer, problem.message)


def display_path(path: Path) -> str:
    """A path as users should see it: relative to the working directory when possible."""
    return _display_path(path, os.getcwd())


@functools.lru_cache(maxsize=4096)
def _display_path(path: Path, cwd: str) -> str:
    # cached: bundling asks for the same few files' names for every $ref it follows, and
    # resolving a path costs a system call per component
    try:
        return str(path.resolve().relative_to(Path(cwd).resolve()))
    except ValueError:
        return str(path)
