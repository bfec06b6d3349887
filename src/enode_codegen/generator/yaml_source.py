"""Read one YAML or JSON file into plain data, remembering the line of every node.

The data is JSON-compatible and read as YAML 1.2: mapping keys are strings (an
unquoted `200:` is the string "200"), dates stay strings, `ON`/`no` are strings,
and a duplicate key is an error rather than a silent overwrite. `lines` maps each
JSON pointer in the file to its 1-based line (for an entry of a mapping, the line
of its key), so later stages can say where a problem is.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml

from .errors import SpecError, SpecProblem, display_path

__all__ = ["SourceFile", "escape_pointer", "load_source", "unescape_pointer"]


_BaseLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available


class _Loader(_BaseLoader):  # type: ignore[misc]
    """SafeLoader read as YAML 1.2, which OpenAPI documents are: `2023-04-01` stays a string
    (no timestamps) and only true/false are booleans (`ON`, `off`, `yes` stay strings)."""


_BOOL = "tag:yaml.org,2002:bool"
_Loader.yaml_implicit_resolvers = {
    first: [
        (tag, regexp)
        for tag, regexp in resolvers
        if tag not in ("tag:yaml.org,2002:timestamp", _BOOL)
    ]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
for _first in "tTfF":
    _Loader.yaml_implicit_resolvers.setdefault(_first, []).insert(
        0, (_BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"))
    )


@dataclass(frozen=True)
class SourceFile:
    """A parsed spec file and where each of its nodes came from.

    For JSON files the line map is built only when a problem needs a line: large
    third-party documents load at `json` speed.
    """

    path: Path
    data: Any
    line_map: Callable[[], dict[str, int]] = field(repr=False, compare=False)

    @cached_property
    def lines(self) -> dict[str, int]:
        return self.line_map()

    def line_of(self, pointer: str) -> int | None:
        """The line of the node at `pointer`, or of its nearest ancestor that has one."""
        while True:
            if pointer in self.lines:
                return self.lines[pointer]
            if not pointer:
                return None
            pointer = pointer.rsplit("/", 1)[0]


def escape_pointer(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def unescape_pointer(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


class _DuplicateKey(Exception):
    pass


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise _DuplicateKey
    return result


def load_source(path: Path) -> SourceFile:
    """Parse `path`; raise SpecError naming the file and line on any syntax problem."""
    shown = display_path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SpecError([SpecProblem(shown, None, "", "file", "file not found")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecError([SpecProblem(shown, None, "", "file", f"cannot read: {exc}")]) from None
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(text, object_pairs_hook=_no_duplicates)
        except json.JSONDecodeError as exc:
            raise SpecError(
                [SpecProblem(shown, exc.lineno, "", "json", f"invalid JSON: {exc.msg}")]
            ) from None
        except _DuplicateKey:
            pass  # the YAML path below reports the duplicate with its line
        else:
            return SourceFile(path, data, lambda: _compose(text, shown)[1])
    data, lines = _compose(text, shown)
    return SourceFile(path, data, lambda: lines)


def _compose(text: str, shown: str) -> tuple[Any, dict[str, int]]:
    """Parse YAML (or JSON) text node by node, recording the line of every pointer."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        message = " ".join(str(part) for part in (exc.context, exc.problem) if part)
        raise SpecError(
            [SpecProblem(shown, line, "", "yaml", f"invalid YAML: {message}")]
        ) from None
    finally:
        loader.dispose()
    if node is None:
        raise SpecError([SpecProblem(shown, 1, "", "yaml", "the file is empty")])
    lines: dict[str, int] = {}
    problems: list[SpecProblem] = []
    data = _construct(loader, node, "", lines, problems, shown)
    if problems:
        raise SpecError(problems)
    return data, lines


def _construct(
    loader: _Loader,
    node: yaml.Node,
    pointer: str,
    lines: dict[str, int],
    problems: list[SpecProblem],
    shown: str,
    line: int | None = None,
) -> Any:
    lines[pointer] = line or node.start_mark.line + 1  # a mapping entry: the line of its key
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                problems.append(
                    SpecProblem(
                        shown,
                        key_node.start_mark.line + 1,
                        pointer,
                        "yaml",
                        "a mapping key must be a scalar",
                    )
                )
                continue
            key = str(key_node.value)
            child = f"{pointer}/{escape_pointer(key)}"
            if key in out:
                problems.append(
                    SpecProblem(
                        shown, key_node.start_mark.line + 1, child, "yaml", f"duplicate key {key!r}"
                    )
                )
                continue
            out[key] = _construct(
                loader, value_node, child, lines, problems, shown, key_node.start_mark.line + 1
            )
        return out
    if isinstance(node, yaml.SequenceNode):
        return [
            _construct(loader, item, f"{pointer}/{index}", lines, problems, shown)
            for index, item in enumerate(node.value)
        ]
    return loader.construct_object(node, deep=True)
