"""The size limits every engine honours, kept apart so the registry imports nothing heavy."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DEFAULT_MAX_EDGES", "DEFAULT_MAX_NODES", "LayoutLimits"]

DEFAULT_MAX_EDGES = 2_000_000
DEFAULT_MAX_NODES = 100_000


@dataclass(frozen=True, slots=True)
class LayoutLimits:
    """Size limits that keep a mistaken spec from exhausting memory or time."""

    max_edges: int = DEFAULT_MAX_EDGES
    max_nodes: int = DEFAULT_MAX_NODES
