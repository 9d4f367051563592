"""What :mod:`nnsvg.fit` suggests when no arrangement fits, each suggestion checked by a
search of its own: what the spec fixes that would fit otherwise (fewer layers per row,
fewer panels a row), a taller figure (with ``height``), a smaller minimum (the
smallest text the best arrangement reached, rounded down) and a wider figure (the
width at which the arrangement with the largest text reaches the minimum unscaled).
"""

from __future__ import annotations

import math
from typing import Any

from nnsvg.fit import _MARGIN, _TRIES, Fit, _Search, _search

__all__ = ["suggestions_for"]


def suggestions_for(search: _Search, fit: Fit) -> tuple[dict[str, Any], list[str]]:
    """What would fit (module docs), each checked by a search, and its advice."""
    from nnsvg.spec.keys import MIN_FONT_PT
    from nnsvg.units import MAX_FIGURE_PX, PX_PER_UNIT

    out: dict[str, Any] = {}
    advice: list[str] = []
    subject, width, height = search.subject, search.width, search.height
    font_size = search.font_size
    for key, value, words, other in subject.alternatives():
        if key not in out and _search(other, width, fit.min_text, font_size, height)[1]:
            out[key] = value
            advice.append(words)
    if height is not None and not math.isinf(search.shortest):
        step = 0.1 if height[1] in ("in", "cm") else 1.0
        taller = math.ceil(search.shortest / step * (1 + 1e-9)) * step
        for _ in range(_TRIES):  # the least height a figure whose text fits took
            tall = (round(taller, 4), height[1])
            if _search(subject, width, fit.min_text, font_size, tall)[1]:
                out["height"] = f"{tall[0]:g}{tall[1]}"
                advice.append(f"a taller figure (height: {out['height']})")
                break
            taller = math.ceil(taller * 1.1 / step) * step
    smaller = math.floor(search.best_min * (1 - 2 * _MARGIN) * 10) / 10
    smaller = min(smaller, round(fit.min_text - 0.1, 1))  # below the minimum asked
    for _ in range(_TRIES):  # the best arrangement's smallest text, rounded down
        if smaller < MIN_FONT_PT:
            break
        if _search(subject, width, smaller, font_size, height)[1]:
            out["min_text"] = smaller
            advice.append(f"a smaller minimum (min_text: {smaller:g}pt)")
            break
        smaller = round(smaller - 0.1, 1)
    if search.best_natural > 0 and font_size is None:
        # At the theme's text size a layout prints in proportion to its width: the
        # arrangement whose text printed largest reaches the minimum at this width.
        number, unit = width
        step = 0.1 if unit in ("in", "cm") else 1.0
        wider = math.ceil(number * fit.min_text / search.best_natural / step * (1 + 1e-9)) * step
        for _ in range(_TRIES):
            wide = (round(wider, 4), unit)
            if wide[0] * PX_PER_UNIT.get(unit, 1.0) > MAX_FIGURE_PX:
                break
            if _search(subject, wide, fit.min_text, font_size, height)[1]:
                out["width"] = f"{wide[0]:g}{unit}"
                key = "fit" if fit.width is not None else "width"
                key = "fit's width" if key == "fit" and fit.height is not None else key
                advice.append(f"a wider figure ({key}: {out['width']})")
                break
            wider = math.ceil(wider * 1.1 / step) * step
    return out, advice
