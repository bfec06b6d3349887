"""Run a call that recurses once per nesting level of a spec, on a stack deep enough for it.

Python stops at 1,000 frames by default. The loader and bundler walk without recursion and
refuse files nested more than `MAX_DEPTH` levels (yaml_source.py), but the OpenAPI and JSON
Schema validators recurse: about seven frames per level, so a valid schema 70 levels deep
stopped them. `deep_call` runs its function in a thread with a 512 MiB stack (address space,
touched only as used) and a recursion limit to match, restored afterwards.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from .yaml_source import MAX_DEPTH

__all__ = ["deep_call"]

T = TypeVar("T")
P = ParamSpec("P")

FRAMES_PER_LEVEL = 20  # measured about 7 for openapi-spec-validator on 3.1; room to spare
_STACK_BYTES = 512 * 1024 * 1024
_lock = threading.Lock()  # one deep call at a time: the limit and stack size are global
_inside = threading.local()


def deep_call(function: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """`function(*args, **kwargs)`, run where `MAX_DEPTH` levels of nesting fit on the stack."""
    if getattr(_inside, "deep", False):
        return function(*args, **kwargs)
    outcome: list[T] = []
    failure: list[BaseException] = []

    def run() -> None:
        _inside.deep = True
        try:
            outcome.append(function(*args, **kwargs))
        except BaseException as exc:  # handed to the caller's thread as it is
            failure.append(exc)

    with _lock:
        limit = sys.getrecursionlimit()
        stack_size = threading.stack_size()
        try:
            sys.setrecursionlimit(max(limit, MAX_DEPTH * FRAMES_PER_LEVEL))
            threading.stack_size(_STACK_BYTES)
            worker = threading.Thread(target=run, name="enode-codegen-deep", daemon=True)
            worker.start()
        finally:
            threading.stack_size(stack_size)
        try:
            worker.join()
        finally:
            sys.setrecursionlimit(limit)
    if failure:
        raise failure[0]
    return outcome[0]
