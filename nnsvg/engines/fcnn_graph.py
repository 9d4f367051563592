"""What the FCNN engine draws, and where, for chains and for networks that branch.

:func:`plan_of` lists the drawn layers (the inputs of a graph are drawn as layers of
their own, a ``concat`` is not drawn: its readers take edges from each of its inputs,
as node-edge figures show a layer fed by two groups) and the layer pairs joined by
edges. In a chain these are the layers in order and each with the next, as always.

:func:`place_ranks` places a graph: each layer goes to a rank along the flow (the
longest path from the inputs, an input just before its first reader), the layers of a
rank side by side across the flow in the order :func:`nnsvg.layering.layered` gives
(few crossings), each with its own label block, the ranks far enough apart for their
labels.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from nnsvg.layering import layered
from nnsvg.network import Network
from nnsvg.spec.model import Layer

__all__ = ["Plan", "place_ranks", "plan_of"]


@dataclass(frozen=True, slots=True)
class Plan:
    """``drawn``: (id, role, layer) per drawn layer, in drawing order; ``pairs``: the
    joined layers as indices into ``drawn``, with their ids; ``ranks``: per drawn layer
    its rank along the flow, None for a chain (placed by the engine as always)."""

    drawn: list[tuple[str, str, Layer]]
    pairs: list[tuple[int, int]]
    pair_ids: list[str]
    ranks: list[int] | None = None


def plan_of(net: Network) -> Plan:
    if net.first_branch() is None:
        layers = net.layers
        count = len(layers)
        drawn = [(f"layer-{k + 1}", _chain_role(k, count), layer) for k, layer in enumerate(layers)]
        pairs = [(k, k + 1) for k in range(count - 1)]
        return Plan(drawn, pairs, [f"{a + 1}-{b + 1}" for a, b in pairs])
    # Drawn nodes: every node but concats; a concat's readers read its inputs.
    shown = [n.index for n in net.nodes if n.kind != "concat"]
    column = {node: k for k, node in enumerate(shown)}

    def feeds(node: int) -> list[int]:
        found: list[int] = []
        for source in net.nodes[node].inputs:
            if net.nodes[source].kind == "concat":
                found += [s for s in feeds(source) if s not in found]
            elif source not in found:
                found.append(source)
        return found

    pairs = [(column[s], column[n]) for n in shown for s in feeds(n)]
    read = {a for a, _ in pairs}
    fed = {b for _, b in pairs}
    drawn = []
    for k, node in enumerate(shown):
        role = "input" if k not in fed else "output" if k not in read else "hidden"
        drawn.append((net.nodes[node].id, role, _layer_of(net, node)))
    ids = [net.nodes[n].id for n in shown]
    pair_ids = [f"{ids[a]}-{ids[b]}" for a, b in pairs]
    return Plan(drawn, pairs, pair_ids, _ranks(len(shown), pairs))


def _chain_role(k: int, count: int) -> str:
    return "input" if k == 0 else "output" if k == count - 1 else "hidden"


def _layer_of(net: Network, node: int) -> Layer:
    """A node's layer; an input drawn as a layer of its own units."""
    n = net.nodes[node]
    if n.layer is not None:
        return n.layer
    return Layer(
        index=-1,
        units=n.shape[0],
        label=n.label,
        size_label=n.size_label,
        color=n.color,
        stroke=n.stroke,
    )


def _ranks(count: int, pairs: list[tuple[int, int]]) -> list[int]:
    """Longest-path ranks (pairs go from lower to higher indices: the network's
    topological order), each source moved up to just before its first reader."""
    rank = [0] * count
    for a, b in sorted(pairs, key=lambda p: p[1]):
        rank[b] = max(rank[b], rank[a] + 1)
    for k in range(count):
        readers = [rank[b] for a, b in pairs if a == k]
        if not any(b == k for _, b in pairs) and readers:
            rank[k] = min(readers) - 1
    return rank


def place_ranks(
    plan: Plan,
    columns: list[Any],
    theme: Any,
    label_width: Callable[[int], float],
    label_height: Callable[[int], float],
    direction: str,
) -> None:
    """Set each column's ``pos`` (along the flow) and ``across`` (module docs)."""
    assert plan.ranks is not None
    ranks = plan.ranks
    order = layered(len(columns), plan.pairs, ranks=ranks).ranks
    r = theme.node.radius
    stroke = theme.node.stroke_width
    sep = theme.label.min_separation
    gap = theme.label.min_separation * 2 + 2 * r
    right = direction == "right"
    pos = 0.0
    for k, members in enumerate(order):
        shown = [m for m in members if m < len(columns)]
        if k:
            before = [m for m in order[k - 1] if m < len(columns)]
            if right:
                need = (
                    max(map(label_width, before), default=0)
                    + max(map(label_width, shown), default=0)
                ) / 2 + sep
            else:
                need = (
                    max(map(label_height, before), default=0)
                    + max(map(label_height, shown), default=0)
                ) / 2 + sep
            pos += max(theme.layer.spacing, need, 2 * r + sep)
        # Across: each layer's extent and its label block, under a column (after it
        # across the flow) or left of a row (before it).
        sizes = []
        for m in shown:
            c = columns[m]
            size = label_height(m) if right else label_width(m)
            sizes.append((c.extent + 2 * r + stroke, size + theme.layer.label_gap))
        total = sum(a + b for a, b in sizes) + gap * (len(sizes) - 1)
        at = -total / 2
        for m, (body, label) in zip(shown, sizes):
            c = columns[m]
            c.pos = pos
            at += 0.0 if right else label
            c.across = at + body / 2
            at += body + (label if right else 0.0) + gap
