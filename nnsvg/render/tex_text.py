"""Labels as LaTeX text for the TikZ writer (:mod:`nnsvg.render.tex`): any label compiles
with pdfLaTeX, XeLaTeX or LuaLaTeX and no package beyond the kernel: LaTeX's special
characters escaped, superscript digits as ``\\textsuperscript``, Greek letters and
operators as math, ``ℝ`` as ``\\mathbb{R}`` when amssymb is loaded (bold otherwise)."""

from __future__ import annotations

__all__ = ["escape"]

_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "#": r"\#",
    "$": r"\$",
    "%": r"\%",
    "&": r"\&",
    "_": r"\_",
    "~": r"\~{}",  # not \textasciitilde: a TS1 glyph, so a bitmap font in pdfLaTeX
    "^": r"\^{}",
    # Ligatures and specials of T1/OT1 fonts that are not what the label says.
    "<": r"\textless{}",
    ">": r"\textgreater{}",
    "|": r"\textbar{}",
    "-": "-{}",
    "'": "'{}",
    "`": "`{}",
    '"': "''",  # OT1 has no straight double quote
    "\u00a0": "~",
}
_SUPERSCRIPTS = dict(zip("⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿⁱ", "0123456789+-=()ni"))
_SUBSCRIPTS = dict(zip("₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎", "0123456789+-=()"))
_GREEK = dict(
    zip(
        "αβγδεζηθικλμνξπρστυφχψωϵϑϕϖϱς",
        [
            "alpha",
            "beta",
            "gamma",
            "delta",
            "varepsilon",
            "zeta",
            "eta",
            "theta",
            "iota",
            "kappa",
            "lambda",
            "mu",
            "nu",
            "xi",
            "pi",
            "rho",
            "sigma",
            "tau",
            "upsilon",
            "varphi",
            "chi",
            "psi",
            "omega",
            "epsilon",
            "vartheta",
            "phi",
            "varpi",
            "varrho",
            "varsigma",
        ],
    )
)
_GREEK.update(
    zip(
        "ΓΔΘΛΞΠΣΥΦΨΩ",
        [
            "Gamma",
            "Delta",
            "Theta",
            "Lambda",
            "Xi",
            "Pi",
            "Sigma",
            "Upsilon",
            "Phi",
            "Psi",
            "Omega",
        ],
    )
)
_GREEK_LATIN = dict(zip("ΑΒΕΖΗΙΚΜΝΟΡΤΧο", "ABEZHIKMNOPTXo"))
_MATH = {
    "×": r"\times",
    "−": "-",
    "‖": r"\|",
    "·": r"\cdot",
    "⋅": r"\cdot",
    "±": r"\pm",
    "÷": r"\div",
    "→": r"\to",
    "←": r"\leftarrow",
    "↔": r"\leftrightarrow",
    "≤": r"\leq",
    "≥": r"\geq",
    "≠": r"\neq",
    "≈": r"\approx",
    "∞": r"\infty",
    "∑": r"\sum",
    "∏": r"\prod",
    "∈": r"\in",
    "∘": r"\circ",
    "⊙": r"\odot",
    "⊗": r"\otimes",
    "⊕": r"\oplus",
    "√": r"\surd",
    "∂": r"\partial",
    "∇": r"\nabla",
    "°": r"{}^\circ",
    "ℓ": r"\ell",
}
_TEXT = {"…": r"\dots{}", "–": "--", "—": "---", "‘": "`", "’": "'", "“": "``", "”": "''"}
_BLACKBOARD = dict.fromkeys("ℝℕℤℚℂ")
_BLACKBOARD_LETTER = dict(zip("ℝℕℤℚℂ", "RNZQC"))


def escape(text: str) -> str:
    """``text`` as LaTeX that typesets it, in text mode, with pdfLaTeX, XeLaTeX or
    LuaLaTeX and no package beyond the kernel (see the module's notes).

    >>> print(escape("50% of $x_1$ & {y} #2 ~ ^ \\\\"))
    50\\% of \\$x\\_1\\$ \\& \\{y\\} \\#2 \\~{} \\^{} \\textbackslash{}
    >>> print(escape("ℝ⁷×α"))
    \\ifdefined\\mathbb\\ensuremath{\\mathbb{R}}\\else\\textbf{R}\\fi\\textsuperscript{7}\
\\ensuremath{\\times}\\ensuremath{\\alpha}
    """
    out: list[str] = []
    k = 0
    while k < len(text):
        ch = text[k]
        if ch in _SUPERSCRIPTS or ch in _SUBSCRIPTS:
            table = _SUPERSCRIPTS if ch in _SUPERSCRIPTS else _SUBSCRIPTS
            end = k
            while end < len(text) and text[end] in table:
                end += 1
            run = "".join(escape(table[c]) for c in text[k:end])
            command = "textsuperscript" if table is _SUPERSCRIPTS else "textsubscript"
            out.append(f"\\{command}{{{run}}}")
            k = end
            continue
        out.append(_escape_char(ch))
        k += 1
    return "".join(out)


def _escape_char(ch: str) -> str:
    code = ord(ch)
    if ch in _SPECIAL:
        return _SPECIAL[ch]
    if 0x20 <= code < 0x7F:
        return ch
    if code < 0x20 or 0x7F <= code < 0xA0 or 0xD800 <= code < 0xE000 or code in (0xFFFE, 0xFFFF):
        return ""  # control characters, lone surrogates: nothing LaTeX can show
    if ch in _GREEK:
        return f"\\ensuremath{{\\{_GREEK[ch]}}}"
    if ch in _GREEK_LATIN:
        return f"\\ensuremath{{\\mathrm{{{_GREEK_LATIN[ch]}}}}}"
    if ch in _MATH:
        return f"\\ensuremath{{{_MATH[ch]}}}"
    if ch in _TEXT:
        return _TEXT[ch]
    if ch in _BLACKBOARD_LETTER:
        letter = _BLACKBOARD_LETTER[ch]
        return (
            f"\\ifdefined\\mathbb\\ensuremath{{\\mathbb{{{letter}}}}}\\else\\textbf{{{letter}}}\\fi"
        )
    if 0xA0 < code <= 0xFF and ch not in "ª«¬­¯´µ¸º»":
        return ch  # Latin-1: LaTeX's UTF-8 input sets these up
    # Anything else: the character itself in a Unicode engine, "?" in pdfLaTeX (a
    # skipped branch never expands the character, so pdfLaTeX does not see it).
    return f"\\ifdefined\\Umathchar {ch}\\else ?\\fi{{}}"
