"""Renames: a property that went and one that came under the same parent, alike in all but
name, are one renamed property (Overlay cannot rename a key, so the change documents
declare a rename as a `remove` plus an `update`)."""

from __future__ import annotations

from .flatten import Field

__all__ = ["renames"]


def renames(old: dict[str, Field], new: dict[str, Field]) -> dict[str, str]:
    """{old path: new path} for properties that were renamed: under a parent present in both,
    exactly one property went and one came, of the same scalar type, enum and validation."""

    def parent(path: str) -> str:
        return path.rsplit(".", 1)[0] if "." in path else ""

    gone: dict[str, list[str]] = {}
    came: dict[str, list[str]] = {}
    for path in old.keys() - new.keys():
        if path and not path.endswith("[]") and parent(path) in new:
            gone.setdefault(parent(path), []).append(path)
    for path in new.keys() - old.keys():
        if path and not path.endswith("[]") and parent(path) in old:
            came.setdefault(parent(path), []).append(path)
    found = {}
    for holder, removed in gone.items():
        added = came.get(holder, [])
        if len(removed) == 1 and len(added) == 1:
            before, after = old[removed[0]], new[added[0]]
            scalar = not ({"object", "array"} & (before.types | after.types))
            if scalar and (before.types, before.enum, before.constraints) == (
                after.types,
                after.enum,
                after.constraints,
            ):
                found[removed[0]] = added[0]
    return found
