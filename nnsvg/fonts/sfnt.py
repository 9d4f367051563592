"""What nnsvg reads from its shipped font files: a minimal, dependency-free reader.

TrueType (``.ttf``) and CFF-based OpenType (``.otf``, Latin Modern) files share the
tables read here; only the glyph outlines, which nnsvg never reads, differ.

Only the tables text layout and the glyph lint need: ``head`` (units per em), ``hhea``
(ascender, descender, number of advance widths), ``OS/2`` (typographic ascender and
descender), ``hmtx`` (advance widths) and ``cmap`` (character -> glyph; the Unicode
subtable, format 12 or 4). fontTools reads the same
(tests/test_fonts.py compares the two) but costs 0.17 s to import, paid by every
command that lays text out; this reads a face in a few milliseconds.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

__all__ = ["FaceMetrics", "read_face"]


@dataclass(frozen=True, slots=True)
class FaceMetrics:
    """One face: units per em, hhea ascender/descender (descender negative), the
    advance width in font units of every character it has a glyph for, and the OS/2
    typographic ascender/descender (0 without an OS/2 table)."""

    units_per_em: int
    ascender: int
    descender: int
    advances: dict[int, int]
    typo_ascender: int = 0
    typo_descender: int = 0


def _tables(data: bytes) -> dict[bytes, tuple[int, int]]:
    (count,) = struct.unpack_from(">H", data, 4)
    out = {}
    for k in range(count):
        tag, _, offset, length = struct.unpack_from(">4sIII", data, 12 + 16 * k)
        out[tag] = (offset, length)
    return out


def _cmap(data: bytes, base: int) -> dict[int, int]:
    """Code point -> glyph id from the best Unicode subtable (3,10 / 0,4 format 12,
    else 3,1 / 0,3 format 4)."""
    (count,) = struct.unpack_from(">H", data, base + 2)
    subtables = {}
    for k in range(count):
        platform, encoding, offset = struct.unpack_from(">HHI", data, base + 4 + 8 * k)
        fmt = struct.unpack_from(">H", data, base + offset)[0]
        subtables.setdefault((fmt, platform, encoding), base + offset)
    for key in ((12, 3, 10), (12, 0, 4), (12, 0, 6)):
        if key in subtables:
            at = subtables[key]
            (groups,) = struct.unpack_from(">I", data, at + 12)
            out = {}
            for g in range(groups):
                start, end, glyph = struct.unpack_from(">III", data, at + 16 + 12 * g)
                for cp in range(start, end + 1):
                    out[cp] = glyph + cp - start
            return out
    for key in ((4, 3, 1), (4, 0, 3), (4, 0, 4)):
        if key in subtables:
            return _cmap4(data, subtables[key])
    raise ValueError("no Unicode cmap subtable")


def _cmap4(data: bytes, at: int) -> dict[int, int]:
    (seg2,) = struct.unpack_from(">H", data, at + 6)
    n = seg2 // 2
    ends = struct.unpack_from(f">{n}H", data, at + 14)
    starts = struct.unpack_from(f">{n}H", data, at + 16 + seg2)
    deltas = struct.unpack_from(f">{n}h", data, at + 16 + 2 * seg2)
    range_at = at + 16 + 3 * seg2
    offsets = struct.unpack_from(f">{n}H", data, range_at)
    out = {}
    for i in range(n):
        start, end, delta, offset = starts[i], ends[i], deltas[i], offsets[i]
        if start == 0xFFFF:
            continue
        for cp in range(start, end + 1):
            if offset == 0:
                glyph = (cp + delta) & 0xFFFF
            else:
                where = range_at + 2 * i + offset + 2 * (cp - start)
                (glyph,) = struct.unpack_from(">H", data, where)
                if glyph:
                    glyph = (glyph + delta) & 0xFFFF
            if glyph:
                out[cp] = glyph
    return out


@lru_cache(maxsize=32)
def read_face(path: Path) -> FaceMetrics:
    """The metrics of the TrueType or OpenType file at ``path`` (cached per path)."""
    data = path.read_bytes()
    tables = _tables(data)
    head = tables[b"head"][0]
    hhea = tables[b"hhea"][0]
    (units_per_em,) = struct.unpack_from(">H", data, head + 18)
    ascender, descender = struct.unpack_from(">hh", data, hhea + 4)
    (metrics,) = struct.unpack_from(">H", data, hhea + 34)
    hmtx = tables[b"hmtx"][0]
    widths = struct.unpack_from(f">{2 * metrics}H", data, hmtx)[0::2]
    last = widths[-1]
    advances = {
        cp: widths[glyph] if glyph < metrics else last
        for cp, glyph in _cmap(data, tables[b"cmap"][0]).items()
    }
    typo = (0, 0)
    if b"OS/2" in tables:
        typo = struct.unpack_from(">hh", data, tables[b"OS/2"][0] + 68)
    return FaceMetrics(units_per_em, ascender, descender, advances, *typo)
