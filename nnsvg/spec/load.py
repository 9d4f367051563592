"""Read a spec file (YAML or JSON) into plain Python data, remembering positions.

:func:`load_document` / :func:`parse_document` return a :class:`Document`: the
data as plain Python values (``dict`` keeping insertion order, ``list``,
``str``, ``int``, ``float``, ``bool``, ``None``) plus the 1-based line and
column where every value (and every mapping key) starts, so that validation can
report ``spec.yaml:7:5: layers[2].units: must be a positive integer, got -3``.

Every failure is a :class:`~nnsvg.errors.SpecError` (a
:class:`~nnsvg.errors.LimitError` for size limits) carrying a
:class:`~nnsvg.errors.Location`; no other exception escapes for bad input.

The readers live in :mod:`nnsvg.spec.yaml_read` and :mod:`nnsvg.spec.json_read`;
:class:`Document` and the messages they share in :mod:`nnsvg.spec.document`.

How YAML is read
----------------
Nothing is ever constructed by a YAML loader: the event stream of PyYAML's
*safe* parser (its libyaml-backed ``CSafeLoader`` when available, else the
pure-Python ``SafeLoader``) is composed into a small node tree here, and only
scalars are turned into values, with ``SafeLoader``'s own scalar constructors
(``3`` is an int, ``0.5`` a float, ``true`` a bool, ``~`` ``None``; ``.nan`` and
``.inf`` stay floats, validation rejects them later). Composing ourselves, rather
than calling ``yaml.compose``, keeps a 10,000-layer spec well under a second
(the pure-Python composer needs over a second for it) and lets the size limits
act *while* reading: libyaml's own composer recurses in C and crashes the
interpreter on deeply nested input, and alias expansion ("billion laughs") is
refused as soon as the count of values passes :data:`MAX_NODES`.

Decisions worth knowing:

* Only the standard scalar tags are accepted (``!!str``, ``!!int``,
  ``!!float``, ``!!bool``, ``!!null``, plus ``!!seq``/``!!map``); any other
  tag (``!!python/object``, ``!!binary``, ``!!set``, ``!foo``) is an error.
  A plain scalar that YAML 1.1 reads as a timestamp (``2024-01-31``) is kept
  as the string it was written as.
* Anchors and aliases work. A value reached through an alias is located at the
  alias (``*name``); values inside it at their place under the anchor. An alias
  to a node that contains it is an error, and so is an alias to an anchor not
  yet defined.
* Merge keys work as in YAML 1.1: ``<<: *base`` or ``<<: [*a, *b]`` (or an
  inline mapping) copies the entries of the merged mappings; keys given
  explicitly in the mapping win, and among several merged mappings the earlier
  one wins. Merged keys come first in the resulting ``dict``. A merged value is
  located where it is written in the merged mapping.
* Keys must be strings; duplicate keys are an error (merged keys overridden by
  explicit ones are not duplicates).
* JSON files (``.json`` or ``fmt="json"``) are parsed by :mod:`json` (its data
  and its syntax errors); positions come from reading the same text as YAML
  (JSON is flow-style YAML). Should that fail, every value is located at line
  1, column 1 rather than the load failing. A JSON key given twice is an error.
* Line breaks may be LF, CRLF or CR. Bytes are decoded as UTF-8 (a UTF-8 BOM is
  dropped); UTF-16 and UTF-32 are accepted when the file starts with their BOM.
* A string holding a lone surrogate (JSON's ``"\\ud800"``, half a character) is an
  error at its place: it is not Unicode text, and could not be written to a figure.
"""

from __future__ import annotations

import codecs
import os

from nnsvg.errors import LimitError, Location, SpecError
from nnsvg.spec.document import (
    MAX_DEPTH,
    MAX_NODES,
    MAX_SPEC_BYTES,
    Document,
    Path_,
    format_path,
    line_col,
)
from nnsvg.spec.json_read import parse_json
from nnsvg.spec.yaml_read import parse_yaml

__all__ = [
    "MAX_DEPTH",
    "MAX_NODES",
    "MAX_SPEC_BYTES",
    "Document",
    "Path_",
    "format_path",
    "load_document",
    "parse_document",
]


def load_document(path: str | os.PathLike[str]) -> Document:
    """Read the spec file at ``path`` (YAML, or JSON for ``.json``) into a :class:`Document`;
    a regular file only, checked before it is opened (:mod:`nnsvg.safe_files`)."""
    from nnsvg.safe_files import FileRefused, read_regular, regular_file

    file = os.fsdecode(os.fspath(path))
    where = Location(file)
    try:
        size = regular_file(file).st_size
        if size > MAX_SPEC_BYTES:
            raise _too_large(size, where)
        data = read_regular(file, MAX_SPEC_BYTES)
    except FileRefused as exc:
        reason = _READ_REASONS.get(str(exc), str(exc))
        if reason.startswith("larger than"):  # grew since the stat: at least this large
            raise _too_large(MAX_SPEC_BYTES + 1, where) from None
        raise SpecError(f"cannot read spec: {reason}", location=where) from None
    return parse_document(data, file)


_READ_REASONS = {
    "a folder, not a file": "it is a directory; give the path of a .yaml or .json file",
    "not a directory": "no such file (part of the path is not a directory)",
}


def parse_document(text: str | bytes, file: str = "<spec>", *, fmt: str | None = None) -> Document:
    """Parse spec text (``str`` or undecoded ``bytes``) into a :class:`Document`.

    ``fmt`` is ``"yaml"`` or ``"json"``; ``None`` picks JSON for a ``.json``
    file name and YAML otherwise. ``file`` is only used in locations.
    """
    if fmt is None:
        fmt = "json" if os.path.splitext(file)[1].lower() == ".json" else "yaml"
    elif fmt not in ("yaml", "json"):
        raise SpecError(
            f"unknown spec format {fmt!r}; expected 'yaml' or 'json'", location=Location(file)
        )
    if isinstance(text, bytes):
        if len(text) > MAX_SPEC_BYTES:
            raise _too_large(len(text), Location(file))
        text = _decode(text, file)
    elif len(text) > MAX_SPEC_BYTES // 4:
        size = len(text.encode("utf-8", "surrogatepass"))
        if size > MAX_SPEC_BYTES:
            raise _too_large(size, Location(file))
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if fmt == "json":
        return parse_json(text, file)
    return parse_yaml(text, file)


# --------------------------------------------------------------------------- text


def _too_large(size: int, where: Location) -> LimitError:
    return LimitError(
        f"the spec file is too large ({size} bytes); "
        f"at most {MAX_SPEC_BYTES // (1024 * 1024)} MiB ({MAX_SPEC_BYTES} bytes) is allowed",
        location=where,
    )


def _decode(data: bytes, file: str) -> str:
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        encoding, name = "utf-32", "UTF-32"
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding, name = "utf-16", "UTF-16"
    else:
        encoding, name = "utf-8", "UTF-8"
        if data.startswith(codecs.BOM_UTF8):
            data = data[len(codecs.BOM_UTF8) :]
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        before = data[: exc.start].decode(encoding, "replace").lstrip("\ufeff")
        before = before.replace("\r\n", "\n").replace("\r", "\n")
        line, column = line_col(before, len(before))
        raise SpecError(
            f"not valid {name} (byte 0x{data[exc.start]:02x}); save the file as UTF-8",
            location=Location(file, line, column),
        ) from None
