"""The figures, in the order they run: id -> (title, function taking a Context)."""

from __future__ import annotations

from collections.abc import Callable

from ..common import Context, Figure
from . import client, contract, generation, imports, mock, startup, webhooks

__all__ = ["FIGURES"]

FIGURES: dict[str, tuple[str, Callable[[Context], Figure]]] = {
    "generation": ("Full generation of all four versions (cold)", generation.full_generation),
    "regeneration": ("Regeneration when nothing changed", generation.regeneration),
    "large-spec": ("A large public spec: GitHub REST API", generation.large_spec),
    "large-spec-1core": ("GitHub REST API on one core", generation.large_spec_one_core),
    "synthetic": ("A synthetic spec of 5,000 operations", generation.synthetic_spec),
    "client-call": ("Per-call overhead of a generated client", client.call_overhead),
    "list-parse": ("Parsing a 1,000-item list response", client.list_parsing),
    "mock": ("Mock requests/s and latency", mock.throughput),
    "mock-startup": ("Mock start-up until the first answer", startup.mock_startup),
    "webhooks": ("Mock webhook deliveries and request latency", webhooks.deliveries),
    "imports": ("Import time of a generated package", imports.import_time),
    "contract": ("Contract suite, ci profile", contract.contract_suite),
}
