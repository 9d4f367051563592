"""The fonts nnsvg draws with, shipped inside the package, and cairo made to use them.

cairo, through cairosvg, takes only the *first* family of a ``font-family`` list and
asks fontconfig for it; it never falls back to another font for a character that font
lacks. With the system's fonts that made characters vanish from PNGs and PDFs (``ℝ⁴``
printed as ``4`` under ghostscript's Nimbus Sans) and made the PNGs differ from machine
to machine.

So nnsvg ships the fonts it measures text with, beside this file: DejaVu
(``DejaVuSans*.ttf``, ``DejaVuSerif*.ttf``, ``DejaVuSansMono.ttf``; Bitstream Vera
licence and public domain changes, see ``LICENSE-DejaVu.txt``) and, for a LaTeX look,
Latin Modern, the OpenType Computer Modern (``lmroman10-*.otf``, ``latinmodern-math.otf``,
unmodified, GUST Font License, see ``LICENSE-LatinModern.txt``). Before it draws its
first PNG or PDF it makes a fontconfig configuration of its own the current one
(:func:`activate`): it knows only these files, maps every family name nnsvg's layout
recognises (:mod:`nnsvg.textmetrics`) to the shipped face of the same kind (serif
names to DejaVu Serif, Computer/Latin Modern names to LM Roman 10, "Latin Modern Math"
to itself, monospace names to DejaVu Sans Mono, anything else to DejaVu Sans; italic
and bold italic faces ship too) and fixes the rendering options (antialiasing, no
hinting), so what the system's fontconfig files say no longer matters. Nothing is
written to disk and nothing of the user's system changes.

The configuration is made current in nnsvg's process, through libfontconfig's own API
(``FcConfigSetCurrent``), not through the ``FONTCONFIG_FILE`` environment variable:
an environment variable is read only when fontconfig first initialises (too late in a
notebook that already drew something with cairo) and would be inherited by every
program the process starts. The price, in a process that uses nnsvg as a library: from
nnsvg's first PNG or PDF on, other users of fontconfig *in that process* see only
nnsvg's fonts too. ``NNSVG_SYSTEM_FONTS=1`` keeps the system's configuration (PNGs then
depend on the system's fonts again). When libfontconfig cannot be loaded (a cairo built
without it), nnsvg draws with whatever cairo finds, as before.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import ctypes

__all__ = [
    "FACE_FILES",
    "FACE_NAMES",
    "FAMILIES",
    "FONT_DIR",
    "activate",
    "font_path",
    "fonts_conf",
]

FONT_DIR = Path(__file__).resolve().parent

# Face key of nnsvg.textmetrics -> shipped file.
FACE_FILES = {
    "sans": "DejaVuSans.ttf",
    "sans-bold": "DejaVuSans-Bold.ttf",
    "serif": "DejaVuSerif.ttf",
    "serif-bold": "DejaVuSerif-Bold.ttf",
    "mono": "DejaVuSansMono.ttf",
    "sans-italic": "DejaVuSans-Oblique.ttf",
    "serif-italic": "DejaVuSerif-Italic.ttf",
    "sans-bold-italic": "DejaVuSans-BoldOblique.ttf",
    "serif-bold-italic": "DejaVuSerif-BoldItalic.ttf",
    "roman": "lmroman10-regular.otf",
    "roman-bold": "lmroman10-bold.otf",
    "roman-italic": "lmroman10-italic.otf",
    "roman-bold-italic": "lmroman10-bolditalic.otf",
    "math": "latinmodern-math.otf",
}
# Face key -> the shipped face's name, for messages.
FACE_NAMES = {
    "sans": "DejaVu Sans",
    "sans-bold": "DejaVu Sans Bold",
    "serif": "DejaVu Serif",
    "serif-bold": "DejaVu Serif Bold",
    "mono": "DejaVu Sans Mono",
    "sans-italic": "DejaVu Sans Oblique",
    "serif-italic": "DejaVu Serif Italic",
    "sans-bold-italic": "DejaVu Sans Bold Oblique",
    "serif-bold-italic": "DejaVu Serif Bold Italic",
    "roman": "LM Roman 10",
    "roman-bold": "LM Roman 10 Bold",
    "roman-italic": "LM Roman 10 Italic",
    "roman-bold-italic": "LM Roman 10 Bold Italic",
    "math": "Latin Modern Math",
}
# Face group -> the shipped family's name, as fontconfig reports it (fc-scan: the LM
# Roman 10 files name the families "Latin Modern Roman" and "LM Roman 10").
FAMILIES = {
    "sans": "DejaVu Sans",
    "serif": "DejaVu Serif",
    "mono": "DejaVu Sans Mono",
    "roman": "Latin Modern Roman",
    "math": "Latin Modern Math",
}

_SONAMES = (
    "libfontconfig.so.1",
    "libfontconfig.1.dylib",
    "libfontconfig-1.dll",
    "libfontconfig.so",
)


def font_path(face: str) -> Path:
    """The shipped file of a face key ("sans", "sans-bold", "roman-italic", ...)."""
    return FONT_DIR / FACE_FILES[face]


def escape(text: str) -> str:
    """XML-escaped ``text`` (xml.sax.saxutils would import urllib: +0.1 s per command)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _alias(name: str, family: str, compare: str = "eq") -> str:
    """A rule drawing a pattern whose first family is ``name`` (or contains it) in the
    shipped ``family``: it puts ``family`` in front. It does not fire once the first
    family is a shipped one, so the first rule that fires decides, and a shipped name
    that contains a shorter prefix ("DejaVu Sans Mono", "Latin Modern Math") keeps
    its own face."""
    shipped = "".join(
        f'<test qual="first" name="family" compare="not_eq"><string>{other}</string></test>'
        for other in FAMILIES.values()
    )
    return (
        f'  <match target="pattern"><test qual="first" name="family" compare="{compare}" '
        f'ignore-blanks="true"><string>{escape(name)}</string></test>{shipped}'
        f'<edit name="family" mode="prepend_first" binding="strong"><string>{family}</string>'
        "</edit></match>\n"
    )


def fonts_conf() -> str:
    """The text of nnsvg's fontconfig configuration (deterministic). It names no font
    directory: :func:`activate` adds the shipped files as application fonts, which
    fontconfig scans (a few milliseconds) without writing a cache anywhere."""
    from nnsvg import textmetrics

    lines = [
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n',
    ]
    exact, prefixes = textmetrics.family_groups()
    for group, names in exact.items():
        for name in names:
            lines.append(_alias(name, FAMILIES[group]))
    for prefix, group in prefixes:  # longest first: the longest one decides
        lines.append(_alias(prefix, FAMILIES[group], "contains"))
    # Any other family: the default sans (fontconfig's 49-sansserif.conf does the same
    # with "sans-serif", which the aliases above then name).
    lines.append(
        '  <match target="pattern">'
        + "".join(
            f'<test qual="all" name="family" compare="not_eq"><string>{family}</string></test>'
            for family in FAMILIES.values()
        )
        + '<edit name="family" mode="append_last"><string>DejaVu Sans</string></edit>'
        "</match>\n"
    )
    lines.append(
        '  <match target="font">'
        '<edit name="antialias" mode="assign"><bool>true</bool></edit>'
        '<edit name="hinting" mode="assign"><bool>false</bool></edit>'
        '<edit name="hintstyle" mode="assign"><const>hintnone</const></edit>'
        '<edit name="autohint" mode="assign"><bool>false</bool></edit>'
        '<edit name="rgba" mode="assign"><const>none</const></edit>'
        '<edit name="lcdfilter" mode="assign"><const>lcdnone</const></edit>'
        '<edit name="embeddedbitmap" mode="assign"><bool>false</bool></edit>'
        "</match>\n"
    )
    # Bold mono: DejaVu Sans Mono emboldened (as fontconfig's 90-synthetic.conf does).
    lines.append(
        '  <match target="font"><test name="weight" compare="less_eq"><const>medium</const>'
        '</test><test target="pattern" name="weight" compare="more_eq"><const>bold</const>'
        '</test><edit name="embolden" mode="assign"><bool>true</bool></edit>'
        '<edit name="weight" mode="assign"><const>bold</const></edit></match>\n'
    )
    lines.append("</fontconfig>\n")
    return "".join(lines)


def _load_fontconfig() -> ctypes.CDLL | None:
    import ctypes

    for name in _SONAMES:
        try:
            return ctypes.CDLL(name)
        except OSError:
            continue
    return None


@lru_cache(maxsize=1)
def activate() -> bool:
    """Make nnsvg's fontconfig configuration the process's current one (once); True
    when it is in force. Never raises: on any failure cairo keeps the system's fonts."""
    import ctypes

    if os.environ.get("NNSVG_SYSTEM_FONTS") == "1":
        return False
    lib = _load_fontconfig()
    if lib is None:
        return False
    try:
        lib.FcConfigCreate.restype = ctypes.c_void_p
        lib.FcConfigCreate.argtypes = []
        lib.FcConfigParseAndLoadFromMemory.restype = ctypes.c_int
        lib.FcConfigParseAndLoadFromMemory.argtypes = [
            ctypes.c_void_p,
            ctypes.c_char_p,
            ctypes.c_int,
        ]
        lib.FcConfigBuildFonts.restype = ctypes.c_int
        lib.FcConfigBuildFonts.argtypes = [ctypes.c_void_p]
        lib.FcConfigAppFontAddFile.restype = ctypes.c_int
        lib.FcConfigAppFontAddFile.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
        lib.FcConfigSetCurrent.restype = ctypes.c_int
        lib.FcConfigSetCurrent.argtypes = [ctypes.c_void_p]
        lib.FcConfigDestroy.restype = None
        lib.FcConfigDestroy.argtypes = [ctypes.c_void_p]
        config = lib.FcConfigCreate()
        if not config:
            return False
        ok = (
            lib.FcConfigParseAndLoadFromMemory(config, fonts_conf().encode("utf-8"), 1)
            and lib.FcConfigBuildFonts(config)
            and all(
                lib.FcConfigAppFontAddFile(config, os.fsencode(font_path(face)))
                for face in FACE_FILES
            )
            and lib.FcConfigSetCurrent(config)
        )
        if not ok:
            lib.FcConfigDestroy(config)
            return False
    except (AttributeError, OSError):  # an old fontconfig without one of these
        return False
    return True
