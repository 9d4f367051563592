"""Math in labels: ``$...$`` parsed and set as runs of text, the way TeX sets a formula.

A label without ``$`` is literal text. Between two ``$`` is math in a small,
one-line subset of LaTeX: letters in italic, digits and operators upright,
sub- and superscripts (``_`` and ``^``, braced or one token) as smaller runs on a
shifted baseline, Greek letters and symbols (``\\alpha``, ``\\sigma``, ``\\odot``,
``\\oplus``, ``\\times``, ...) as their Unicode characters, ``\\mathbb{R}`` as ℝ,
accents (``\\hat{x}``) as combining marks, operator names (``\\tanh``) upright, and
TeX's spacing around binary operators, relations and punctuation. ``\\$`` is a
dollar sign anywhere. A command outside this set is an error naming it
(:class:`MathError`); the spec checks every drawn label with :func:`parse` before
any layout.

:func:`layout` places the pieces with an injected measure, so this module needs
no fonts: it returns :class:`Placed` pieces with their x offset, baseline rise and
size in em of the label's font size, which :class:`nnsvg.engines.common.TextMaker`
turns into :class:`nnsvg.scene.TextRun` s. :func:`to_latex` gives the label back
as LaTeX for the TikZ writer (the math verbatim, the text escaped), and
:func:`plain` a one-line reading of it (``h^(1)``) for descriptions.
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

from nnsvg.mathsymbols import (
    ACCENTS,
    ALPHABETS,
    BINARY,
    CLOSERS,
    COMMANDS,
    DELIMITER_SIZES,
    FONT_COMMANDS,
    OPENERS,
    OPERATOR_NAMES,
    PUNCTUATION,
    RELATIONS,
    SPACES,
)

__all__ = ["MathError", "Placed", "has_math", "layout", "parse", "plain", "to_latex"]

SCRIPT_SCALES = (1.0, 0.7, 0.5)  # text, script, scriptscript (TeX's 10/7/5 pt)
SUP_RISE = 0.36  # em of the base's size: TeX's sup1 for text style
SUB_DROP = 0.15  # alone
SUB_DROP_BOTH = 0.24  # below a superscript
ITALIC_KERN = 0.06  # a superscript after a slanted letter starts a little later
THIN, MEDIUM, THICK = 3 / 18, 4 / 18, 5 / 18  # TeX's \, \: \; in em


class MathError(ValueError):
    """A label's math cannot be set; ``index`` is where in the label it went wrong."""

    def __init__(self, message: str, index: int) -> None:
        super().__init__(message)
        self.message = message
        self.index = index


@dataclass(frozen=True, slots=True)
class Frag:
    """Characters of one look: ``italic``/``bold`` None inherit the label's."""

    text: str
    italic: bool | None = None
    bold: bool | None = None


@dataclass(slots=True)
class Atom:
    """One unit of a math list: its class (ord, bin, rel, punct, open, close, op,
    text), its nucleus (fragments or a nested list), and its scripts."""

    cls: str
    nucleus: list[Frag] | list[Atom]
    sup: list[Atom] | None = None
    sub: list[Atom] | None = None
    space: float = 0.0  # explicit space (\, \quad) in em: an atom of no text


@dataclass(frozen=True, slots=True)
class Placed:
    """A piece of set text: ``x`` and ``rise`` in em of the label's size, ``scale``
    its size as a fraction of the label's."""

    x: float
    text: str
    width: float
    rise: float = 0.0
    scale: float = 1.0
    italic: bool | None = None
    bold: bool | None = None


Measure = Callable[[str, float, "bool | None", "bool | None"], float]
"""width in em of ``text`` at ``scale`` with ``italic`` and ``bold`` (None: inherit)."""


# -- splitting a label into text and math ------------------------------------------


def has_math(label: str) -> bool:
    """Whether a label needs setting: it has ``$`` (math or an escaped dollar)."""
    return "$" in label


def _segments(label: str) -> list[tuple[str, str, int]]:
    """(kind, text, index) with kind "text" or "math"; ``\\$`` is a literal dollar."""
    out: list[tuple[str, str, int]] = []
    buf: list[str] = []
    start = 0
    in_math = False
    i = 0
    while i < len(label):
        ch = label[i]
        if ch == "\\" and label.startswith("$", i + 1):
            buf.append("\\$" if in_math else "$")
            i += 2
            continue
        if ch == "$":
            out.append(("math" if in_math else "text", "".join(buf), start))
            buf, start, in_math = [], i + 1, not in_math
            i += 1
            continue
        buf.append(ch)
        i += 1
    if in_math:
        raise MathError(
            "has a $ that opens math and no $ closing it: close the math with $, "
            "or write \\$ for a dollar sign",
            start - 1,
        )
    out.append(("text", "".join(buf), start))
    return [seg for seg in out if seg[1] or seg[0] == "math"]


# -- parsing math ------------------------------------------------------------------


@dataclass
class _Parser:
    src: str
    offset: int  # of src within the label, for messages
    pos: int = 0
    styles: list[tuple[str, bool | None, bool | None]] = field(default_factory=list)

    def error(self, message: str, at: int | None = None) -> MathError:
        return MathError(message, self.offset + (self.pos if at is None else at))

    def peek(self) -> str:
        return self.src[self.pos] if self.pos < len(self.src) else ""

    def skip_space(self) -> None:
        while self.pos < len(self.src) and self.src[self.pos].isspace():
            self.pos += 1

    def command(self) -> tuple[str, int]:
        """The command name after a backslash at ``pos`` (a run of letters, or one
        other character), and where it starts."""
        start = self.pos
        self.pos += 1
        if self.pos >= len(self.src):
            raise self.error("ends with a lone backslash: write \\backslash for one", start)
        if self.src[self.pos].isalpha():
            end = self.pos
            while end < len(self.src) and self.src[end].isalpha():
                end += 1
            name, self.pos = self.src[self.pos : end], end
        else:
            name = self.src[self.pos]
            self.pos += 1
        return name, start

    def group(self, what: str) -> str:
        """The raw text of a braced argument (or one token), for text-like commands."""
        self.skip_space()
        if self.peek() != "{":
            if not self.peek():
                raise self.error(f"{what} needs an argument in braces")
            self.pos += 1
            return self.src[self.pos - 1]
        depth, start = 0, self.pos
        while self.pos < len(self.src):
            ch = self.src[self.pos]
            if ch == "\\":
                self.pos += 2
                continue
            depth += {"{": 1, "}": -1}.get(ch, 0)
            self.pos += 1
            if depth == 0:
                return self.src[start + 1 : self.pos - 1]
        raise self.error(f"{what} has a {{ that is never closed", start)

    def argument(self, what: str) -> list[Atom]:
        """A braced list or a single token, parsed."""
        self.skip_space()
        if not self.peek() or self.peek() in "}^_":
            raise self.error(f"{what} needs an argument (a letter or a group in braces)")
        if self.peek() == "{":
            self.pos += 1
            atoms = self.atoms(closing=True)
            return atoms
        return self.atom_list_of_one()

    def atom_list_of_one(self) -> list[Atom]:
        atom = self.token()
        return [] if atom is None else [atom]

    def atoms(self, closing: bool = False) -> list[Atom]:
        out: list[Atom] = []
        start = self.pos
        while True:
            self.skip_space()
            ch = self.peek()
            if not ch:
                if closing:
                    raise self.error("has a { that is never closed", start - 1)
                return out
            if ch == "}":
                if not closing:
                    raise self.error("has a } that closes nothing")
                self.pos += 1
                return out
            if ch in "^_":
                self.script(out, ch)
                continue
            atom = self.token()
            if atom is not None:
                out.append(atom)

    def script(self, out: list[Atom], mark: str) -> None:
        at = self.pos
        self.pos += 1
        what = "a superscript (^)" if mark == "^" else "a subscript (_)"
        body = self.argument(what)
        if not out or out[-1].space:
            out.append(Atom("ord", []))
        base = out[-1]
        slot = "sup" if mark == "^" else "sub"
        if getattr(base, slot) is not None:
            raise self.error(f"has a double {what[2:]}: group it in braces", at)
        setattr(base, slot, body)

    def style(self, italic: bool | None, bold: bool | None) -> tuple[bool | None, bool | None]:
        for _name, it, bd in reversed(self.styles):
            italic = it if italic is None else italic
            bold = bd if bold is None else bold
        return italic, bold

    def letters(self, text: str, cls: str = "ord", *, italic: bool | None = None) -> Atom:
        it, bd = self.style(None, None)
        alphabet = next((a for a, _, _ in reversed(self.styles) if a in ALPHABETS), None)
        if alphabet is not None:
            text = "".join(ALPHABETS[alphabet].get(c, c) for c in text)
        return Atom(cls, [Frag(text, italic if it is None else it, bd)])

    def token(self) -> Atom | None:
        ch = self.peek()
        if ch == "{":
            self.pos += 1
            return Atom("ord", self.atoms(closing=True))
        if ch == "\\":
            return self.control()
        self.pos += 1
        if ch.isalpha():
            return self.letters(ch, italic=ch.isascii())
        if ch in BINARY:
            return self.letters(BINARY[ch], "bin", italic=False)
        if ch in RELATIONS:
            return self.letters(RELATIONS[ch], "rel", italic=False)
        if ch in PUNCTUATION:
            return self.letters(ch, "punct", italic=False)
        if ch in OPENERS:
            return self.letters(ch, "open", italic=False)
        if ch in CLOSERS:
            return self.letters(ch, "close", italic=False)
        if ch == "'":
            return self.letters("′", italic=False)
        if ch == "&" or ch == "#" or ch == "%" or ch == "~":
            raise self.error(f"has a bare {ch}: write \\{ch} for the character", self.pos - 1)
        return self.letters(ch, italic=False)

    def control(self) -> Atom | None:
        name, start = self.command()
        if name in SPACES:
            return Atom("ord", [], space=SPACES[name])
        if name in COMMANDS:
            char, cls = COMMANDS[name]
            italic = cls == "ord" and _is_lower_greek(char)
            return self.letters(char, cls, italic=italic)
        if name in OPERATOR_NAMES:
            return Atom("op", [Frag(name, False, self.style(None, None)[1])])
        if name in ("operatorname", "text", "textrm", "mbox", "textnormal"):
            raw = self.group("\\" + name)
            text = _text_escapes(raw)
            cls = "op" if name == "operatorname" else "text"
            return Atom(cls, [Frag(text, False, self.style(None, None)[1])])
        if name in FONT_COMMANDS:
            italic, bold = FONT_COMMANDS[name]
            self.styles.append((name, italic, bold))
            try:
                body = self.argument("\\" + name)
            finally:
                self.styles.pop()
            return Atom("ord", body)
        if name in ACCENTS:
            mark = ACCENTS[name]
            body = self.argument("\\" + name)
            _accent(body, mark, every=name in ("overline", "underline", "widehat", "widetilde"))
            return Atom("ord", body)
        if name == "sqrt":
            body = self.argument("\\sqrt")
            if len(body) > 1 or (body and (body[0].sup or body[0].sub)):
                body = [self.letters("(", "open", italic=False), *body]
                body.append(self.letters(")", "close", italic=False))
            return Atom("ord", [self.letters("√", italic=False), *body])
        if name in DELIMITER_SIZES:
            self.skip_space()
            if name in ("left", "right") and self.peek() == ".":
                self.pos += 1
                return None
            return None  # the delimiter that follows is set at text size
        if name == "frac" or name == "dfrac" or name == "tfrac":
            raise self.error(
                f"uses \\{name}, which a one-line label cannot stack: write a/b", start
            )
        known = sorted({*COMMANDS, *OPERATOR_NAMES, *FONT_COMMANDS, *ACCENTS, *SPACES})
        close = difflib.get_close_matches(name, known, n=1)
        hint = f" (did you mean \\{close[0]}?)" if close else ""
        raise self.error(
            f"uses \\{name}, which nnsvg's math does not support{hint}: use the commands "
            "listed in the README (Math in labels), or write \\$ for a literal dollar sign",
            start,
        )


def _is_lower_greek(char: str) -> bool:
    return len(char) == 1 and "GREEK SMALL" in unicodedata.name(char, "")


def _text_escapes(raw: str) -> str:
    for esc in ("{", "}", "_", "$", "%", "#", "&"):
        raw = raw.replace("\\" + esc, esc)
    return raw


def _accent(atoms: list[Atom], mark: str, every: bool) -> None:
    """Put a combining ``mark`` after the first character (or after every one)."""
    frags = _frags(atoms)
    if not frags:
        return
    targets = frags if every else frags[:1]
    for atom, k in targets:
        frag = atom.nucleus[k]
        assert isinstance(frag, Frag)
        if every:
            text = "".join(c + mark for c in frag.text)
        else:
            text = frag.text[:1] + mark + frag.text[1:]
        atom.nucleus[k] = Frag(text, frag.italic, frag.bold)  # type: ignore[index]


def _frags(atoms: list[Atom]) -> list[tuple[Atom, int]]:
    out: list[tuple[Atom, int]] = []
    for atom in atoms:
        for k, item in enumerate(atom.nucleus):
            if isinstance(item, Frag):
                if item.text:
                    out.append((atom, k))
            else:
                out.extend(_frags([item]))
    return out


@lru_cache(maxsize=2048)
def parse(label: str) -> tuple[tuple[str, object], ...]:
    """The label split into ("text", str) and ("math", list of atoms) parts; raises
    :class:`MathError` for math it cannot set."""
    parts: list[tuple[str, object]] = []
    for kind, text, index in _segments(label):
        if kind == "text":
            parts.append(("text", text))
        else:
            if not text.strip():
                raise MathError("has empty math ($$): write \\$\\$ for two dollar signs", index)
            parts.append(("math", _Parser(text, index).atoms()))
    return tuple(parts)


# -- setting -----------------------------------------------------------------------

_SPACING = {  # (left class, right class) -> space in em at text level (TeX's table)
    ("ord", "op"): THIN,
    ("op", "ord"): THIN,
    ("op", "op"): THIN,
    ("close", "op"): THIN,
    ("punct", "ord"): THIN,
    ("punct", "op"): THIN,
    ("punct", "open"): THIN,
    ("punct", "close"): THIN,
    ("punct", "punct"): THIN,
    ("punct", "rel"): THIN,
    ("punct", "text"): THIN,
}


def _space(left: str | None, right: str) -> float:
    if left is None:
        return 0.0
    if right == "bin" or left == "bin":
        return MEDIUM
    if right == "rel" or left == "rel":
        return 0.0 if left == right else THICK
    return _SPACING.get((left, right), 0.0)


def _classes(atoms: list[Atom]) -> list[str]:
    """Each atom's class after TeX's rule: a binary operator with nothing, an
    operator, a relation or an opening before it (or a relation or closing after
    it) is an ordinary symbol (a unary minus)."""
    out: list[str] = []
    for k, atom in enumerate(atoms):
        cls = atom.cls
        prev = out[-1] if out else None
        if cls == "bin":
            after = atoms[k + 1].cls if k + 1 < len(atoms) else None
            if prev in (None, "bin", "op", "rel", "open", "punct") or after in (
                None,
                "rel",
                "close",
                "punct",
            ):
                cls = "ord"
        out.append(cls)
    return out


@dataclass
class _Setter:
    measure: Measure
    out: list[Placed] = field(default_factory=list)

    def frag(self, frag: Frag, x: float, rise: float, level: int) -> float:
        scale = SCRIPT_SCALES[level]
        width = self.measure(frag.text, scale, frag.italic, frag.bold)
        self.out.append(Placed(x, frag.text, width, rise, scale, frag.italic, frag.bold))
        return x + width

    def hlist(self, atoms: list[Atom], x: float, rise: float, level: int) -> float:
        classes = _classes(atoms)
        prev: str | None = None
        for atom, cls in zip(atoms, classes, strict=True):
            if atom.space:
                x += atom.space * SCRIPT_SCALES[level]
                continue
            if level == 0:
                x += _space(prev, cls)
            x = self.atom(atom, x, rise, level)
            prev = cls
        return x

    def atom(self, atom: Atom, x: float, rise: float, level: int) -> float:
        end = x
        last_italic = False
        for item in atom.nucleus:
            if isinstance(item, Frag):
                end = self.frag(item, end, rise, level)
                last_italic = bool(item.italic) and item.text[-1:].isalpha()
            else:
                end = self.atom(item, end, rise, level)
        if atom.sup is None and atom.sub is None:
            return end
        scale = SCRIPT_SCALES[level]
        inner = min(level + 1, 2)
        right = end
        if atom.sup is not None:
            kern = ITALIC_KERN * scale if last_italic else 0.0
            right = max(right, self.hlist(atom.sup, end + kern, rise + SUP_RISE * scale, inner))
        if atom.sub is not None:
            drop = (SUB_DROP_BOTH if atom.sup is not None else SUB_DROP) * scale
            right = max(right, self.hlist(atom.sub, end, rise - drop, inner))
        return right


def layout(label: str, measure: Measure) -> tuple[list[Placed], float]:
    """The label's pieces placed with ``measure``, and its total width (em)."""
    setter = _Setter(measure)
    x = 0.0
    for kind, part in parse(label):
        if kind == "text":
            x = setter.frag(Frag(str(part)), x, 0.0, 0)
        else:
            x = setter.hlist(part, x, 0.0, 0)  # type: ignore[arg-type]
    return [p for p in setter.out if p.text], x


# -- other readings ----------------------------------------------------------------


def plain(label: str) -> str:
    """A one-line plain reading of a label, for descriptions and titles: math
    written out with ^ and _, a script in parentheses unless it is letters and
    digits (``h^(1)``, ``W_hh``, ``ℝ^784``, ``x^(i+1)``).

    >>> plain(r"$h^{(1)} = \\tanh(W_{hh} h)$, cost \\$5")
    'h^(1) = tanh(W_hh h), cost $5'
    """
    if not has_math(label):
        return label
    out: list[str] = []
    for kind, part in parse(label):
        out.append(str(part) if kind == "text" else _plain_list(part))  # type: ignore[arg-type]
    return "".join(out)


def _plain_list(atoms: list[Atom]) -> str:
    out = []
    for k, (atom, cls) in enumerate(zip(atoms, _classes(atoms), strict=True)):
        out.append(_plain_atom(atom, cls))
        after = atoms[k + 1].cls if k + 1 < len(atoms) else None
        if after == "ord" and (atom.cls == "op" or atom.sup or atom.sub):
            out.append(" ")  # "tanh z", "W_hh h"
    return "".join(out)


def _plain_atom(atom: Atom, cls: str) -> str:
    if atom.space:
        return " " if atom.space >= THICK else ""
    text = "".join(
        item.text if isinstance(item, Frag) else _plain_atom(item, item.cls)
        for item in atom.nucleus
    )
    if cls in ("bin", "rel") and text:
        text = f" {text} "
    for mark, script in (("_", atom.sub), ("^", atom.sup)):
        if script is not None:
            inner = _plain_list(script).strip()
            bare = inner.isalnum() or (inner[:1] == "(" and inner[-1:] == ")")
            text += mark + (inner if bare else f"({inner})")
    return text


def to_latex(label: str, escape: Callable[[str], str]) -> str:
    """The label as LaTeX: text parts through ``escape``, math verbatim in ``$``."""
    out: list[str] = []
    for kind, text, _index in _segments(label):
        out.append(escape(text) if kind == "text" else f"${text}$")
    return "".join(out)
