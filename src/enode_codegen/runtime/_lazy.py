"""Modules loaded on first use, so importing a client package stays cheap.

A package's `models` module defines a hundred or more pydantic classes; building
them costs more than importing httpx. `lazy_module("pkg.models")` registers the
module and runs it only when one of its attributes is first read (the standard
library's `importlib.util.LazyLoader`).
"""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType

__all__ = ["lazy_module"]


def lazy_module(name: str) -> ModuleType:
    """`name`, imported now if it already was, otherwise loaded on first attribute access."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        raise ModuleNotFoundError(f"No module named {name!r}", name=name)
    loader = importlib.util.LazyLoader(spec.loader)
    spec.loader = loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    loader.exec_module(module)
    return module
