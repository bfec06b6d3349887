"""JSON pointers (RFC 6901) and local `$ref`s: the one place that escapes, splits, resolves
and follows them, for the generator, the mock and the contract suite alike.

A pointer is `""` (the whole document) or `/token/token...`, each token escaped (`~` as
`~0`, `/` as `~1`). A local `$ref` is `#` plus a pointer, possibly percent-encoded (it is a
URI fragment: `#/paths/~1chargers~1%7Bid%7D`). Bundling (`bundle.py`) turns every reference
of a spec into a local one, so the later stages only ever follow local references.

`tests/test_refs.py` checks that no other module of `src/` escapes tokens or follows a
`$ref` chain by itself.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterable, Sequence
from typing import Any

__all__ = [
    "MAX_HOPS",
    "RefError",
    "deref",
    "escape_pointer",
    "follow",
    "join_pointer",
    "locate",
    "resolve",
    "split_pointer",
    "split_ref",
    "unescape_pointer",
]

# A chain of references this long is circular (`A: {$ref: B}`, `B: {$ref: A}`); validation
# reports such chains, the readers of a validated document just stop.
MAX_HOPS = 50


class RefError(ValueError):
    """A reference that cannot be followed: not local, pointing nowhere, or circular."""

    def __init__(self, message: str, pointer: str) -> None:
        super().__init__(message)
        self.pointer = pointer  # the pointer the failed hop tried to reach


def escape_pointer(token: str) -> str:
    """One pointer token: `~` as `~0`, then `/` as `~1` (RFC 6901, section 3)."""
    return token.replace("~", "~0").replace("/", "~1")


def unescape_pointer(token: str) -> str:
    """The inverse of `escape_pointer`: `~1` first, then `~0` (RFC 6901, section 4)."""
    return token.replace("~1", "/").replace("~0", "~")


def join_pointer(tokens: Iterable[str | int]) -> str:
    """The pointer of the node reached by `tokens` (keys or indexes) from the root."""
    return "".join(f"/{escape_pointer(str(token))}" for token in tokens)


def split_pointer(pointer: str) -> list[str]:
    """The unescaped tokens of `pointer` (`""` -> [])."""
    return [unescape_pointer(token) for token in pointer.split("/")[1:]]


def split_ref(ref: str) -> tuple[str, str]:
    """A `$ref` as written in a source file, as (file part, decoded pointer):
    `a.yaml#/x%7By%7D` -> (`a.yaml`, `/x{y}`); the file part is `""` for a local reference.
    Bundling writes the references it keeps decoded, so `follow` reads them as they are."""
    file_part, _, fragment = ref.partition("#")
    return file_part, urllib.parse.unquote(fragment)


def resolve(document: Any, pointer: str) -> Any:
    """The node at `pointer` in `document`; KeyError(pointer) when there is none."""
    node = document
    for token in split_pointer(pointer):
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            raise KeyError(pointer)
    return node


def follow(document: Any, node: Any, pointer: str = "") -> tuple[Any, str]:
    """`node` (found at `pointer`) with its chain of local `$ref`s followed through
    `document`: the target and its pointer. RefError when a reference is not local,
    leads nowhere, or the chain is circular."""
    for _ in range(MAX_HOPS):
        ref = node.get("$ref") if isinstance(node, dict) else None
        if not isinstance(ref, str):
            return node, pointer
        if not ref.startswith("#"):
            raise RefError(f"unresolved non-local $ref {ref!r} at {pointer}", pointer)
        target = ref[1:]  # bundled: already decoded (see `split_ref`)
        try:
            node = resolve(document, target)
        except KeyError:
            raise RefError(f"dangling $ref {ref!r} at {pointer}", target) from None
        pointer = target
    raise RefError(f"$ref chain too long (circular) at {pointer}", pointer)


def deref(document: Any, node: Any) -> dict[str, Any]:
    """`node` with its chain of local `$ref`s followed; {} when the chain leads nowhere
    or to something that is not an object."""
    try:
        target, _ = follow(document, node)
    except RefError:
        return {}
    return target if isinstance(target, dict) else {}


def locate(document: Any, parts: Sequence[str]) -> str:
    """The pointer of the node that the path `parts` (keys, indexes as text) reaches from
    the root, stepping through a local `$ref` wherever the path goes on past one (as a
    validator walking the document does). Where the path leaves the document, the rest
    of it is appended as written."""
    node: Any = document
    pointer = ""
    for index, part in enumerate(parts):
        for _ in range(MAX_HOPS):
            ref = node.get("$ref") if isinstance(node, dict) else None
            if not (isinstance(ref, str) and ref.startswith("#/") and part not in node):
                break
            try:
                node, pointer = resolve(document, ref[1:]), ref[1:]
            except KeyError:
                break
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return pointer + join_pointer(parts[index:])
        pointer += f"/{escape_pointer(part)}"
    return pointer
