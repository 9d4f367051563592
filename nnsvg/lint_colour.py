"""The lint's greyscale-contrast rule: neighbouring layers whose fills print as one grey.

A mixin of :class:`nnsvg.lint._Linter`: it reads the layers' main fills from the
scene's annotations (the nodes' fill, a LeNet map's, an AlexNet box's near end face).
"""

from __future__ import annotations

import math
import re
from collections import defaultdict

from nnsvg.colors import luminance, parse_color, to_rgb
from nnsvg.lint_walk import first_word, num, number_of
from nnsvg.scene import Group, Polygon, Rect, Text, bounds, iter_leaves

SAME_COLOUR_CHANNEL = 25.5
"""Fills closer than this in every sRGB channel (0-255) are one colour."""


class GreyscaleRule:
    """The greyscale-contrast rule, for a linter with ``scene``, ``spec``, ``options``,
    ``add``, ``rank`` and ``place_name``."""

    # -- greyscale-contrast --
    def greyscale_contrast(self) -> None:
        fills = self.main_fills()
        limit = self.options.min_grey_difference
        for number in sorted(fills):
            if number + 1 not in fills:
                continue
            (a, a_key), (b, b_key) = fills[number], fills[number + 1]
            if a == b:
                continue  # one colour on purpose
            if max(abs(x - y) for x, y in zip(to_rgb(a), to_rgb(b))) <= SAME_COLOUR_CHANNEL:
                continue  # one colour with a nuance: greyscale loses nothing
            la, lb = luminance(a), luminance(b)
            if abs(la - lb) >= limit:
                continue
            keys = " or ".join(dict.fromkeys((b_key, a_key)))
            self.add(
                "greyscale-contrast",
                self.rank(f"layer-{number + 1}"),
                self.place_name(f"layer-{number + 1}"),
                f"its fill {b} (luminance {num(lb, 3)}) and the fill {a} of "
                f"{self.place_name(f'layer-{number}')} (luminance {num(la, 3)}) differ by "
                f"{num(abs(la - lb), 3)}, under {num(limit, 3)}: they print as one grey; "
                f"make one lighter or darker ({keys})",
            )

    def main_fills(self) -> dict[int, tuple[str, str]]:
        """Layer number -> (its main fill, the spec or theme key that sets it)."""
        by_kind = any(
            isinstance(item, Group) and first_word(item.role) == "legend"
            for item in self.scene.items
        )
        out: dict[int, tuple[str, str]] = {}
        for item in self.scene.items:
            if not isinstance(item, Group) or first_word(item.role) != "layer":
                continue
            number = number_of(item.id)
            if number is None:
                continue
            fill, what = self.main_fill(item, number)
            fill = parse_color(fill) if fill else None
            if fill and fill != "none":
                out[number] = (fill, self.colour_key(number, item.role, what, by_kind))
        return out

    def main_fill(self, group: Group, number: int) -> tuple[str | None, str]:
        """The fill the reader tells a layer by, and what holds it: its ``nodes``
        group's fill, its front map's (the last filled rectangle of its ``maps``), its
        ``vector``'s, or the colour its ``box`` is shaded from."""
        for child in group.children:
            if isinstance(child, Group) and child.role == "nodes":
                return (child.paint.fill if child.paint else None), "nodes"
            if isinstance(child, Group) and child.role == "maps":
                fills = [
                    r.paint.fill
                    for r in child.children
                    if isinstance(r, Rect) and r.paint and r.paint.fill not in (None, "none")
                ]
                return (fills[-1] if fills else None), "maps"
            if isinstance(child, Polygon) and child.cls == "vector":
                return (child.paint.fill if child.paint else None), "vector"
            if isinstance(child, Group) and child.role == "box":
                return self.box_colour(number, group.role, child), "box"
        return None, ""

    def box_colour(self, number: int, role: str, box: Group) -> str | None:
        """The colour an AlexNet box is shaded from: a spec colour or a legend swatch
        names it exactly; else the near end face shows it."""
        own = self.own_colour(number)
        if own is not None:
            return own
        from nnsvg.engines.alexnet_model import KINDS_3D

        words = role.split()
        swatch = self.legend_swatches().get(KINDS_3D.get(words[1] if len(words) > 1 else "", ""))
        if swatch is not None:
            return swatch
        polygons = [c for c in box.children if isinstance(c, Polygon)]
        return box_fill(polygons, self.network_direction(number))

    def own_colour(self, number: int) -> str | None:
        """The ``color`` the spec gives the node drawn as ``layer-N``."""
        name = self.place_name(f"layer-{number}") or ""
        if name == "input":
            return self.spec.input.color if self.spec.input is not None else None
        index = re.match(r"(layers|inputs)\[(\d+)\]", name)
        if index is None:
            return None
        if index[1] == "inputs":
            from nnsvg.spec.graph import all_inputs

            return all_inputs(self.spec)[int(index[2])].color
        return self.spec.layers[int(index[2])].color

    def legend_swatches(self) -> dict[str, str]:
        """A legend's swatches: the name written beside each -> its fill."""
        if self.swatches is None:
            self.swatches = {}
            for item in self.scene.items:
                if not isinstance(item, Group) or first_word(item.role) != "legend":
                    continue
                fill = None
                for child in item.children:
                    if isinstance(child, Rect) and child.paint is not None:
                        fill = child.paint.fill
                    elif isinstance(child, Text) and fill is not None:
                        self.swatches.setdefault(child.text, fill)
                        fill = None
        return self.swatches

    def network_direction(self, n: int) -> tuple[float, float] | None:
        """Which way the network runs on screen at layer ``n``: from the centre of the
        layer before it to the centre of the one after it (a unit vector)."""
        if self.centres is None:
            self.centres = {}
            for item in self.scene.items:
                number = number_of(item.id) if isinstance(item, Group) else None
                if number is None:
                    continue
                assert isinstance(item, Group)
                box = bounds([c for c in iter_leaves(item.children) if isinstance(c, Polygon)])
                if box is not None:
                    self.centres[number] = ((box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2)
        a = self.centres.get(n - 1, self.centres.get(n))
        b = self.centres.get(n + 1, self.centres.get(n))
        if a is None or b is None:
            return None
        dx, dy = b[0] - a[0], b[1] - a[1]
        length = math.hypot(dx, dy)
        return (dx / length, dy / length) if length > 1e-6 else None

    def colour_key(self, number: int, role: str, what: str, by_kind: bool) -> str:
        """Where a layer's fill comes from: its own ``color``, else the theme."""
        if self.own_colour(number) is not None:
            name = self.place_name(f"layer-{number}") or ""
            return "input.color" if name == "input" else name.split(" ")[0] + ".color"
        words = role.split()
        kind = words[1] if len(words) > 1 else ""
        if what == "nodes":  # FCNN
            return {"input": "node.input_fill", "output": "node.output_fill"}.get(kind, "node.fill")
        if by_kind or what == "box":
            # A legend means colours by kind; AlexNet boxes differ only by kind (the
            # one other theme colour, boxes.color, is every box's).
            return f"kinds.{kind}"
        # LeNet: stacks take maps.colors and vectors vector.fill, unless the theme
        # colours by kind with the legend off.
        plain = {"maps": "maps.colors", "vector": "vector.fill"}.get(what, "maps.colors")
        return f"{plain} or kinds.{kind}"


def box_fill(polygons: list[Polygon], along: tuple[float, float] | None) -> str | None:
    """The base colour of an AlexNet box: the fill of its near end face (module docs).

    ``along`` is the direction the network runs on screen (None: unknown)."""
    filled = [p for p in polygons if p.paint is not None and p.paint.fill not in (None, "none")]
    if not filled:
        return None

    def key(p: tuple[float, float]) -> tuple[float, float]:
        return (round(p[0], 6), round(p[1], 6))

    # The box: the faces joined by shared corners to the last face drawn (a kernel
    # box inside it shares no corner with it).
    by_corner: dict[tuple[float, float], list[int]] = defaultdict(list)
    for k, poly in enumerate(filled):
        for p in poly.points:
            by_corner[key(p)].append(k)
    seen = {len(filled) - 1}
    todo = [len(filled) - 1]
    while todo:
        k = todo.pop()
        for p in filled[k].points:
            for other in by_corner[key(p)]:
                if other not in seen:
                    seen.add(other)
                    todo.append(other)
    box = [poly for k, poly in enumerate(filled) if k in seen]
    first = box[0].paint.fill  # type: ignore[union-attr]
    if along is None:
        return first
    ux, uy = along
    # End faces: the faces with no edge along the network (every top and side face,
    # and every piece of one, has an edge running along it).
    scores = [across(poly.points, ux, uy) for poly in box]
    best = max(scores)
    ends = [poly for poly, score in zip(box, scores) if score >= best - 0.02]
    xs = [x for poly in box for x, _ in poly.points]
    ys = [y for poly in box for _, y in poly.points]
    cx, cy = (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
    for poly in ends:
        mx = sum(x for x, _ in poly.points) / len(poly.points)
        my = sum(y for _, y in poly.points) / len(poly.points)
        if (mx - cx) * ux + (my - cy) * uy < 0:  # the near end: always the base colour
            return poly.paint.fill  # type: ignore[union-attr]
    return first


def across(points: tuple[tuple[float, float], ...], ux: float, uy: float) -> float:
    """The smallest |sin| of the angle between an edge of a polygon and (ux, uy)."""
    low = 1.0
    for k in range(len(points)):
        (ax, ay), (bx, by) = points[k], points[(k + 1) % len(points)]
        n = math.hypot(bx - ax, by - ay)
        if n > 1e-9:
            low = min(low, abs((bx - ax) * uy - (by - ay) * ux) / n)
    return low
