"""Small 2D vector helpers (and, later, the 3D projection) as pure functions."""

from __future__ import annotations

import math

__all__ = ["Vec", "add", "cubic_point", "length", "lerp", "normalize", "scale", "sub"]

Vec = tuple[float, float]


def add(a: Vec, b: Vec) -> Vec:
    return (a[0] + b[0], a[1] + b[1])


def sub(a: Vec, b: Vec) -> Vec:
    return (a[0] - b[0], a[1] - b[1])


def scale(a: Vec, k: float) -> Vec:
    return (a[0] * k, a[1] * k)


def length(a: Vec) -> float:
    return math.hypot(a[0], a[1])


def normalize(a: Vec) -> Vec:
    """The unit vector along ``a`` (``(1, 0)`` for a zero vector).

    >>> normalize((3.0, 4.0))
    (0.6, 0.8)
    """
    n = math.hypot(a[0], a[1])
    if n == 0:
        return (1.0, 0.0)
    return (a[0] / n, a[1] / n)


def lerp(a: Vec, b: Vec, t: float) -> Vec:
    return (a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t)


def cubic_point(p0: Vec, p1: Vec, p2: Vec, p3: Vec, t: float) -> Vec:
    """The point at parameter ``t`` of a cubic Bezier curve."""
    u = 1 - t
    a, b, c, d = u * u * u, 3 * u * u * t, 3 * u * t * t, t * t * t
    return (
        a * p0[0] + b * p1[0] + c * p2[0] + d * p3[0],
        a * p0[1] + b * p1[1] + c * p2[1] + d * p3[1],
    )
