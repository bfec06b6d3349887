"""Keyset pagination with opaque cursors.

A cursor is the URL-safe base64 of `v1:<sequence number>` of the item at a page edge;
`after` returns the items following it, `before` the items preceding it. Items keep their
place when others are added or deleted. Sending both cursors, or a cursor this mock did
not issue, is a 400.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from .problems import ProblemError
from .schemas import Issue

__all__ = ["decode_cursor", "encode_cursor", "paginate"]

T = TypeVar("T")
_PREFIX = "v1:"


def encode_cursor(seq: int) -> str:
    return base64.urlsafe_b64encode(f"{_PREFIX}{seq}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str, name: str) -> int:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        text = base64.urlsafe_b64decode(padded.encode("ascii")).decode("ascii")
        if text.startswith(_PREFIX) and text[len(_PREFIX) :].isdigit():
            return int(text[len(_PREFIX) :])
    except (binascii.Error, UnicodeError, ValueError):
        pass
    message = f"{cursor[:40]!r} is not a cursor issued by this API"
    raise ProblemError(
        400,
        f"query.{name}: {message}",
        title="Invalid cursor",
        issues=[Issue(message, ("query", name))],
    )


def paginate(
    items: Sequence[T], seq_of: Callable[[T], int], query: dict[str, Any]
) -> tuple[list[T], dict[str, str | None]]:
    """One page of `items` (ordered by `seq_of`) and its `{after, before}` cursors."""
    after = query.get("after")
    before = query.get("before")
    size = int(query.get("pageSize") or 50)
    if after is not None and before is not None:
        message = "send at most one of 'after' and 'before'"
        raise ProblemError(
            400,
            f"query: {message}",
            title="Invalid pagination",
            issues=[Issue(message, ("query", "after")), Issue(message, ("query", "before"))],
        )
    ordered = sorted(items, key=seq_of)
    seqs = [seq_of(item) for item in ordered]
    if after is not None:
        mark = decode_cursor(str(after), "after")
        start = next((i for i, s in enumerate(seqs) if s > mark), len(seqs))
        end = min(start + size, len(seqs))
    elif before is not None:
        mark = decode_cursor(str(before), "before")
        end = next((i for i, s in enumerate(seqs) if s >= mark), len(seqs))
        start = max(0, end - size)
    else:
        start, end = 0, min(size, len(seqs))
    page = list(ordered[start:end])
    if page:
        next_cursor = encode_cursor(seqs[end - 1]) if end < len(seqs) else None
        previous = encode_cursor(seqs[start]) if start > 0 else None
    else:  # an empty page past either end still points back to the items there are
        next_cursor = encode_cursor(seqs[end] - 1) if end < len(seqs) else None
        previous = encode_cursor(seqs[start - 1] + 1) if start > 0 else None
    return page, {"after": next_cursor, "before": previous}
