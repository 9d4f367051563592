"""Groups of layers drawn as brackets (the LeNet and AlexNet styles).

A spec group (``{group: conv3_x, repeat: 4, note: ..., layers: [...]}``) is drawn
once, its tensors as any others, with a thin square bracket beyond the figure's
content (under it for a flow to the right, right of it for a flow down) spanning
the run of tensors the group holds; the group's label and ``×N`` (when it repeats)
sit past the bracket, its note on a line after them. Nested groups nest outwards:
a group's bracket lies beyond those of the groups inside it, and a bracket whose
label would touch another's at the same distance moves one level out.

A bracket reads only when the run it spans holds the group's tensors alone:
:func:`spans` raises a located error naming a tensor of another layer that
stands among a group's (a branch beside it, in a figure that branches).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from nnsvg.engines.common import TextMaker
from nnsvg.errors import SpecError
from nnsvg.network import Frame, Network
from nnsvg.scene import Group, Item, Paint, Path
from nnsvg.theme import Theme

__all__ = ["Span", "bracket_items", "break_allowed", "check_breaks", "repeat_text", "spans"]

_EPS = 0.5  # extents closer than this do not overlap


@dataclass(frozen=True, slots=True)
class Span:
    """A group's run along the flow: from ``lo`` to ``hi``."""

    frame: Frame
    lo: float
    hi: float


def repeat_text(frame: Frame) -> str:
    """What a bracket says: the group's label, and ``×N`` when it repeats.

    >>> repeat_text(Frame(0, "group-1", "conv2_x", 3, False, None, None, (), (), ()))
    'conv2_x ×3'
    """
    if frame.repeat > 1:
        return f"{frame.label} ×{frame.repeat}" if frame.label else f"×{frame.repeat}"
    return frame.label


def spans(
    net: Network,
    extent: Mapping[int, tuple[float, float]],
    style: str,
    *,
    by_centre: bool = False,
) -> list[Span]:
    """The run of every group of ``net`` (``extent``: each drawn node's from-to along
    the flow, by node index). A node of no group standing inside a group's run is a
    located error (at the group) naming it; with ``by_centre`` (boxes in perspective,
    whose outlines may reach over a neighbour's) a node stands inside when its
    centre does."""
    out = []
    for frame in net.frames:
        inside = [extent[n] for n in frame.nodes if n in extent]
        if not inside:
            continue
        lo = min(a for a, _ in inside)
        hi = max(b for _, b in inside)
        members = set(frame.nodes)
        for n, (a, b) in sorted(extent.items()):
            if by_centre:
                a = b = (a + b) / 2
            if n in members or b <= lo + _EPS or a >= hi - _EPS:
                continue
            name = _name(net, n)
            raise SpecError(
                f"the {style} style draws a group as a bracket under its run of tensors, and "
                f"{name} (not in the group) stands among the layers of group "
                f"'{frame.label}': move it into the group or out of its run, or draw the "
                "figure in the blocks style",
                location=frame.location,
                field=None,
            )
        out.append(Span(frame, lo, hi))
    return out


def _name(net: Network, index: int) -> str:
    """A node as messages name it: ``layers[1].layers[0] 'conv a'``, or ``input``."""
    node = net.nodes[index]
    where = node.layer.field_of() if node.layer is not None else "input"
    return where + (f" '{node.label}'" if node.label else "")


def _depths(net: Network, drawn: set[int]) -> dict[int, int]:
    """Per drawn frame, how many drawn frames nest inside it, deepest chain (0: none)."""
    depth = {f: 0 for f in drawn}
    for frame in sorted(net.frames, key=lambda f: -f.index):  # children before parents
        if frame.index not in drawn:
            continue
        below = depth[frame.index]
        for up in _ancestors(net, frame):
            if up in drawn:
                depth[up] = max(depth[up], below + 1)
                below = depth[up]
    return depth


def _ancestors(net: Network, frame: Frame) -> list[int]:
    """The indices of the frames ``frame`` is inside, innermost first (those of
    ``net.frames`` only: a row's network holds the frames of that row)."""
    by_index = {f.index: f for f in net.frames}
    out = []
    up = frame.parent
    while up is not None and up not in out:
        out.append(up)
        up = by_index[up].parent if up in by_index else None
    return out


def bracket_items(
    net: Network,
    runs: list[Span],
    edge: float,
    theme: Theme,
    tm: TextMaker,
    *,
    down: bool = False,
) -> list[Item]:
    """The brackets of ``runs`` beyond ``edge`` (the content's bottom; its right side
    when ``down``), each in a group ``group-K`` with its texts."""
    if not runs:
        return []
    lab = theme.label
    size = lab.title_size
    note_size = lab.size_size
    tick = max(4.0, size * 0.45)
    gap = lab.line_gap + 3.0
    sep = lab.min_separation
    depth = _depths(net, {r.frame.index for r in runs})

    def lines(frame: Frame) -> list[tuple[str, float, str]]:
        out = [(repeat_text(frame), size, "normal")]
        if frame.note:
            out.append((frame.note, note_size, "italic"))
        return [line for line in out if line[0]]

    def extent_across(frame: Frame) -> float:  # the label block's size across the flow
        if down:
            return max((tm.width(t, s, w) for t, s, w in lines(frame)), default=0.0)
        return sum(tm.ascent(s) + tm.descent(s) + lab.line_gap for _, s, _ in lines(frame))

    def extent_along(run: Span) -> tuple[float, float]:  # bracket and label along the flow
        middle = (run.lo + run.hi) / 2
        if down:
            half = sum(tm.ascent(s) + tm.descent(s) + lab.line_gap for _, s, _ in lines(run.frame))
        else:
            half = max((tm.width(t, s, w) for t, s, w in lines(run.frame)), default=0.0)
        half /= 2
        return (min(run.lo, middle - half) - sep / 2, max(run.hi, middle + half) + sep / 2)

    # Levels outwards: a group beyond the groups inside it, and beyond any whose
    # bracket or label it would touch.
    taken: dict[int, list[tuple[float, float]]] = {}
    level_of: dict[int, int] = {}
    order = sorted(runs, key=lambda r: (depth[r.frame.index], r.lo, r.frame.index))
    for run in order:
        level = depth[run.frame.index]
        for inner in runs:
            f = inner.frame
            if f.index in level_of and run.frame.index in _ancestors(net, f):
                level = max(level, level_of[f.index] + 1)
        lo, hi = extent_along(run)
        while any(not (hi <= a or lo >= b) for a, b in taken.get(level, [])):
            level += 1
        taken.setdefault(level, []).append((lo, hi))
        level_of[run.frame.index] = level
    room = [0.0] * (max(level_of.values()) + 1)
    for run in runs:
        k = level_of[run.frame.index]
        room[k] = max(room[k], tick + gap + extent_across(run.frame))
    starts = [edge + gap]
    for k in range(1, len(room)):
        starts.append(starts[-1] + room[k - 1] + gap)

    paint = Paint(stroke=theme.skip.color, stroke_width=theme.skip.width, fill="none")
    items: list[Item] = []
    for run in sorted(runs, key=lambda r: r.frame.index):
        frame = run.frame
        base = starts[level_of[frame.index]] + tick
        if down:
            path = Path(
                (
                    ("M", base - tick, run.lo),
                    ("L", base, run.lo),
                    ("L", base, run.hi),
                    ("L", base - tick, run.hi),
                ),
                paint,
                cls="bracket",
            )
        else:
            path = Path(
                (
                    ("M", run.lo, base - tick),
                    ("L", run.lo, base),
                    ("L", run.hi, base),
                    ("L", run.hi, base - tick),
                ),
                paint,
                cls="bracket",
            )
        children: list[Item] = [path]
        texts = lines(frame)
        if down:
            total = sum(tm.ascent(s) + tm.descent(s) + lab.line_gap for _, s, _ in texts)
            y = (run.lo + run.hi) / 2 - (total - lab.line_gap) / 2
            x, anchor = base + gap, "start"
        else:
            y = base + gap
            x, anchor = (run.lo + run.hi) / 2, "middle"
        for k, (text, s, style) in enumerate(texts):
            y += tm.ascent(s)
            children.append(
                tm.text(
                    x,
                    y,
                    text,
                    s,
                    anchor=anchor,
                    style=style,
                    color=lab.secondary_color if k else None,
                    cls="group-label" if not k else "note",
                )
            )
            y += tm.descent(s) + lab.line_gap
        items.append(Group(id=frame.id, role="group", children=tuple(children)))
    return items


def break_allowed(net: Network) -> Callable[[int], bool]:
    """Whether a row may end before node ``b``: it cuts no group, and every skip that
    crosses it leaves from node ``b - 1`` (worked out once for every ``b``).

    >>> from nnsvg.network import Skip
    >>> net = Network("lenet", nodes=(), skips=(Skip(1, 3, "add"),))
    >>> [break_allowed(net)(b) for b in range(1, 5)]
    [True, True, False, True]
    """
    count = max([len(net.nodes), *(s.target + 1 for s in net.skips)])
    blocked = [False] * (count + 2)
    for frame in net.frames:
        if frame.nodes:
            for b in range(min(frame.nodes) + 1, max(frame.nodes) + 1):
                blocked[b] = True
    for skip in net.skips:
        for b in range(skip.source + 2, skip.target + 1):  # not right after the source
            blocked[b] = True

    def allowed(b: int) -> bool:
        return not (0 <= b < len(blocked) and blocked[b])

    return allowed


def check_breaks(net: Network, rows: list[range]) -> None:
    """A located error for ``wrap: N`` rows that cut a group, or a skip connection
    other than one leaving from the last tensor of a row."""
    allowed = break_allowed(net)
    for row in rows[1:]:
        b = row.start
        if allowed(b):
            continue
        for frame in net.frames:
            if frame.nodes and min(frame.nodes) < b <= max(frame.nodes):
                raise SpecError(
                    f"wrap: {net.wrap} ends a row inside group '{frame.label}': use wrap: "
                    "auto (rows then break between groups), or a number of layers per row "
                    "that keeps the group on one row",
                    location=net.where("wrap"),
                    field="wrap",
                )
        skip = next(s for s in net.skips if s.source < b <= s.target and s.source != b - 1)
        near = [
            f"after {_name(net, k - 1)}"
            for k in (
                max((k for k in range(1, b) if allowed(k)), default=None),
                min((k for k in range(b + 1, len(net.nodes)) if allowed(k)), default=None),
            )
            if k is not None
        ]
        where = f"the nearest rows can end {' or '.join(near)}; " if near else ""
        raise SpecError(
            f"wrap: {net.wrap} puts the skip connection into "
            f"{_name(net, skip.target)} on a later row than its source "
            f"{_name(net, skip.source)}, which does not end its row (a row may end only "
            f"where every skip crossing to the next row leaves from its last layer): {where}"
            "use wrap: auto (rows then break where skips can follow), or another number of "
            "layers per row",
            location=net.where("wrap"),
            field="wrap",
        )
