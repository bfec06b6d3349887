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
from .refs import escape_pointer, unescape_pointer

__all__ = [
    "SourceFile",
    "json_lines",
    "load_plain",
    "load_source",
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


# Bounds on what one file may make the loader build (README, "Bounded input"). The deepest
# real specs nest about 40 levels (a schema's properties inside properties); the budget for
# YAML aliases is far above the few shared blocks a hand-written spec repeats.
MAX_DEPTH = 1000
ALIAS_NODE_BUDGET = 100_000


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
        except (_DuplicateKey, RecursionError):
            pass  # the YAML path below reports the duplicate, or the depth, with its line
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
    data, lines, problems = _construct(loader, node, shown)
    if problems:
        raise SpecError(problems)
    return data, lines


_Task = tuple[yaml.Node, str, "int | None", int, int, Any, Any, "tuple[int, str] | None"]
_SHOWN_DEPTH = 6  # a problem about depth names the first tokens of the pointer, not 1,000


def _construct(
    loader: _Loader, root: yaml.Node, shown: str
) -> tuple[Any, dict[str, int], list[SpecProblem]]:
    """Plain data from the composed `root`, the line of every pointer, and the problems.

    A walk with its own stack (no Python recursion, so nesting is bounded by `MAX_DEPTH`,
    not by the interpreter), that counts the nodes YAML aliases repeat: past
    `ALIAS_NODE_BUDGET` it stops with one problem (an alias bomb expands exponentially).
    """
    lines: dict[str, int] = {}
    problems: list[SpecProblem] = []
    seen: set[int] = set()  # nodes met once: meeting one again is through an alias
    repeated = 0
    holder: list[Any] = [None]
    # node, pointer, line of its key (None in a sequence), the line where it is used (its
    # key's or its sequence's), depth, where to put it (container, key or index), and where
    # the alias it is repeated through is used
    stack: list[_Task] = [(root, "", None, 1, 0, holder, 0, None)]
    while stack:
        node, pointer, key_line, used_at, depth, container, slot, alias = stack.pop()
        line = key_line or node.start_mark.line + 1  # a mapping entry: the line of its key
        lines[pointer] = line
        if alias is None and id(node) in seen:
            alias = (used_at, pointer)
        if alias is not None:
            repeated += 1
            if repeated > ALIAS_NODE_BUDGET:
                message = (
                    f"YAML aliases repeat more than {ALIAS_NODE_BUDGET:,} nodes "
                    "(an alias bomb?); write the repeated part out or use a $ref"
                )
                return None, lines, [SpecProblem(shown, *alias, "yaml", message)]
        else:
            seen.add(id(node))
        if depth > MAX_DEPTH and isinstance(node, (yaml.MappingNode, yaml.SequenceNode)):
            top = "".join(f"/{t}" for t in pointer.split("/")[1:_SHOWN_DEPTH])
            message = f"nested more than {MAX_DEPTH} levels deep (at line {line}, below here)"
            start = lines.get(top, line)
            return None, lines, [SpecProblem(shown, start, top, "yaml", message)]
        if isinstance(node, yaml.MappingNode):
            out: dict[str, Any] = {}
            container[slot] = out
            children: list[_Task] = []
            keys: set[str] = set()
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
                if key in keys:
                    problems.append(
                        SpecProblem(
                            shown,
                            key_node.start_mark.line + 1,
                            child,
                            "yaml",
                            f"duplicate key {key!r}",
                        )
                    )
                    continue
                keys.add(key)
                at = key_node.start_mark.line + 1
                children.append((value_node, child, at, at, depth + 1, out, key, alias))
            stack.extend(reversed(children))  # popped in document order: keys keep theirs
        elif isinstance(node, yaml.SequenceNode):
            items: list[Any] = [None] * len(node.value)
            container[slot] = items
            stack.extend(
                (item, f"{pointer}/{index}", None, line, depth + 1, items, index, alias)
                for index, item in reversed(list(enumerate(node.value)))
            )
        else:
            container[slot] = loader.construct_object(node, deep=True)
    return holder[0], lines, problems
