"""Python names computed from spec names: one place, so templates never compute names."""

from __future__ import annotations

import keyword
import re

__all__ = ["class_name", "constant_name", "qualified", "snake_name", "unique"]

_WORDS = re.compile(r"[A-Z]+(?=[A-Z][a-z0-9])|[A-Z]?[a-z0-9]+|[A-Z]+|[0-9]+")
# besides keywords: names the generated methods use in their bodies (`cast`, `models.X`, ...)
_RESERVED = (
    set(keyword.kwlist)
    | set(keyword.softkwlist)
    | {"self", "cls", "options", "builtins", "cast", "warnings", "models", "dict", "error_models"}
)


def _words(text: str) -> list[str]:
    return _WORDS.findall(re.sub(r"[^0-9A-Za-z]+", " ", text))


def snake_name(text: str) -> str:
    """`batteryId` -> `battery_id`, `Enode-Version` -> `enode_version`; never a keyword."""
    name = "_".join(word.lower() for word in _words(text)) or "value"
    if name[0].isdigit():
        name = f"n_{name}"
    return f"{name}_" if name in _RESERVED else name


def class_name(text: str) -> str:
    """`battery charge-state` -> `BatteryChargeState`; a valid, non-keyword identifier."""
    name = "".join(word[:1].upper() + word[1:] for word in _words(text)) or "Model"
    if name[0].isdigit():
        name = f"M{name}"
    return f"{name}_" if keyword.iskeyword(name) else name


def constant_name(text: str) -> str:
    """`PLUGGED_IN:CHARGING` -> `PLUGGED_IN_CHARGING`."""
    return snake_name(text).upper().rstrip("_") or "VALUE"


def unique(name: str, taken: set[str]) -> str:
    """`name`, or `name` with the smallest numeric suffix not in `taken`; records the result."""
    candidate, index = name, 2
    while candidate in taken:
        candidate = f"{name}{index}"
        index += 1
    taken.add(candidate)
    return candidate


_LETTERS = "BCDEFGHIJKLMNOPQRSTUVWXYZ"


def qualified(name: str, taken: set[str], qualifiers: tuple[str, ...]) -> str:
    """`name`, or `name` with the first of `qualifiers` (what the thing is: `Enum`, `Object`)
    that makes it free; records the result. Class names never get a number: the last
    resort is a letter (`NameB`)."""
    for candidate in (name, *(name + q for q in qualifiers if not name.endswith(q))):
        if candidate not in taken:
            taken.add(candidate)
            return candidate
    suffixes: list[str] = [*_LETTERS, *(a + b for a in _LETTERS for b in _LETTERS)]
    for suffix in suffixes:
        candidate = f"{name}{suffix}"
        if candidate not in taken:
            taken.add(candidate)
            return candidate
    raise ValueError(f"no free class name for {name}")
