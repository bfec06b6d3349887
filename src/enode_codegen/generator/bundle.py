"""Turn a multi-file spec into one self-contained OpenAPI document.

The one source's root `spec/source/openapi.yaml` points into area files and the
shared `common.yaml` (`publish.py` bundles it before applying the declared changes).
Bundling follows every `$ref`:

- a reference to `<file>#/components/<kind>/<Name>` in another file becomes
  `#/components/<kind>/<Name>` and the component is copied into the bundle
  (two different components with one name is an error);
- any other external reference (a path item, say) is inlined;
- a reference that points nowhere, or that inlines itself, is an error.

Problems do not stop the walk: a broken reference becomes `{}` (its pointer is kept
in `Bundle.broken`, so validation can drop knock-on findings there) and every
problem is collected in `Bundle.problems`. A reference into a file that does not
parse is not reported again: the file's own syntax error says what is wrong.

The bundle remembers where each of its nodes came from (`Origin`), so any later
stage can report a problem at a file, line and pointer of the source.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import SpecError, SpecProblem, display_path
from .refs import escape_pointer, resolve, split_pointer, split_ref
from .yaml_source import MAX_DEPTH, SourceFile, load_source

__all__ = ["DATA_KEYS", "Bundle", "Origin", "bundle_spec", "looks_like_schema", "schema_objects"]


@dataclass(frozen=True)
class Origin:
    """The source file and the pointer inside it that a bundled node came from."""

    file: SourceFile
    pointer: str


@dataclass
class Bundle:
    """A self-contained document plus the source location of every node."""

    root: Path
    document: dict[str, Any]
    origins: dict[str, Origin]
    files: list[Path] = field(default_factory=list)
    problems: list[SpecProblem] = field(default_factory=list)  # loading and $ref problems
    broken: frozenset[str] = frozenset()  # bundle pointers of references that could not resolve

    def under_broken(self, pointer: str) -> bool:
        """Whether `pointer` is at or below a reference that could not be resolved."""
        return any(pointer == b or pointer.startswith(b + "/") for b in self.broken)

    def locate(self, pointer: str) -> tuple[str, int | None, str]:
        """Map a pointer in the bundle to (file, line, pointer in that file)."""
        probe = pointer
        while True:
            origin = self.origins.get(probe)
            if origin is not None:
                source_pointer = origin.pointer + pointer[len(probe) :]
                return (
                    display_path(origin.file.path),
                    origin.file.line_of(source_pointer),
                    source_pointer,
                )
            if not probe:
                return display_path(self.root), None, pointer
            probe = probe.rsplit("/", 1)[0]

    def prefetch(self, pointers: Iterable[str]) -> None:
        """Look up the lines of many bundle pointers at once (one pass per JSON file)."""
        by_file: dict[int, tuple[SourceFile, list[str]]] = {}
        for pointer in pointers:
            probe = pointer
            while probe not in self.origins and probe:
                probe = probe.rsplit("/", 1)[0]
            origin = self.origins.get(probe)
            if origin is not None:
                entry = by_file.setdefault(id(origin.file), (origin.file, []))
                entry[1].append(origin.pointer + pointer[len(probe) :])
        for source, source_pointers in by_file.values():
            source.prefetch(source_pointers)

    def problem(self, pointer: str, rule: str, message: str) -> SpecProblem:
        file, line, source_pointer = self.locate(pointer)
        return SpecProblem(file, line, source_pointer, rule, message)


def bundle_spec(root: Path, *, strict: bool = True, allow_outside: Sequence[Path] = ()) -> Bundle:
    """Load `root` and everything it references.

    A `$ref` may name files in the root's folder (and below) and in `allow_outside`; a
    remote (`https://...`) one is refused. Strict: raise SpecError on any problem.
    Otherwise only a root that cannot be read raises; other problems are returned in
    `Bundle.problems` with a best-effort document.
    """
    root = root.resolve()
    folders = (root.parent, *(folder.resolve() for folder in allow_outside))
    bundle = _Bundler(root, folders).run()
    if strict and bundle.problems:
        raise SpecError(bundle.problems)
    return bundle


# a step of the walk: value, its file and pointer there, its pointer in the bundle, the
# inlined references it is inside, whether its origin is recorded, where the copy goes
_Step = tuple[Any, SourceFile, str, str, "Chain", bool, Any, Any]
Chain = tuple[str, ...]  # the (file#pointer)s being inlined, outermost first
_URI_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]+:")  # `https:`, not a file name (nor `C:`)
_NOT_IN_NAME = re.compile(r"[^A-Za-z0-9._-]")  # what a component name may not hold
_SHOWN_DEPTH = 7  # a problem about depth names the first tokens of the pointer, not 1,000
_SCHEMA_KEYS = frozenset(
    ("type", "properties", "items", "allOf", "oneOf", "anyOf", "enum", "const", "$ref", "format")
)


def _contains_itself(value: Any) -> bool:
    """Whether `value`, reached again while inlining it, is a schema holding itself (a tree),
    not a chain of references that never reaches a schema."""
    return looks_like_schema(value) and bool((_SCHEMA_KEYS - {"$ref"}) & value.keys())


def looks_like_schema(value: Any) -> bool:
    """Whether `value` is an object with a keyword only a schema has."""
    return isinstance(value, dict) and bool(_SCHEMA_KEYS & value.keys())


class _Bundler:
    def __init__(self, root: Path, folders: tuple[Path, ...]) -> None:
        self.root = root
        self.folders = folders  # where references may lead: the root's folder first
        self.files: dict[Path, SourceFile] = {}
        self.unreadable: set[Path] = set()
        self.origins: dict[str, Origin] = {}
        self.problems: list[SpecProblem] = []
        # (kind, name) -> (file, pointer) of the component copied under that name
        self.hoisted: dict[tuple[str, str], tuple[Path, str]] = {}
        self.pending: list[tuple[str, str, Path, str]] = []
        self.broken: set[str] = set()

    def run(self) -> Bundle:
        source = self.load(self.root)
        if not isinstance(source.data, dict):
            raise SpecError(
                [
                    SpecProblem(
                        display_path(self.root), 1, "", "structure", "the root must be a mapping"
                    )
                ]
            )
        for kind, entries in (source.data.get("components") or {}).items():
            for name in entries or {}:
                pointer = f"/components/{escape_pointer(kind)}/{escape_pointer(name)}"
                self.hoisted[(kind, name)] = (self.root, pointer)
        document = self.walk(source.data, source, "", "", ())
        components = document.setdefault("components", {})
        while self.pending:
            kind, name, path, pointer = self.pending.pop(0)
            target = self.files[path]
            value = resolve(target.data, pointer)
            out_pointer = f"/components/{escape_pointer(kind)}/{escape_pointer(name)}"
            # the component's own pointer is on the chain: a reference to it inside it is
            # to the component, never an inlined copy of itself
            components.setdefault(kind, {})[name] = self.walk(
                value, target, pointer, out_pointer, (f"{path}#{pointer}",)
            )
        for kind in components.values():
            if isinstance(kind, dict):
                ordered = dict(sorted(kind.items()))
                kind.clear()
                kind.update(ordered)
        return Bundle(
            self.root,
            document,
            self.origins,
            sorted(self.files),
            list(dict.fromkeys(self.problems)),
            frozenset(self.broken),
        )

    def load(self, path: Path) -> SourceFile:
        if path not in self.files:
            self.files[path] = load_source(path)
        return self.files[path]

    def walk(self, value: Any, source: SourceFile, pointer: str, out: str, inlining: Chain) -> Any:
        """Copy `value` to `out` in the bundle, following references.

        The origin is recorded where a walk enters a (file, pointer) from elsewhere;
        below that, bundle and source pointers share their suffix (see `Bundle.locate`).
        A loop over a stack of steps, not recursion: nesting is bounded by `MAX_DEPTH`
        (yaml_source.py), not by Python's recursion limit.
        """
        holder: list[Any] = [None]
        stack: list[_Step | Callable[[], None]] = [
            (value, source, pointer, out, inlining, True, holder, 0)
        ]
        while stack:
            step = stack.pop()
            if callable(step):  # work left for after a subtree: merging a $ref's siblings
                step()
                continue
            value, source, pointer, out, inlining, entry, container, slot = step
            if entry:
                self.origins[out] = Origin(source, pointer)
            if isinstance(value, list):
                items: list[Any] = [None] * len(value)
                container[slot] = items
                stack.extend(
                    (item, source, f"{pointer}/{i}", f"{out}/{i}", inlining, False, items, i)
                    for i, item in reversed(list(enumerate(value)))
                )
            elif not isinstance(value, dict):
                container[slot] = value  # scalars are immutable
            elif out.count("/") > MAX_DEPTH:
                container[slot] = self.too_deep(source, pointer, out)
            elif isinstance(value.get("$ref"), str):
                self.follow(value, source, pointer, out, inlining, (container, slot), stack)
            else:
                self.copy(value, source, pointer, out, inlining, (container, slot), stack)
        return holder[0]

    def copy(
        self,
        value: dict[str, Any],
        source: SourceFile,
        pointer: str,
        out: str,
        inlining: Chain,
        slot: tuple[Any, Any],
        stack: list[_Step | Callable[[], None]],
    ) -> None:
        """Put a copy of the object `value` in `slot`, its entries (but `$ref`) still to walk."""
        result: dict[str, Any] = dict.fromkeys(value)  # keys keep their order
        slot[0][slot[1]] = result
        steps: list[_Step | Callable[[], None]] = []
        for key, item in value.items():
            if key == "$ref":
                result[key] = item
                continue
            child_out = f"{out}/{escape_pointer(key)}"
            child_pointer = f"{pointer}/{escape_pointer(key)}"
            steps.append((item, source, child_pointer, child_out, inlining, False, result, key))
        stack.extend(reversed(steps))

    def too_deep(self, source: SourceFile, pointer: str, out: str) -> dict[str, Any]:
        self.broken.add(out)
        if not any(p.rule == "depth" for p in self.problems):
            top = "/".join(pointer.split("/")[:_SHOWN_DEPTH])
            message = f"nested more than {MAX_DEPTH} levels deep once $refs are inlined"
            where = display_path(source.path)
            self.problems.append(SpecProblem(where, source.line_of(top), top, "depth", message))
        return {}

    def follow(
        self,
        value: dict[str, Any],
        source: SourceFile,
        pointer: str,
        out: str,
        inlining: Chain,
        slot: tuple[Any, Any],
        stack: list[_Step | Callable[[], None]],
    ) -> None:
        ref: str = value["$ref"]
        where = display_path(source.path)
        file_part, target_pointer = split_ref(ref)

        def report(message: str, *, knock_on: bool = False, broken: bool = True) -> None:
            if broken:
                self.broken.add(out)
                slot[0][slot[1]] = {}
            if knock_on:
                return
            line = source.line_of(f"{pointer}/$ref")  # only now: JSON line maps are built lazily
            self.problems.append(SpecProblem(where, line, pointer, "ref", message))

        if _URI_SCHEME.match(file_part):
            return report(
                f"remote $ref {ref!r}: not supported (only files next to the spec are read)"
            )
        target_path = (source.path.parent / file_part).resolve() if file_part else source.path
        if not any(target_path.is_relative_to(folder) for folder in self.folders):
            return report(
                f"$ref {ref!r} points outside the spec's folder {display_path(self.folders[0])}"
                " (--allow-ref-outside DIR allows another folder)"
            )
        if target_pointer and not target_pointer.startswith("/"):
            return report(f"$ref {ref!r}: fragment must be a JSON pointer")
        missing = f"dangling $ref {ref!r}: {display_path(target_path)} cannot be loaded"
        if target_path in self.unreadable:
            return report(missing, knock_on=target_path.exists())
        try:
            target = self.load(target_path)
        except SpecError as exc:
            self.unreadable.add(target_path)
            self.problems.extend(exc.problems)
            # a file that is there but does not parse: its syntax error is the one to fix
            return report(missing, knock_on=target_path.exists())
        try:
            resolved = resolve(target.data, target_pointer)
        except KeyError:
            return report(
                f"dangling $ref {ref!r}: nothing at #{target_pointer} "
                f"in {display_path(target_path)}"
            )
        tokens = split_pointer(target_pointer)
        key = f"{target_path}#{target_pointer}"
        if key in inlining and _contains_itself(resolved):
            # a schema that contains itself through another file (`items: {$ref: Node.yaml}`
            # in Node.yaml): legal recursion, so the schema becomes a component of its own
            name = _NOT_IN_NAME.sub("_", tokens[-1] if tokens else target_path.stem)
            tokens = ["components", "schemas", name]
        if len(tokens) == 3 and tokens[0] == "components":
            kind, name = tokens[1], tokens[2]
            known = self.hoisted.get((kind, name))
            if known is None:
                self.hoisted[(kind, name)] = (target_path, target_pointer)
                self.pending.append((kind, name, target_path, target_pointer))
            elif known != (target_path, target_pointer):
                report(
                    broken=False,
                    message=f"component name collision: {kind}/{name} is defined in both "
                    f"{display_path(known[0])} and {display_path(target_path)}",
                )
            rewritten = dict(value)
            rewritten["$ref"] = f"#/components/{escape_pointer(kind)}/{escape_pointer(name)}"
            return self.copy(rewritten, source, pointer, out, inlining, slot, stack)
        if target_path == self.root and file_part == "":
            if f"#{target_pointer}" != ref:  # later stages read the decoded pointer
                value = {**value, "$ref": f"#{target_pointer}"}
            return self.copy(value, source, pointer, out, inlining, slot, stack)
        if key in inlining:
            chain = " -> ".join([*inlining, key])
            return report(f"circular $ref {ref!r}: {chain}")
        siblings = {k: v for k, v in value.items() if k != "$ref"}
        if siblings:

            def merge_siblings() -> None:
                inlined = slot[0][slot[1]]
                if isinstance(inlined, dict):
                    slot[0][slot[1]] = {**inlined, **copy.deepcopy(siblings)}

            stack.append(merge_siblings)
        stack.append((resolved, target, target_pointer, out, (*inlining, key), True, *slot))
        return None


# keys whose values are data (a schema's example, default, allowed values), never schemas
DATA_KEYS = ("example", "examples", "default", "enum", "const")


def schema_objects(node: Any) -> Iterator[dict[str, Any]]:
    """Every object in a document or schema, parents first, not inside data (`DATA_KEYS`).
    An object may be changed when it is yielded: its children are read after that."""
    if isinstance(node, list):
        for item in node:
            yield from schema_objects(item)
    elif isinstance(node, dict):
        yield node
        for key, value in node.items():
            if key not in DATA_KEYS:
                yield from schema_objects(value)
