"""Repeated blocks collapsed into groups (``{group: X, repeat: N, layers: [...]}``).

Run on a folded graph written in the blocks style (the only style that draws groups).
Two ways to find the repeats, both on each op's *signature*: its kind, its attributes,
its shape, and where its inputs are relative to it (so two blocks match when they are
built alike and wired alike):

- by name scope: the ops of ``layer3.1.conv1``, ``layer3.1.add``... form the instance
  ``layer3.1`` (a torch module path; Keras' ``conv4_block2_...`` too); consecutive
  instances of one stage (``layer3``) with equal signatures are one group. ResNet-50's
  stages become a first block (it downsamples: another signature) and a group of the
  rest (``layer3`` ×5);
- else a tandem-repeat search on the list of signatures: the period ``p`` and count
  ``k`` that save the most ops (``p·(k−1)``), then the same on each side. For each ``p``
  a vectorised comparison of the list with itself shifted by ``p``: O(n·p) steps in
  numpy, fast for thousands of ops.

The first instance of a group is kept; the others are removed, and whatever read them
reads the kept instance's matching op (same shape, by the signature).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from nnsvg.importers.ir import Graph, Op

__all__ = ["Group", "collapse", "scope_of"]

_DOTTED = re.compile(r"(.*?\.\d+)\.")
_KERAS = re.compile(r"(.*?_block\d+)_")
MIN_SAVED = 2  # a repeat is collapsed when it saves at least this many ops


@dataclass(frozen=True)
class Group:
    """A collapsed repeat: its first op's id, its ops (one instance), the count."""

    first: str
    ops: tuple[str, ...]
    repeat: int
    label: str
    note: str


def scope_of(name: str) -> str | None:
    """The block a layer name belongs to, if its name says.

    >>> scope_of("layer3.1.conv1"), scope_of("conv4_block2_1_conv"), scope_of("fc")
    ('layer3.1', 'conv4_block2', None)
    """
    match = _DOTTED.match(name) or _KERAS.match(name)
    return match.group(1) if match else None


def _stage(scope: str) -> str:
    """``layer3.1`` -> ``layer3``; ``conv4_block2`` -> ``conv4``."""
    return re.sub(r"(_block)?[._]?\d+\Z", "", scope) or scope


def _freeze(value: Any) -> Any:
    if isinstance(value, dict):
        return tuple(sorted((k, _freeze(v)) for k, v in value.items() if k != "label"))
    if isinstance(value, (list, tuple)):
        return tuple(_freeze(v) for v in value)
    return value


def _signatures(ops: list[Op], index: dict[str, int]) -> list[int]:
    """Each op's signature as a small int (equal ints: equal signatures)."""
    table: dict[Any, int] = {}
    out = []
    for k, op in enumerate(ops):
        key = (op.kind, _freeze(op.attrs), op.shape, tuple(k - index[i] for i in op.inputs))
        out.append(table.setdefault(key, len(table)))
    return out


def _by_scope(ops: list[Op], sigs: list[int]) -> list[tuple[int, int, int, str, str]]:
    """(start, period, count, label, note) of each run of equal scoped instances."""
    instances: list[tuple[int, int, str]] = []  # start, end, scope
    for k, op in enumerate(ops):
        scope = scope_of(op.name)
        if scope is None:
            continue
        if instances and instances[-1][2] == scope and instances[-1][1] == k:
            instances[-1] = (instances[-1][0], k + 1, scope)
        else:
            instances.append((k, k + 1, scope))
    found = []
    k = 0
    while k < len(instances):
        start, end, scope = instances[k]
        body = sigs[start:end]
        j = k + 1
        while j < len(instances):
            s2, e2, scope2 = instances[j]
            prev_end = instances[j - 1][1]
            if s2 != prev_end or _stage(scope2) != _stage(scope) or sigs[s2:e2] != body:
                break
            j += 1
        count = j - k
        if count >= 2 and (end - start) * (count - 1) >= MIN_SAVED:
            last = instances[j - 1][2]
            found.append((start, end - start, count, _stage(scope), f"{scope} to {last}"))
        k = j
    return found


def _tandem(sigs: list[int]) -> list[tuple[int, int, int]]:
    """(start, period, count) of the repeats a greedy tandem-repeat search finds."""
    import numpy as np

    ids = np.asarray(sigs, dtype=np.int64)
    found: list[tuple[int, int, int]] = []
    stack = [(0, len(sigs))]
    while stack:
        lo, hi = stack.pop()
        best = (0, 0, 0, 0)  # saved, start, period, count
        for p in range(1, (hi - lo) // 2 + 1):
            eq = ids[lo : hi - p] == ids[lo + p : hi]
            if not eq.any():
                continue
            edges = np.diff(np.concatenate(([0], eq.astype(np.int8), [0])))
            starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
            counts = (ends - starts + p) // p
            saved = p * (counts - 1)
            at = int(saved.argmax())
            if saved[at] > best[0]:
                best = (int(saved[at]), lo + int(starts[at]), p, int(counts[at]))
        saved, start, period, count = best
        if saved < MIN_SAVED or count < 2:
            continue
        found.append((start, period, count))
        stack += [(lo, start), (start + period * count, hi)]
    return sorted(found)


def collapse(graph: Graph) -> list[Group]:
    """Finds the repeats of ``graph`` (by scope, else by a tandem-repeat search), keeps
    the first instance of each and removes the others; the groups, in order."""
    ops = [op for op in graph.ops.values() if op.kind != "input"]
    index = {op.id: k for k, op in enumerate(graph.ops.values()) if op.kind == "input"}
    index = {key: -1 - k for key, k in index.items()}  # inputs: before every op
    index.update({op.id: k for k, op in enumerate(ops)})
    sigs = _signatures(ops, index)
    runs = _by_scope(ops, sigs)
    if not runs:
        runs = [
            (s, p, c, f"block {n}", f"{ops[s].name} to {ops[s + p * c - 1].name}")
            for n, (s, p, c) in enumerate(_tandem(sigs), 1)
        ]
    replaced: dict[str, str] = {}
    groups = []
    for start, period, count, label, note in runs:
        kept = ops[start : start + period]
        for n in range(1, count):
            for offset, op in enumerate(ops[start + n * period : start + (n + 1) * period]):
                replaced[op.id] = kept[offset].id
                del graph.ops[op.id]
        groups.append(Group(kept[0].id, tuple(op.id for op in kept), count, label, note))
    for op in graph.ops.values():
        op.inputs = [replaced.get(i, i) for i in op.inputs]
    if groups:
        saved = sum(len(g.ops) * (g.repeat - 1) for g in groups)
        graph.notes.append(
            f"{len(groups)} repeated block(s) collapsed into groups (repeat: N), "
            f"{saved} layers not written; --no-collapse writes them all"
        )
    return groups
