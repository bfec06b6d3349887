"""Python names computed from spec names: one place, so templates never compute names."""

from __future__ import annotations

import functools
import importlib.metadata
import keyword
import re
import sys

from . import paths

__all__ = [
    "class_name",
    "constant_name",
    "package_name_problem",
    "qualified",
    "snake_name",
    "unique",
]

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


def package_name_problem(name: str) -> str | None:
    """Why `name` cannot be a generated package's import name, or None when it can: it must
    be a Python identifier that is no keyword and shadows no module the package imports."""
    shown = repr(name)
    if not (name.isascii() and name.isidentifier()):
        suggestion = snake_name(name) if re.search(r"[A-Za-z]", name) else ""
        hint = f" (e.g. {suggestion!r})" if suggestion and suggestion != name else ""
        return (
            f"{shown} is not a Python package name: ASCII letters, digits and _, not starting "
            f"with a digit{hint}"
        )
    if keyword.iskeyword(name):
        return f"{shown} is a Python keyword"
    if name in _PACKAGE_PARTS:
        return f"{shown} is the folder of the runtime inside every generated package"
    if name.startswith("_") or name.endswith("_"):  # PEP 508: a distribution name cannot
        distribution = name.replace("_", "-")
        return (
            f"{shown} would make the distribution name {distribution!r}, which must start "
            "and end with a letter or digit"
        )
    if name in sys.stdlib_module_names:
        return f"{shown} would shadow the standard library module {name}"
    if name in _shadowed_modules():
        return f"{shown} would shadow {name}, which the generated package depends on"
    return None


# the runtime's own folder inside every package: a package of that name would import itself
_PACKAGE_PARTS = {"_runtime"}


@functools.cache
def _shadowed_modules() -> frozenset[str]:
    """Top-level modules of the dependencies a generated package's pyproject template
    declares and of everything they depend on (as installed here)."""
    template = (paths.TEMPLATES_DIR / "package" / "pyproject.toml.jinja").read_text("utf-8")
    declared = re.search(r"^dependencies = \[(.*?)\]", template, re.M | re.S)
    wanted = re.findall(r'"([A-Za-z0-9_.-]+)', declared.group(1) if declared else "")
    distributions: set[str] = set()
    while wanted:
        dist = _canonical(wanted.pop())
        if dist in distributions:
            continue
        distributions.add(dist)
        try:
            requires = importlib.metadata.requires(dist) or []
        except importlib.metadata.PackageNotFoundError:
            continue
        wanted += [
            match.group(0)
            for need in requires
            if "extra ==" not in need and (match := re.match(r"[A-Za-z0-9_.-]+", need))
        ]
    modules = {
        module
        for module, owners in importlib.metadata.packages_distributions().items()
        if any(_canonical(owner) in distributions for owner in owners)
    }
    modules |= {dist.replace("-", "_") for dist in distributions}
    return frozenset(modules)


def _canonical(distribution: str) -> str:
    return re.sub(r"[-_.]+", "-", distribution).lower()
