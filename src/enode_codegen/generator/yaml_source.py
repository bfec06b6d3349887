"""Read one YAML or JSON file into plain data, remembering the line of every node.

The data is JSON-compatible and read as YAML 1.2: mapping keys are strings (an
unquoted `200:` is the string "200"), dates stay strings, `ON`/`no` are strings,
and a duplicate key is an error rather than a silent overwrite. `lines` maps each
JSON pointer in the file to its 1-based line (for an entry of a mapping, the line
of its key), so later stages can say where a problem is.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml

from .errors import SpecError, SpecProblem, display_path

__all__ = [
    "SourceFile",
    "escape_pointer",
    "json_lines",
    "load_plain",
    "load_source",
    "unescape_pointer",
]


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

    For JSON files lines are looked up only when problems need them, in one pass over
    the text for all of them (`prefetch`): large third-party documents load at `json`
    speed and never hold a line for every node.
    """

    path: Path
    data: Any
    line_map: Callable[[], dict[str, int]] = field(repr=False, compare=False)
    json_text: str | None = field(default=None, repr=False, compare=False)
    _found: dict[str, int] = field(default_factory=dict, repr=False, compare=False)

    @cached_property
    def lines(self) -> dict[str, int]:
        return self.line_map()

    def prefetch(self, pointers: Iterable[str]) -> None:
        """Find the lines of `pointers` (and of their ancestors) in one pass (JSON only)."""
        if self.json_text is None:
            return
        wanted = sorted({p for p in pointers if p not in self._found})
        if wanted:
            self._found.update(json_lines(self.json_text, wanted))

    def line_of(self, pointer: str) -> int | None:
        """The line of the node at `pointer`, or of its nearest ancestor that has one."""
        if self.json_text is not None:
            self.prefetch([pointer])
            table = self._found
        else:
            table = self.lines
        while True:
            if pointer in table:
                return table[pointer]
            if not pointer:
                return None
            pointer = pointer.rsplit("/", 1)[0]


_WHITESPACE = re.compile(r"[ \t\n\r]*")
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_DECODER = json.JSONDecoder()


def json_lines(text: str, pointers: Iterable[str]) -> dict[str, int]:
    """The line of each pointer (and ancestor) that exists in the JSON `text`: one pass
    that descends only along the wanted paths and skips everything else at C speed."""
    trie: dict[str, Any] = {}
    for pointer in pointers:
        node = trie
        for token in pointer.split("/")[1:]:
            node = node.setdefault(unescape_pointer(token), {})
    found: dict[str, int] = {}
    counted = [0, 1]  # offset counted up to, its line (offsets only grow)

    def line_at(offset: int) -> int:
        counted[1] += text.count("\n", counted[0], offset)
        counted[0] = offset
        return counted[1]

    def skip(offset: int) -> int:
        return _WHITESPACE.match(text, offset).end()  # type: ignore[union-attr]

    def value(offset: int, node: dict[str, Any], pointer: str) -> int:
        found[pointer] = line_at(offset)
        if not node or text[offset] not in "{[":
            return int(_DECODER.raw_decode(text, offset)[1])
        is_object = text[offset] == "{"
        offset = skip(offset + 1)
        index = 0
        while text[offset] not in "}]":
            if is_object:
                match = _JSON_STRING.match(text, offset)
                if match is None:
                    raise ValueError("not JSON")
                raw = match.group()
                key = json.loads(raw) if "\\" in raw else raw[1:-1]
                offset = skip(match.end()) + 1  # past ':'
                offset = skip(offset)
            else:
                key = str(index)
                index += 1
            child = node.get(key)
            if child is None:
                offset = int(_DECODER.raw_decode(text, offset)[1])
            else:
                offset = value(offset, child, f"{pointer}/{escape_pointer(key)}")
            offset = skip(offset)
            if text[offset] == ",":
                offset = skip(offset + 1)
        return offset + 1

    with contextlib.suppress(ValueError, IndexError):  # lines found so far still hold
        value(skip(0), trie, "")
    return found


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


def _json_mistake(exc: json.JSONDecodeError) -> tuple[int, str]:
    """(line, message) for invalid JSON; a trailing comma, the usual mistake, said plainly
    at the comma's line."""
    before = exc.doc[: exc.pos].rstrip()
    if before.endswith(",") and exc.doc[exc.pos : exc.pos + 1] in ("}", "]"):
        line = exc.doc.count("\n", 0, len(before)) + 1
        closing = "object" if exc.doc[exc.pos] == "}" else "array"
        return line, f"invalid JSON: a comma after the last item of an {closing} (JSON allows none)"
    return exc.lineno, f"invalid JSON: {exc.msg}"


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
            line, message = _json_mistake(exc)
            raise SpecError([SpecProblem(shown, line, "", "json", message)]) from None
        except _DuplicateKey:
            pass  # the YAML path below reports the duplicate with its line
        else:
            return SourceFile(path, data, lambda: _compose(text, shown)[1], text)
    data, lines = _compose(text, shown)
    return SourceFile(path, data, lambda: lines)


def load_plain(path: Path) -> Any:
    """Parse a file known to be valid (a packaged document), read as `load_source` reads it
    but without recording lines: about 8x faster, for start-up paths such as the mock's."""
    text = path.read_text(encoding="utf-8")
    if path.suffix.lower() == ".json":
        return json.loads(text)
    return yaml.load(text, Loader=_Loader)


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
