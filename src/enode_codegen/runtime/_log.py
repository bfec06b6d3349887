"""The `enode` logger. Records carry method, path, status, duration and attempt; never
headers, bodies, secrets or tokens."""

from __future__ import annotations

import logging

__all__ = ["logger"]

logger = logging.getLogger("enode")
