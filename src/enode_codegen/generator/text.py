"""Text from a spec made safe to render: descriptions, summaries and titles.

Specs carry tabs, trailing spaces, control characters, backslashes and quotes in
their prose; none of that may break a generated file or make the formatter fail.
`plain` normalises whitespace and drops control characters; `docstring` and
`doc_line` also escape what would end or bend a Python docstring.
"""

from __future__ import annotations

import re
import textwrap
import unicodedata
from typing import Any

from .bundle import schema_objects

__all__ = ["doc_line", "docstring", "normalise_prose", "plain"]

_PROSE_KEYS = ("description", "summary", "title")


def plain(text: Any) -> str:
    """`text` with tabs as spaces, no trailing whitespace, no control characters (other
    than newlines), Unicode line breaks as newlines; "" for anything but a string."""
    if not isinstance(text, str):
        return ""
    text = re.sub(r"\r\n?|[\u2028\u2029\x85\x0b\x0c]", "\n", text).expandtabs(4)
    text = "".join(c for c in text if c == "\n" or unicodedata.category(c) != "Cc")
    return "\n".join(line.rstrip() for line in text.split("\n")).strip()


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def doc_line(text: Any) -> str:
    """One docstring-safe line."""
    return _escape(" ".join(plain(text).split()))


def docstring(text: Any, width: int = 88) -> str:
    """Docstring-safe text wrapped to `width`; list items (`- ...`) keep their own lines
    and hang their continuation."""
    lines: list[str] = []
    for line in _escape(plain(text)).splitlines():
        bullet = re.match(r"^(\s*(?:[-*]|\d+\.)\s+)", line)
        indent = " " * len(bullet.group(1)) if bullet else ""
        lines.extend(
            textwrap.wrap(
                line,
                width,
                subsequent_indent=indent,
                break_long_words=False,
                break_on_hyphens=False,
            )
            or [""]
        )
    return "\n".join(lines)


def normalise_prose(document: Any) -> None:
    """Apply `plain` in place to every description, summary and title in a document."""
    for node in schema_objects(document):
        for key in _PROSE_KEYS:
            if isinstance(node.get(key), str):
                node[key] = plain(node[key])
