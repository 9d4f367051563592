"""``layout: u``: where each layer of an encoder-decoder goes in a U, or why it cannot.

:func:`u_plan` reads the network as Ronneberger et al. (2015, Fig. 1) draw U-Net: one
row per resolution level, the encoder running down the left, the bottleneck at the
bottom, the decoder running up the right, and each copy connection (a merge layer's
second input, optionally through a ``crop``) straight across the U at its level.

The *spine* is the longest path from the input to the output. Along it a layer that
shrinks the maps (a pool or a strided layer: the side drops by 1.5 or more) goes one
level down, one that grows them (an upsampling or a transposed convolution) one level
up. Layers within a level go along their row, one column each; a step to another level
keeps the column (a vertical arrow). The first layer after a step sits in the band
between the two rows when more of its level follows on the same side (so that no
arrow runs through a caption); on the way up, every layer before the level's merge
does, so that the copy connection reaches the merge with nothing in between.

A network that is not U-shaped is a located error saying what is allowed: one input
and one output; one way down and then one way up; every layer on the spine but the
crops of copy connections; each merge on the way up, joining its level's last layer
on the way down (at most one merge per level).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from nnsvg.engines.common import vector_units
from nnsvg.errors import SpecError
from nnsvg.network import Network, Node
from nnsvg.spec.graph import MERGE_TYPES

__all__ = ["STEP", "Copy", "Place", "UPlan", "check_u", "u_plan"]

STEP = 1.5  # a side that drops (or grows) by this factor or more changes the level


@dataclass(frozen=True, slots=True)
class Place:
    """Where a spine node goes: ``row`` (its level) or the ``band`` under row
    ``level`` (``band`` set), in column ``col``; ``slot`` orders a band's nodes
    along the flow (down on the way down, up on the way up)."""

    level: int
    col: int
    band: bool = False
    slot: int = 0


@dataclass(frozen=True, slots=True)
class Copy:
    """A copy connection: ``source``'s output joined into ``merge`` (through ``crop``)."""

    source: int
    merge: int
    crop: int | None


@dataclass(frozen=True, slots=True)
class UPlan:
    """The U of a network: its spine, levels, places and copy connections."""

    spine: tuple[int, ...]
    levels: dict[int, int]
    places: dict[int, Place]
    copies: tuple[Copy, ...]
    bottom: int  # the spine position of the first node at the deepest level
    depth: int
    ascending: frozenset[int] = field(default_factory=frozenset)  # nodes on the way up


def _who(node: Node) -> str:
    if node.layer is None:
        return "the input"
    name = f" '{node.layer.name}'" if node.layer.name else ""
    return f"{node.layer.field_of()}{name} ({node.kind})"


def _error(net: Network, node: Node | None, message: str) -> SpecError:
    if node is None or node.layer is None:
        return SpecError(message, location=net.where("layout"), field="layout")
    path = node.layer.path_of()
    return SpecError(message, location=net.where(*path), field=node.layer.field_of())


def _side(node: Node) -> int:
    return max(node.shape[:-1])


def check_u(net: Network) -> None:
    """The figure-wide keys ``layout: u`` cannot go with, as located errors."""
    if net.wrap is not None:
        raise SpecError(
            "layout: u arranges the rows itself (a row per resolution level), so it cannot "
            "go with wrap: remove wrap",
            location=net.where("wrap"),
            field="wrap",
        )
    if net.direction != "right":
        raise SpecError(
            "layout: u draws the encoder down the left and the decoder up the right, so it "
            "cannot go with direction: " + net.direction + ": remove direction",
            location=net.where("direction"),
            field="direction",
        )
    if net.skips:
        raise SpecError(
            "layout: u draws copy connections from merge layers: write each skip_from as a "
            "layer ({type: concat, from: [a, b]}, or add), optionally through a crop",
            location=net.where("layout"),
            field="layout",
        )


def u_plan(net: Network) -> UPlan:
    """The U of ``net`` (module docs); a located error when it has none."""
    check_u(net)
    nodes = net.nodes
    inputs = [n for n in nodes if n.layer is None]
    if len(inputs) != 1:
        raise _error(
            net,
            None,
            "layout: u draws a network with one input, and this one has "
            f"{len(inputs)}: give one input, or use layout: line",
        )
    for n in nodes:
        if vector_units(n.shape) is not None:
            raise _error(
                net,
                n,
                f"layout: u draws feature maps, and this {n.kind} layer makes a vector: end "
                "the network with maps (a 1×1 convolution makes class maps), or use layout: line",
            )
    readers: dict[int, list[int]] = {n.index: [] for n in nodes}
    for n in nodes:
        for s in n.inputs:
            readers[s].append(n.index)
    sinks = [n.index for n in nodes if not readers[n.index]]
    if len(sinks) != 1:
        names = ", ".join(_who(nodes[i]) for i in sinks)
        raise _error(
            net,
            nodes[sinks[-1]],
            f"layout: u draws a network with one output, and this "
            f"one has {len(sinks)} ({names}): let one layer read the others, or use layout: line",
        )
    spine = _spine(net, sinks[0])
    on_spine = set(spine)
    copies = _copies(net, spine, on_spine, readers)
    levels = _levels(net, spine)
    depth = max(levels.values())
    if depth == 0:
        raise _error(
            net,
            None,
            "layout: u puts each resolution on a row of its own, and this network "
            "keeps one resolution (no pool or stride makes the maps smaller): use layout: line",
        )
    bottom = next(k for k, i in enumerate(spine) if levels[i] == depth)
    ascending = _check_shape(net, spine, levels, bottom)
    _check_copies(net, spine, levels, copies, ascending)
    places = _places(net, spine, levels, copies, ascending)
    return UPlan(tuple(spine), levels, places, tuple(copies), bottom, depth, frozenset(ascending))


def _spine(net: Network, sink: int) -> list[int]:
    """The longest path from the input to ``sink`` (ties: the first input listed)."""
    length: dict[int, int] = {}
    best: dict[int, int | None] = {}
    for i in net.order:
        node = net.nodes[i]
        length[i], best[i] = 0, None
        for s in node.inputs:
            if length[s] + 1 > length[i]:
                length[i], best[i] = length[s] + 1, s
    path = [sink]
    while (b := best[path[-1]]) is not None:
        path.append(b)
    return path[::-1]


def _copies(
    net: Network, spine: list[int], on_spine: set[int], readers: dict[int, list[int]]
) -> list[Copy]:
    """The copy connections into the spine's merges; every node off the spine must be
    the crop of one."""
    nodes = net.nodes
    for n in nodes:
        if n.index in on_spine:
            continue
        ok = (
            n.kind == "crop"
            and len(n.inputs) == 1
            and n.inputs[0] in on_spine
            and len(readers[n.index]) == 1
            and nodes[readers[n.index][0]].kind in MERGE_TYPES
            and readers[n.index][0] in on_spine
        )
        if not ok:
            raise _error(
                net,
                n,
                f"layout: u draws one path down and back up, with copy connections "
                f"across, and this {n.kind} layer branches off it: only a crop may sit on a copy "
                "connection (from a layer on the way down into a merge on the way up)",
            )
    copies = []
    for k, i in enumerate(spine):
        n = nodes[i]
        if n.kind not in MERGE_TYPES:
            if k and n.inputs != (spine[k - 1],):
                message = f"this {n.kind} layer must read the layer before it in layout: u"
                raise _error(net, n, message)
            continue
        others = [s for s in n.inputs if s != spine[k - 1]]
        if len(n.inputs) != 2 or len(others) != 1:
            raise _error(
                net,
                n,
                f"layout: u joins two inputs in a merge (the layer below and one "
                f"copy connection), and this {n.kind} joins {len(n.inputs)}",
            )
        other = others[0]
        crop = other if other not in on_spine else None
        source = nodes[other].inputs[0] if crop is not None else other
        copies.append(Copy(source, i, crop))
    return copies


def _levels(net: Network, spine: list[int]) -> dict[int, int]:
    """Each spine node's level: one down where the side drops by STEP, one up where it
    grows by STEP."""
    levels = {spine[0]: 0}
    for prev, i in itertools.pairwise(spine):
        a, b = _side(net.nodes[prev]), _side(net.nodes[i])
        step = 1 if a >= STEP * b else -1 if b >= STEP * a else 0
        if net.nodes[i].kind in (*MERGE_TYPES, "crop"):
            step = 0
        levels[i] = levels[prev] + step
        if levels[i] < 0:
            raise _error(
                net,
                net.nodes[i],
                f"this {net.nodes[i].kind} layer makes the maps larger than the "
                "input's: layout: u puts the input on the top row, and the decoder comes "
                "back up to it at most",
            )
    return levels


def _check_shape(net: Network, spine: list[int], levels: dict[int, int], bottom: int) -> set[int]:
    """One way down, then one way up: the nodes on the way up (after the first step up)."""
    ascending: set[int] = set()
    up = False
    for prev, i in itertools.pairwise(spine):
        if levels[i] < levels[prev]:
            up = True
        elif levels[i] > levels[prev] and up:
            raise _error(
                net,
                net.nodes[i],
                f"this {net.nodes[i].kind} layer goes down a level again on the way "
                "up: layout: u draws one way down (the encoder), then one way up (the decoder)",
            )
        if up:
            ascending.add(i)
    return ascending


def _check_copies(
    net: Network, spine: list[int], levels: dict[int, int], copies: list[Copy], ascending: set[int]
) -> None:
    nodes = net.nodes
    seen: set[int] = set()
    pos = {i: k for k, i in enumerate(spine)}
    for c in copies:
        merge = nodes[c.merge]
        if c.merge not in ascending:
            raise _error(
                net,
                merge,
                f"this {merge.kind} merges on the way down: layout: u draws merges on "
                "the way up only, each joining a copy connection across the U",
            )
        if c.source in ascending:
            raise _error(
                net,
                merge,
                f"this {merge.kind} joins {_who(nodes[c.source])}, on the way up: a "
                "copy connection comes from the way down",
            )
        if levels[c.source] != levels[c.merge]:
            raise _error(
                net,
                merge,
                f"this {merge.kind} (level {levels[c.merge]}) joins "
                f"{_who(nodes[c.source])} from level {levels[c.source]}: a copy connection "
                "runs straight across the U, between layers of one resolution",
            )
        k = pos[c.source]
        nxt = spine[k + 1] if k + 1 < len(spine) else None
        if nxt is not None and levels[nxt] == levels[c.source]:
            raise _error(
                net,
                merge,
                f"this {merge.kind} joins {_who(nodes[c.source])}, which is not the "
                f"last layer of its level on the way down ({_who(nodes[nxt])} follows): the "
                "copy connection would cross it; copy from the last one",
            )
        if levels[c.merge] in seen:
            raise _error(
                net,
                merge,
                f"this {merge.kind} is the second merge of level {levels[c.merge]}: "
                "layout: u draws one copy connection per level",
            )
        seen.add(levels[c.merge])


def _places(
    net: Network,
    spine: list[int],
    levels: dict[int, int],
    copies: list[Copy],
    ascending: set[int],
) -> dict[int, Place]:
    """Columns, rows and bands (module docs)."""
    merges = {c.merge for c in copies}
    # Runs of one level along the spine.
    runs: list[list[int]] = [[spine[0]]]
    for prev, i in itertools.pairwise(spine):
        if levels[i] == levels[prev]:
            runs[-1].append(i)
        else:
            runs.append([i])
    places: dict[int, Place] = {}
    col = 0
    for r, run in enumerate(runs):
        level = levels[run[0]]
        if r == 0:
            banded: list[int] = []
        else:
            before = levels[runs[r - 1][-1]]
            band_level = min(level, before)
            if run[0] in ascending:
                inside = [k for k, i in enumerate(run) if i in merges]
                banded = run[: inside[0]] if inside else run[:1] if len(run) > 1 else []
            else:
                # The bottom keeps two columns in its row: one for the way down, one up.
                bottom = r + 1 < len(runs) and levels[runs[r + 1][0]] < level
                banded = run[:1] if len(run) > (2 if bottom else 1) else []
            going_up = run[0] in ascending
            for s, i in enumerate(banded):
                places[i] = Place(band_level, col, band=True, slot=s)
            last = r + 1 == len(runs)
            if not going_up and len(run) == 1 and not last and levels[runs[r + 1][0]] < level:
                # A lone bottom layer: the way up would leave from its own column.
                raise _error(
                    net,
                    net.nodes[run[0]],
                    f"this {net.nodes[run[0]].kind} layer is the only layer of the bottom level: "
                    "layout: u needs two or more there (the way down and the way up take a "
                    "column each)",
                )
        for k, i in enumerate(run[len(banded) :]):
            col += 1 if k else 0
            places[i] = Place(level, col)
    return places
