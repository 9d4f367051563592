"""The lint's size rules: text-too-small at the width the figure prints at (the spec's,
the command line's, the project's, else a page's) with advice that converges (one
``font_size`` for the whole figure), and too-wide against the widest allowed.

A mixin of :class:`nnsvg.lint._Linter`.
"""

from __future__ import annotations

import math
from collections import defaultdict

from nnsvg.lint_walk import RANK_FIGURE, TextInfo, num, quote
from nnsvg.scene import Circle
from nnsvg.units import PX_PER_UNIT, parse_length, split_length

PT_PER_PX = 0.75
#: Theme keys that size a text through a factor: the key's value per unit of size.
KEY_PER_SIZE = {"node.radius": 1 / 0.95, "skip.mark_radius": 1 / 1.6}
#: Theme keys whose texts ``font_size`` scales (nnsvg.print_size.TEXT_SIZES).
FONT_SIZE_KEYS = frozenset(
    {
        "font.size",
        "label.title_size",
        "label.size_size",
        "label.activation_size",
        "label.figure_title_size",
        "legend.font_size",
        "boxes.dims_size",
        "skip.mark_radius",
    }
)
FIT_MARGIN = 0.005  # above print_size's tolerance (0.2 %)


class SizeRules:
    """text-too-small and too-wide, for a linter with ``scene``, ``options``, ``texts``,
    ``shapes``, ``add`` and the names and ranks of its places."""

    # -- widths --
    def natural_width(self) -> float:
        return float(self.scene.viewbox[2])

    def target(self) -> tuple[float, str, str]:
        """(width in px, unit for messages, how it was chosen)."""
        if self.options.target_width is not None:
            px = parse_length(self.options.target_width, field="target_width")
            unit = unit_of(self.options.target_width)
            return px, unit, "target"
        if self.scene.physical_width is not None:
            value, unit = self.scene.physical_width
            return value * PX_PER_UNIT.get(unit, 1.0), unit, "width"
        default = self.options.default_width
        return parse_length(default, field="default_width"), unit_of(default), "default"

    # -- text-too-small --
    def text_too_small(self) -> None:
        if not self.texts:
            return
        target_px, unit, how = self.target()
        scale = target_px / self.natural_width()
        by_size: dict[float, list[TextInfo]] = defaultdict(list)
        for info in self.texts:
            by_size[info.size].append(info)
        minimum = self.options.min_text_pt
        at = {
            "target": f"at {length_text(target_px, unit)} wide",
            "width": f"at the figure's width of {length_text(target_px, unit)}",
            "default": f"at a page's {length_text(target_px, unit)} (no width given)",
        }[how]
        font_size = self.font_size_needed(by_size, scale)
        for size in sorted(by_size):
            pt = size * scale * PT_PER_PX
            if pt >= minimum - 1e-9:
                continue
            group = sorted(by_size[size], key=lambda t: (self.text_rank(t), t.order))
            first = group[0]
            need_px = target_px * minimum / pt
            need = size * minimum / pt
            keys = sorted({self.size_key(t) for t in group})
            if getattr(self.spec, "fit", None) is not None:  # the fit's minimum (nnsvg.fit)
                wide = "" if how == "width" else f" and its width to {length_text(target_px, unit)}"
                raise_keys = f"raise fit's min_text to {num(minimum, 2)}pt{wide}"
                self.advice = (minimum, length_text(target_px, unit), raise_keys)
            elif font_size is not None and all(k in FONT_SIZE_KEYS for k in keys):
                width = "" if how == "width" else f" with width: {length_text(target_px, unit)}"
                raise_keys = f"give font_size: {num(font_size, 1)}pt{width} in the spec"
                self.advice = (font_size, length_text(target_px, unit), raise_keys)
            else:
                raise_keys = "raise " + " and ".join(
                    f"{key} to {num(ceil_to(need * KEY_PER_SIZE.get(key, 1.0), 1))}" for key in keys
                )
            others = len(group) - 1
            subject = (
                f"{quote(first.item.text)} and {others} other text{'s' if others > 1 else ''} "
                f"of size {num(size, 2)} print"
                if others
                else f"{quote(first.item.text)} of size {num(size, 2)} prints"
            )
            self.add(
                "text-too-small",
                self.text_rank(first),
                self.text_name(first),
                f"{subject} at {num(pt, 2)} pt {at}, under {num(minimum, 2)} pt: print the "
                f"figure at least {length_text(need_px, unit, up=True)} wide, or {raise_keys}",
            )

    def font_size_needed(self, by_size: dict[float, list[TextInfo]], scale: float) -> float | None:
        """The ``font_size`` (pt) that prints every text ``font_size`` sets at or above
        the minimum, rounded up (with the fitting's tolerance); None without a base."""
        base = self.scene.font.size if self.scene.font is not None else None
        sizes = [
            size
            for size, group in by_size.items()
            if any(self.size_key(t) in FONT_SIZE_KEYS for t in group)
        ]
        if not base or not sizes:
            return None
        need = self.options.min_text_pt * base / min(sizes) * (1 + FIT_MARGIN)
        return ceil_to(need, 1)

    def size_key(self, info: TextInfo) -> str:
        item = info.item
        cls = item.cls or ""
        italic = item.style is not None and item.style.style == "italic"
        plain = item.style is None or item.style.color is None
        if info.place == "legend":
            return "legend.font_size"
        if info.bias:
            # The +1 is sized max(6, min(0.95 × node.radius, font.size)).
            radius = next(
                (
                    sh.item.r
                    for sh in self.shapes
                    if sh.owner == info.owner and isinstance(sh.item, Circle)
                ),
                None,
            )
            if radius is not None and info.size < 0.95 * radius - 0.01:
                return "font.size"
            return "node.radius"
        if cls == "title" or info.place == "title":
            return "label.figure_title_size"
        if cls == "dim":
            return "boxes.dims_size"
        if cls == "merge":
            return "skip.mark_radius"
        if cls == "label-title":
            return "label.title_size"
        if cls == "label-activation":
            return "label.activation_size"
        if cls in ("label-size", "label-op", "caption"):
            if italic:
                return "label.activation_size"
            if plain and cls != "label-op":
                return "label.title_size"
            return "label.size_size"
        return "font.size"

    def too_wide(self) -> None:
        if self.options.max_width is None:
            return
        max_px = parse_length(self.options.max_width, field="max_width")
        unit = unit_of(self.options.max_width)
        target_px, _unit, how = self.target()
        if how == "default":  # no width given: the figure prints at its natural size
            target_px, how = self.natural_width(), "natural"
        if target_px <= max_px * (1 + 1e-9):
            return
        width = length_text(target_px, unit)
        allowed = length_text(max_px, unit)
        what = {
            "target": f"the target width {width}",
            "width": f"the figure's width {width}",
            "natural": f"the figure's natural size, {width} (1 unit = 1 px),",
        }[how]
        smallest = min((t.size for t in self.texts), default=None)
        then = ""
        if smallest is not None:
            pt = smallest * max_px / self.natural_width() * PT_PER_PX
            then = f" (its smallest text then prints at {num(pt, 2)} pt)"
        self.add(
            "too-wide",
            RANK_FIGURE,
            None,
            f"{what} is wider than the {allowed} allowed: set width: {allowed} in the spec "
            f"or --width {allowed}{then}",
        )


def ceil_to(value: float, digits: int) -> float:
    factor = 10**digits
    return math.ceil(value * factor - 1e-9) / factor


def unit_of(length: str) -> str:
    """The unit a (valid) length is written in: ``3.5in`` -> ``in``, ``250`` -> ``px``."""
    return split_length(length)[1]


def length_text(px: float, unit: str, *, up: bool = False) -> str:
    value = px / PX_PER_UNIT[unit]
    if up:
        value = ceil_to(value, 2)
    return num(value, 2) + unit
