"""Redaction: every secret the run knows (client secret, tokens, webhook secret and headers)
and any bearer or basic credential, replaced before text reaches a report or a terminal."""

from __future__ import annotations

import re
import threading

__all__ = ["REDACTOR", "Redactor"]


class Redactor:
    """Replaces every secret the run knows (client secret, tokens) and any bearer token."""

    _BEARER = re.compile(r"(?i)(bearer\s+)(?!\$ENODE_TOKEN)[A-Za-z0-9._~+/=-]{8,}")
    _BASIC = re.compile(r"(?i)(basic\s+)[A-Za-z0-9+/=]{8,}")
    _AUTH_HEADER = re.compile(r"""-H\s+(['"])Authorization:\s*[^'"]*\1""")

    def __init__(self) -> None:
        self._secrets: set[str] = set()
        self._lock = threading.Lock()

    def add(self, secret: str | None) -> None:
        if secret and len(secret) >= 4:
            with self._lock:
                self._secrets.add(secret)

    def __call__(self, text: str) -> str:
        with self._lock:
            secrets = sorted(self._secrets, key=len, reverse=True)
        for secret in secrets:
            text = text.replace(secret, "[REDACTED]")
        text = self._AUTH_HEADER.sub('-H "Authorization: Bearer $ENODE_TOKEN"', text)
        text = self._BEARER.sub(r"\1[REDACTED]", text)
        return self._BASIC.sub(r"\1[REDACTED]", text)


REDACTOR = Redactor()
