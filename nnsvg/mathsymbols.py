"""The tables of nnsvg's label math (:mod:`nnsvg.mathtext`): LaTeX command -> Unicode.

Each symbol has TeX's class, which decides the space around it: ``ord`` (none),
``bin`` (a binary operator: a medium space each side), ``rel`` (a relation: a thick
space each side), ``punct``, ``open``, ``close``. The README's "Math in labels"
section lists the same commands (a test checks it names every one).
"""

from __future__ import annotations

__all__ = [
    "ACCENTS",
    "ALPHABETS",
    "BINARY",
    "CLOSERS",
    "COMMANDS",
    "DELIMITER_SIZES",
    "FONT_COMMANDS",
    "OPENERS",
    "OPERATOR_NAMES",
    "PUNCTUATION",
    "RELATIONS",
    "SPACES",
]

_LOWER_GREEK = {
    "alpha": "α",
    "beta": "β",
    "gamma": "γ",
    "delta": "δ",
    "epsilon": "ϵ",
    "varepsilon": "ε",
    "zeta": "ζ",
    "eta": "η",
    "theta": "θ",
    "vartheta": "ϑ",
    "iota": "ι",
    "kappa": "κ",
    "lambda": "λ",
    "mu": "μ",
    "nu": "ν",
    "xi": "ξ",
    "pi": "π",
    "varpi": "ϖ",
    "rho": "ρ",
    "varrho": "ϱ",
    "sigma": "σ",
    "varsigma": "ς",
    "tau": "τ",
    "upsilon": "υ",
    "phi": "ϕ",
    "varphi": "φ",
    "chi": "χ",
    "psi": "ψ",
    "omega": "ω",
}
_UPPER_GREEK = {
    "Gamma": "Γ",
    "Delta": "Δ",
    "Theta": "Θ",
    "Lambda": "Λ",
    "Xi": "Ξ",
    "Pi": "Π",
    "Sigma": "Σ",
    "Upsilon": "Υ",
    "Phi": "Φ",
    "Psi": "Ψ",
    "Omega": "Ω",
}
_BINARY_COMMANDS = {
    "times": "×",
    "cdot": "·",
    "odot": "⊙",
    "oplus": "⊕",
    "otimes": "⊗",
    "ominus": "⊖",
    "circ": "∘",
    "bullet": "∙",
    "pm": "±",
    "mp": "∓",
    "div": "÷",
    "ast": "∗",
    "star": "⋆",
    "cup": "∪",
    "cap": "∩",
    "wedge": "∧",
    "vee": "∨",
    "setminus": "∖",
}
_RELATION_COMMANDS = {
    "leq": "≤",
    "le": "≤",
    "geq": "≥",
    "ge": "≥",
    "neq": "≠",
    "ne": "≠",
    "approx": "≈",
    "sim": "∼",
    "simeq": "≃",
    "equiv": "≡",
    "propto": "∝",
    "in": "∈",
    "notin": "∉",
    "ni": "∋",
    "subset": "⊂",
    "subseteq": "⊆",
    "supset": "⊃",
    "supseteq": "⊇",
    "to": "→",
    "rightarrow": "→",
    "leftarrow": "←",
    "gets": "←",
    "leftrightarrow": "↔",
    "Rightarrow": "⇒",
    "Leftarrow": "⇐",
    "Leftrightarrow": "⇔",
    "mapsto": "↦",
    "ll": "≪",
    "gg": "≫",
    "mid": "∣",
    "perp": "⊥",
}
_ORDINARY_COMMANDS = {
    "infty": "∞",
    "partial": "∂",
    "nabla": "∇",
    "ell": "ℓ",
    "hbar": "ℏ",
    "forall": "∀",
    "exists": "∃",
    "emptyset": "∅",
    "varnothing": "∅",
    "neg": "¬",
    "sum": "∑",
    "prod": "∏",
    "int": "∫",
    "ldots": "…",
    "dots": "…",
    "cdots": "⋯",
    "vdots": "⋮",
    "prime": "′",
    "top": "⊤",
    "bot": "⊥",
    "dagger": "†",
    "angle": "∠",
    "|": "‖",
    "Vert": "‖",
    "vert": "|",
    "$": "$",
    "%": "%",
    "#": "#",
    "&": "&",
    "_": "_",
    "backslash": "\\",
}
_DELIMITER_COMMANDS = {
    "{": ("{", "open"),
    "}": ("}", "close"),
    "lbrace": ("{", "open"),
    "rbrace": ("}", "close"),
    "langle": ("⟨", "open"),
    "rangle": ("⟩", "close"),
    "lceil": ("⌈", "open"),
    "rceil": ("⌉", "close"),
    "lfloor": ("⌊", "open"),
    "rfloor": ("⌋", "close"),
    "lVert": ("‖", "open"),
    "rVert": ("‖", "close"),
    "lvert": ("|", "open"),
    "rvert": ("|", "close"),
}

# command -> (character, class)
COMMANDS: dict[str, tuple[str, str]] = {
    **{name: (char, "ord") for name, char in _LOWER_GREEK.items()},
    **{name: (char, "ord") for name, char in _UPPER_GREEK.items()},
    **{name: (char, "ord") for name, char in _ORDINARY_COMMANDS.items()},
    **{name: (char, "bin") for name, char in _BINARY_COMMANDS.items()},
    **{name: (char, "rel") for name, char in _RELATION_COMMANDS.items()},
    **_DELIMITER_COMMANDS,
}

# Characters typed as themselves.
BINARY = {"+": "+", "-": "−", "*": "∗", "×": "×", "·": "·", "⊙": "⊙", "⊕": "⊕", "⊗": "⊗"}
RELATIONS = {"=": "=", "<": "<", ">": ">", ":": ":", "≤": "≤", "≥": "≥", "→": "→"}
PUNCTUATION = ",;"
OPENERS = "([⟨"
CLOSERS = ")]⟩!?"

# Upright operator names (\tanh -> "tanh"); only LaTeX's own, so that a label means
# the same in the TikZ output (write \operatorname{argmax} for others).
OPERATOR_NAMES = frozenset(
    {
        "sin", "cos", "tan", "sinh", "cosh", "tanh", "exp", "log", "ln", "lg", "max",
        "min", "arg", "sup", "inf", "lim", "det", "dim", "ker", "deg", "Pr", "gcd",
    }
)  # fmt: skip

# Spacing commands -> em.
SPACES = {",": 3 / 18, ":": 4 / 18, ">": 4 / 18, ";": 5 / 18, "!": -3 / 18, " ": 1 / 3}
SPACES |= {"quad": 1.0, "qquad": 2.0, "thinspace": 3 / 18}

# Font commands -> (italic, bold): None keeps the surrounding choice.
FONT_COMMANDS: dict[str, tuple[bool | None, bool | None]] = {
    "mathrm": (False, None),
    "mathit": (True, None),
    "mathbf": (False, True),
    "boldsymbol": (True, True),
    "mathbb": (False, None),
    "mathcal": (False, None),
    "mathfrak": (False, None),
    "textbf": (False, True),
    "textit": (True, None),
}

# Alphabets drawn from Unicode's mathematical letters.
_DOUBLE_STRUCK_EXCEPTIONS = {
    "C": "ℂ",
    "H": "ℍ",
    "N": "ℕ",
    "P": "ℙ",
    "Q": "ℚ",
    "R": "ℝ",
    "Z": "ℤ",
}
_SCRIPT_EXCEPTIONS = {
    "B": "ℬ",
    "E": "ℰ",
    "F": "ℱ",
    "H": "ℋ",
    "I": "ℐ",
    "L": "ℒ",
    "M": "ℳ",
    "R": "ℛ",
}
_FRAKTUR_EXCEPTIONS = {"C": "ℭ", "H": "ℌ", "I": "ℑ", "R": "ℜ", "Z": "ℨ"}


def _alphabet(capital: int, small: int | None, exceptions: dict[str, str]) -> dict[str, str]:
    table = {chr(65 + k): chr(capital + k) for k in range(26)}
    if small is not None:
        table |= {chr(97 + k): chr(small + k) for k in range(26)}
    return table | exceptions


ALPHABETS: dict[str, dict[str, str]] = {
    "mathbb": _alphabet(0x1D538, 0x1D552, _DOUBLE_STRUCK_EXCEPTIONS)
    | {str(d): chr(0x1D7D8 + d) for d in range(10)},
    "mathcal": _alphabet(0x1D49C, None, _SCRIPT_EXCEPTIONS),
    "mathfrak": _alphabet(0x1D504, 0x1D51E, _FRAKTUR_EXCEPTIONS),
}

# Accents -> the combining mark set after their argument's first character.
ACCENTS = {
    "hat": "\u0302",
    "widehat": "\u0302",
    "tilde": "\u0303",
    "widetilde": "\u0303",
    "bar": "\u0304",
    "overline": "\u0305",
    "underline": "\u0332",
    "vec": "\u20d7",
    "dot": "\u0307",
    "ddot": "\u0308",
    "check": "\u030c",
    "breve": "\u0306",
    "acute": "\u0301",
    "grave": "\u0300",
}

# Delimiter sizes, which a one-line label sets at text size.
DELIMITER_SIZES = frozenset(
    {"left", "right", "big", "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl", "Bigr", "middle"}
)
