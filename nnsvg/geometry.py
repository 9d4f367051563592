"""Small vector helpers and the 3D camera (projection, visibility) as pure functions."""

from __future__ import annotations

import math
from dataclasses import dataclass

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


# --- 3D ------------------------------------------------------------------------------
# World axes: x is a feature map's width, y its height (up), z runs along the network.
Vec3 = tuple[float, float, float]
PROJECTIONS = ("orthographic", "perspective", "oblique")


def dot3(a: Vec3, b: Vec3) -> float:
    return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]


def sub3(a: Vec3, b: Vec3) -> Vec3:
    return (a[0] - b[0], a[1] - b[1], a[2] - b[2])


def cross3(a: Vec3, b: Vec3) -> Vec3:
    return (a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0])


def norm3(a: Vec3) -> Vec3:
    n = math.sqrt(dot3(a, a))
    return (a[0] / n, a[1] / n, a[2] / n)


@dataclass(frozen=True, slots=True)
class Camera:
    """Where the figure is seen from.

    ``azimuth`` turns the eye around the vertical axis, from the +z end of the network
    (0) towards -x (90); ``elevation`` raises it (degrees). ``orthographic`` and
    ``oblique`` are parallel views; ``perspective`` puts the eye ``distance`` scene
    sizes from the centre (set by :meth:`at`). ``oblique`` keeps the z-y plane
    face-on (no foreshortening) and recedes x at ``elevation`` degrees, half length.

    With ``down`` the network stands on end: its z axis runs down the world's vertical
    (a map's near face, -z, faces up; its height y points towards the eye at azimuth 0),
    so that the chain runs down the page and the feature maps read as plates stacked
    one under another. Every point, normal and eye direction is still given and
    returned in the network's axes: the turn lives in :meth:`eye_direction`,
    :meth:`basis` and :meth:`project` only, so the code that builds boxes does not
    change.
    """

    azimuth: float = 69.0
    elevation: float = 21.0
    projection: str = "orthographic"
    distance: float = 3.0
    eye_position: Vec3 | None = None  # perspective only: set by at()
    target: Vec3 | None = None  # perspective only: the scene centre the eye looks at
    down: bool = False  # the network's z runs down the page (direction: down)

    def at(self, center: Vec3, size: float) -> Camera:
        """This camera with its perspective eye placed for a scene of ``size`` at ``center``."""
        if self.projection != "perspective":
            return self
        e = self.eye_direction()
        d = self.distance * size
        eye = (center[0] + e[0] * d, center[1] + e[1] * d, center[2] + e[2] * d)
        return Camera(
            self.azimuth, self.elevation, self.projection, self.distance, eye, center, self.down
        )

    def eye_direction(self) -> Vec3:
        """The unit vector from the scene towards the eye (parallel views: the view
        direction reversed), in the network's axes."""
        return self._to_network(self._world_eye())

    def _world_eye(self) -> Vec3:
        if self.projection == "oblique":
            a, b = self._oblique()
            return norm3((-1.0, b, a))
        az, el = math.radians(self.azimuth), math.radians(self.elevation)
        return (-math.sin(az) * math.cos(el), math.sin(el), math.cos(az) * math.cos(el))

    def _to_network(self, v: Vec3) -> Vec3:
        """A world vector in the network's axes (the same unless ``down``)."""
        return (v[0], v[2], -v[1]) if self.down else v

    def _to_world(self, p: Vec3) -> Vec3:
        """A point of the network in the world (the network's z down the vertical)."""
        return (p[0], -p[2], p[1]) if self.down else p

    def _oblique(self) -> tuple[float, float]:
        angle = math.radians(self.elevation)
        return 0.5 * math.cos(angle), 0.5 * math.sin(angle)

    def basis(self) -> tuple[Vec3, Vec3, Vec3]:
        """Screen right, screen up and forward (into the screen) unit vectors."""
        e = self._world_eye()
        forward = (-e[0], -e[1], -e[2])
        up_world = (0.0, 1.0, 0.0)
        right = cross3(forward, up_world)
        if dot3(right, right) < 1e-12:  # looking straight down or up
            right = (0.0, 0.0, 1.0)
        right = norm3(right)
        up = cross3(right, forward)
        return self._to_network(right), self._to_network(up), self._to_network(forward)

    def project(self, p: Vec3) -> tuple[float, float, float]:
        """Screen x, screen y (down, as in SVG) and depth (larger is farther)."""
        if self.projection == "oblique":
            a, b = self._oblique()
            e = self.eye_direction()
            w = self._to_world(p)
            return (w[2] + a * w[0], -(w[1] + b * w[0]), -dot3(p, e))
        right, up, forward = self.basis()
        if self.projection == "perspective" and self.eye_position is not None:
            v = sub3(p, self.eye_position)
            depth = dot3(v, forward)
            # Scale 1 at the scene centre: the figure's size does not depend on where
            # the scene sits in world coordinates.
            to_target = sub3(self.target or (0.0, 0.0, 0.0), self.eye_position)
            k = math.sqrt(dot3(to_target, to_target)) / max(depth, 1e-6)
            return (dot3(v, right) * k, -dot3(v, up) * k, depth)
        return (dot3(p, right), -dot3(p, up), dot3(p, forward))

    def faces_viewer(self, normal: Vec3, point: Vec3) -> bool:
        """Whether a face with outward ``normal`` through ``point`` is seen from the front."""
        if self.projection == "perspective" and self.eye_position is not None:
            return dot3(normal, sub3(self.eye_position, point)) > 0
        return dot3(normal, self.eye_direction()) > 0


def convex_hull(points: list[Vec]) -> list[Vec]:
    """The convex hull of 2D points, counter-clockwise (Andrew's monotone chain).

    >>> convex_hull([(0, 0), (1, 0), (1, 1), (0, 1), (0.5, 0.5)])
    [(0, 0), (1, 0), (1, 1), (0, 1)]
    """
    pts = sorted(set(points))
    if len(pts) <= 2:
        return pts

    def turn(o: Vec, a: Vec, b: Vec) -> float:
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    lower: list[Vec] = []
    for p in pts:
        while len(lower) >= 2 and turn(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    upper: list[Vec] = []
    for p in reversed(pts):
        while len(upper) >= 2 and turn(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    return lower[:-1] + upper[:-1]


def convex_overlap(a: list[Vec], b: list[Vec], tolerance: float = 0.0) -> bool:
    """Whether two convex polygons overlap by more than ``tolerance`` along every
    separating-axis candidate (touching does not count).

    >>> convex_overlap([(0, 0), (2, 0), (2, 2), (0, 2)], [(1, 1), (3, 1), (3, 3), (1, 3)])
    True
    >>> convex_overlap([(0, 0), (1, 0), (1, 1), (0, 1)], [(1, 0), (2, 0), (2, 1), (1, 1)])
    False
    """
    for poly in (a, b):
        n = len(poly)
        for i in range(n):
            (x0, y0), (x1, y1) = poly[i], poly[(i + 1) % n]
            axis = (y0 - y1, x1 - x0)
            norm = math.hypot(*axis)
            if norm == 0:
                continue
            pa = [(p[0] * axis[0] + p[1] * axis[1]) / norm for p in a]
            pb = [(p[0] * axis[0] + p[1] * axis[1]) / norm for p in b]
            if min(max(pa), max(pb)) - max(min(pa), min(pb)) <= tolerance:
                return False
    return True
