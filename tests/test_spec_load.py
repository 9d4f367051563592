"""Tests for nnsvg.spec.load: plain data, positions, and every way a spec file can be wrong."""

from __future__ import annotations

import json
import math
import os
import re
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nnsvg import safe_files
from nnsvg.errors import LimitError, Location, SpecError
from nnsvg.spec import yaml_read
from nnsvg.spec.load import (
    MAX_DEPTH,
    MAX_NODES,
    MAX_SPEC_BYTES,
    Document,
    format_path,
    load_document,
    parse_document,
)

LOADERS = [yaml.SafeLoader] + ([yaml.CSafeLoader] if yaml.__with_libyaml__ else [])
DEFAULT_LOADER = yaml_read.LOADER


@pytest.fixture(params=LOADERS, ids=lambda loader: loader.__name__)
def each_loader(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run a test with the pure-Python parser and, when present, the libyaml one."""
    monkeypatch.setattr(yaml_read, "LOADER", request.param)


def fails(
    text: str | bytes,
    line: int | None,
    column: int | None,
    phrase: str,
    *,
    file: str = "spec.yaml",
    exc_type: type[SpecError] = SpecError,
    fmt: str | None = None,
) -> SpecError:
    """Parse ``text``, expecting exactly ``exc_type`` at ``line:column`` with ``phrase``."""
    with pytest.raises(SpecError) as info:
        parse_document(text, file, fmt=fmt)
    error = info.value
    assert type(error) is exc_type, error
    assert error.location == Location(file, line, column), error
    assert phrase in error.message, error
    return error


def at(doc: Document, *path: str | int) -> tuple[int | None, int | None]:
    where = doc.location(path)
    assert where.file == doc.file
    return where.line, where.column


def key_at(doc: Document, *path: str | int) -> tuple[int | None, int | None]:
    where = doc.key_location(path)
    return where.line, where.column


def all_paths(value: Any, path: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    paths = [path]
    if isinstance(value, dict):
        for key, item in value.items():
            paths += all_paths(item, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            paths += all_paths(item, (*path, i))
    return paths


SPEC = """\
# a small network
title: MLP
layers:
  - units: 784
    label: input
  - {units: 300, label: hidden}
  - units: -3
sizes: [784, 300, -3]
nested:
  deeper:
    - [1, [2, 3]]
"""


# --------------------------------------------------------------------------- format_path


@pytest.mark.parametrize(
    ("path", "text"),
    [
        (("layers", 2, "units"), "layers[2].units"),
        ((), ""),
        (("title",), "title"),
        ((0,), "[0]"),
        (("a", 0, 1, "b_c-d"), "a[0][1].b_c-d"),
        (("a b", "c"), '["a b"].c'),
        (("layers", "2"), 'layers["2"]'),
        (("x", "a.b"), 'x["a.b"]'),
    ],
)
def test_format_path(path: tuple[str | int, ...], text: str) -> None:
    assert format_path(path) == text


# --------------------------------------------------------------------------- data and marks


def test_data_is_plain_python(each_loader: None) -> None:
    doc = parse_document(SPEC, "spec.yaml")
    assert doc.file == "spec.yaml"
    assert doc.data == {
        "title": "MLP",
        "layers": [
            {"units": 784, "label": "input"},
            {"units": 300, "label": "hidden"},
            {"units": -3},
        ],
        "sizes": [784, 300, -3],
        "nested": {"deeper": [[1, [2, 3]]]},
    }
    assert list(doc.data) == ["title", "layers", "sizes", "nested"]
    assert type(doc.data) is dict and type(doc.data["layers"]) is list


def test_marks_of_block_and_flow_values(each_loader: None) -> None:
    doc = parse_document(SPEC, "spec.yaml")
    assert at(doc) == (2, 1)
    assert at(doc, "title") == (2, 8)
    assert at(doc, "layers") == (4, 3)
    assert at(doc, "layers", 0) == (4, 5)
    assert at(doc, "layers", 0, "units") == (4, 12)
    assert at(doc, "layers", 0, "label") == (5, 12)
    assert at(doc, "layers", 1) == (6, 5)
    assert at(doc, "layers", 1, "units") == (6, 13)
    assert at(doc, "layers", 1, "label") == (6, 25)
    assert at(doc, "layers", 2, "units") == (7, 12)
    assert at(doc, "sizes") == (8, 8)
    assert at(doc, "sizes", 0) == (8, 9)
    assert at(doc, "sizes", 2) == (8, 19)
    assert at(doc, "nested", "deeper", 0, 1, 1) == (11, 15)


def test_key_location_versus_location(each_loader: None) -> None:
    doc = parse_document(SPEC, "spec.yaml")
    assert key_at(doc, "layers", 2, "units") == (7, 5)
    assert at(doc, "layers", 2, "units") == (7, 12)
    assert key_at(doc, "layers", 1, "label") == (6, 18)
    assert key_at(doc, "sizes") == (8, 1)
    # No key for list items or the root: falls back to the value.
    assert key_at(doc, "layers", 1) == at(doc, "layers", 1) == (6, 5)
    assert key_at(doc) == at(doc) == (2, 1)


def test_missing_paths_fall_back_to_nearest_ancestor() -> None:
    doc = parse_document(SPEC, "spec.yaml")
    assert at(doc, "layers", 2, "activation") == (7, 5)
    assert key_at(doc, "layers", 2, "activation") == (7, 5)
    assert at(doc, "layers", 9, "units") == (4, 3)
    assert at(doc, "nope") == (2, 1)
    assert doc.location(["layers", 2, "units"]) == Location("spec.yaml", 7, 12)


def test_default_file_name_and_document_without_marks() -> None:
    assert parse_document("a: 1\n").file == "<spec>"
    assert Document({"a": 1}, "x.yaml").location(("a",)) == Location("x.yaml")


def test_scalar_types(each_loader: None) -> None:
    text = (
        "i: 3\nneg: -3\nf: 0.5\nb: true\nn: ~\nnull2: null\nempty:\nnan: .nan\ninf: .inf\n"
        "ninf: -.inf\nhex: 0x1F\nunder: 1_000\ns: '3'\nstr_tag: !!str 3\nint_tag: !!int '7'\n"
        "date: 2024-01-31\nexp: 1.0e+5\nbig: 123456789012345678901234567890\n"
    )
    data = parse_document(text).data
    assert data["i"] == 3 and type(data["i"]) is int
    assert data["neg"] == -3
    assert data["f"] == 0.5 and type(data["f"]) is float
    assert data["b"] is True
    assert data["n"] is None and data["null2"] is None and data["empty"] is None
    assert math.isnan(data["nan"])
    assert data["inf"] == math.inf and data["ninf"] == -math.inf
    assert data["hex"] == 31 and data["under"] == 1000
    assert data["s"] == "3" and data["str_tag"] == "3" and data["int_tag"] == 7
    assert data["date"] == "2024-01-31"
    assert data["exp"] == 100000.0
    assert data["big"] == 123456789012345678901234567890


def test_yaml_and_json_give_the_same_data_and_json_is_located() -> None:
    doc_yaml = parse_document(SPEC, "spec.yaml")
    text = json.dumps(doc_yaml.data, indent=2)
    doc_json = parse_document(text, "spec.json")
    assert doc_json.data == doc_yaml.data
    assert list(doc_json.data) == list(doc_yaml.data)
    lines = text.split("\n")
    # '"title": "MLP",' is on line 2; the value starts after '"title": '.
    assert lines[1] == '  "title": "MLP",'
    assert at(doc_json, "title") == (2, 12)
    assert key_at(doc_json, "title") == (2, 3)
    line, column = at(doc_json, "layers", 2, "units")
    assert line is not None and column is not None
    assert lines[line - 1][column - 1 :] == "-3"
    key_line, key_column = key_at(doc_json, "layers", 2, "units")
    assert (key_line, lines[key_line - 1][key_column - 1 :]) == (line, '"units": -3')


def test_json_suffix_and_fmt_override() -> None:
    text = '{"a": 1e5, "b": [true, null]}'
    assert parse_document(text, "x.JSON").data == {"a": 100000.0, "b": [True, None]}
    assert parse_document(text, "x.yaml", fmt="json").data["a"] == 100000.0
    # Read as YAML 1.1, 1e5 (no dot) is a string.
    assert parse_document(text, "x.yaml").data["a"] == "1e5"
    assert parse_document("a: 1\n", "x.json", fmt="yaml").data == {"a": 1}
    fails("a: 1\n", None, None, "unknown spec format 'toml'", fmt="toml")


def test_json_with_tabs_escapes_and_compact_layout() -> None:
    text = '{\n\t"name": "caf\\u00e9 \\ud83d\\ude00 \\"q\\" \\\\",\n\t"n":[1,\t2]}'
    doc = parse_document(text, "x.json")
    assert doc.data == {"name": 'café 😀 "q" \\', "n": [1, 2]}
    assert at(doc, "name") == (2, 10)
    assert key_at(doc, "n") == (3, 2)
    assert at(doc, "n", 1) == (3, 10)


def test_json_positions_fall_back_to_line_1_when_yaml_cannot_read_it() -> None:
    # A JSON key longer than YAML allows for a simple key.
    text = '{\n"' + "k" * 2000 + '": {"x": 1}}'
    doc = parse_document(text, "x.json")
    assert doc.data == {"k" * 2000: {"x": 1}}
    for path in all_paths(doc.data):
        assert doc.location(path).line is not None
        assert doc.location(path).line >= 1


def test_crlf_and_cr_line_endings(each_loader: None) -> None:
    lf = parse_document(SPEC, "spec.yaml")
    for ending in ("\r\n", "\r"):
        doc = parse_document(SPEC.replace("\n", ending).encode(), "spec.yaml")
        assert doc.data == lf.data
        for path in all_paths(lf.data):
            assert doc.location(path) == lf.location(path)
            assert doc.key_location(path) == lf.key_location(path)
    text = json.dumps(lf.data, indent=2)
    crlf = parse_document(text.replace("\n", "\r\n").encode(), "spec.json")
    plain = parse_document(text, "spec.json")
    assert crlf.data == plain.data
    assert all(crlf.location(p) == plain.location(p) for p in all_paths(lf.data))


def test_crlf_error_positions() -> None:
    fails(b"a: 1\r\nb: 2\r\na: 3\r\n", 3, 1, "duplicate key 'a' (first given at line 1)")
    fails(b'{"a": 1,\r\n "b" 2}', 2, 6, "Expecting ':' delimiter", file="x.json")


def test_byte_order_marks() -> None:
    expected = parse_document(SPEC).data
    assert parse_document(b"\xef\xbb\xbf" + SPEC.encode()).data == expected
    assert parse_document("\ufeff" + SPEC).data == expected
    assert parse_document(SPEC.encode("utf-16")).data == expected
    assert parse_document(SPEC.encode("utf-32")).data == expected
    doc = parse_document(b"\xef\xbb\xbf" + SPEC.encode(), "spec.yaml")
    assert at(doc, "title") == (2, 8)
    doc = parse_document(b'\xef\xbb\xbf{"a": [1, 2]}', "spec.json")
    assert doc.data == {"a": [1, 2]} and at(doc, "a", 1) == (1, 11)


def test_non_ascii_columns_count_characters(each_loader: None) -> None:
    doc = parse_document("é: ü\nb: [ä, 3]\n".encode())
    assert doc.data == {"é": "ü", "b": ["ä", 3]}
    assert at(doc, "b", 1) == (2, 8)


# --------------------------------------------------------------------------- reading files


def test_load_document_reads_file_and_keeps_name(tmp_path: Path) -> None:
    path = tmp_path / "net.yaml"
    path.write_text(SPEC, encoding="utf-8")
    doc = load_document(path)
    assert doc.file == str(path)
    assert doc.data["title"] == "MLP"
    assert doc.location(("title",)) == Location(str(path), 2, 8)
    json_path = tmp_path / "net.json"
    json_path.write_text(json.dumps(doc.data), encoding="utf-8")
    assert load_document(str(json_path)).data == doc.data


def _load_fails(path: Path | str, phrase: str, exc_type: type[SpecError] = SpecError) -> None:
    with pytest.raises(SpecError) as info:
        load_document(path)
    assert type(info.value) is exc_type
    assert info.value.location == Location(str(path))
    assert phrase in info.value.message


def test_load_missing_file(tmp_path: Path) -> None:
    _load_fails(tmp_path / "nope.yaml", "cannot read spec: no such file")
    _load_fails(tmp_path / "nope" / "x.yaml", "cannot read spec: no such file")


def test_load_directory(tmp_path: Path) -> None:
    _load_fails(tmp_path, "cannot read spec: it is a directory")


def test_load_not_a_directory(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("a: 1\n")
    _load_fails(tmp_path / "file" / "x.yaml", "cannot read spec: no such file")


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root can read anything"
)
def test_load_unreadable(tmp_path: Path) -> None:
    path = tmp_path / "secret.yaml"
    path.write_text("a: 1\n")
    path.chmod(0)
    try:
        _load_fails(path, "cannot read spec: permission denied")
    finally:
        path.chmod(0o600)


@pytest.mark.parametrize(
    ("error", "phrase"),
    [
        (PermissionError(13, "Permission denied"), "cannot read spec: permission denied"),
        (OSError(5, "Input/output error"), "cannot read spec: input/output error"),
    ],
)
def test_load_os_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error: OSError, phrase: str
) -> None:
    # The spec is opened by nnsvg.safe_files.read_regular (os.open, without blocking).
    (tmp_path / "x.yaml").write_text("layers: [1]\n")

    def failing_open(*args: Any, **kwargs: Any) -> Any:
        raise error

    monkeypatch.setattr(safe_files.os, "open", failing_open)
    _load_fails(tmp_path / "x.yaml", phrase)


def test_load_too_large(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_bytes(b"#" * (MAX_SPEC_BYTES + 1))
    _load_fails(path, "at most 5 MiB (5242880 bytes) is allowed", LimitError)
    path.write_bytes(b"#" * MAX_SPEC_BYTES)
    fails(path.read_bytes(), 1, 1, "the spec is empty")


def test_parse_too_large() -> None:
    fails(b"#" * (MAX_SPEC_BYTES + 1), None, None, "too large", exc_type=LimitError)
    fails("é" * (MAX_SPEC_BYTES // 2 + 1), None, None, "5 MiB", exc_type=LimitError)


# --------------------------------------------------------------------------- document shape


@pytest.mark.parametrize(
    "text", ["", "\n\n", "# only a comment\n  # another\n", "---\n", "--- # x\n"]
)
def test_empty_yaml(text: str, each_loader: None) -> None:
    fails(text, 1, 1, "the spec is empty; expected a mapping with at least 'layers'")


@pytest.mark.parametrize("text", ["", " \n\t\n"])
def test_empty_json(text: str) -> None:
    fails(text, 1, 1, "the spec is empty", file="x.json")


@pytest.mark.parametrize(
    ("text", "line", "column", "what"),
    [
        ("- a\n- b\n", 1, 1, "got a list"),
        ("# c\n\n  [1, 2]\n", 3, 3, "got a list"),
        ("just text\n", 1, 1, "got a string"),
        ("42\n", 1, 1, "got an integer"),
        ("~\n", 1, 1, "got null"),
        ("--- ''\n", 1, 5, "got a string"),
    ],
)
def test_top_level_not_a_mapping(text: str, line: int, column: int, what: str) -> None:
    error = fails(text, line, column, "the spec must be a mapping (key: value), ")
    assert error.message.endswith(what)


@pytest.mark.parametrize(
    ("text", "line", "column", "what"),
    [("[1]", 1, 1, "got a list"), ('\n  "x"', 2, 3, "got a string"), ("null", 1, 1, "got null")],
)
def test_json_top_level_not_a_mapping(text: str, line: int, column: int, what: str) -> None:
    error = fails(text, line, column, "the spec must be a mapping (key: value), ", file="x.json")
    assert error.message.endswith(what)


def test_several_documents(each_loader: None) -> None:
    fails("a: 1\n---\nb: 2\n", 2, 1, "more than one YAML document")
    fails("--- \na: 1\n...\n---\nb: 2\n", 4, 1, "more than one YAML document")


# --------------------------------------------------------------------------- syntax


def test_tab_indentation(each_loader: None) -> None:
    error = fails("layers:\n\t- units: 3\n", 2, 1, "cannot start any token")
    assert error.message.endswith("tabs are not allowed for indentation in YAML; use spaces")
    error = fails("a:\n  b: 1\n\tc: 2\n", 3, 1, "tabs are not allowed for indentation")


def test_yaml_syntax_errors(each_loader: None) -> None:
    error = fails("a: 1\n b: 2\n", 2, 3, "mapping values are not allowed")
    assert error.message.startswith("invalid YAML: ")
    error = fails("a: [1, 2\nb: 3\n", 2, 2, "']'")
    assert "flow sequence that started at line 1, column 4" in error.message
    error = fails('a: "x\n', 2, 1, "found unexpected end of stream")
    assert "quoted scalar that started at line 1, column 4" in error.message
    fails("a: @x\n", 1, 4, "found character '@' that cannot start any token")


def test_json_syntax_errors() -> None:
    if sys.version_info >= (3, 13):  # the json module names a trailing comma itself
        fails('{"a": 1,}', 1, 8, "invalid JSON: Illegal trailing comma", file="x.json")
    else:
        fails('{"a": 1,}', 1, 9, "invalid JSON: Expecting property name", file="x.json")
    fails('{\n  "a": 1\n  "b": 2\n}', 3, 3, "Expecting ',' delimiter", file="x.json")
    fails("{'a': 1}", 1, 2, "Expecting property name enclosed in double quotes", file="x.json")
    fails('{"a": 1} {"b": 2}', 1, 10, "Extra data", file="x.json")
    fails('{"a": ' + "9" * 5000 + "}", None, None, "invalid JSON", file="x.json")


def test_invalid_utf8() -> None:
    fails(b"a: 1\nb: caf\xff\n", 2, 7, "not valid UTF-8 (byte 0xff); save the file as UTF-8")
    fails(b"\xef\xbb\xbfa: \xc3\n", 1, 4, "not valid UTF-8 (byte 0xc3)")
    fails("a: é\r\nb: ".encode() + b"\x80", 2, 4, "byte 0x80", file="x.json")
    fails("a: ü\n".encode("utf-16")[:-1], 1, 5, "not valid UTF-16")


def test_unprintable_characters(each_loader: None) -> None:
    fails("a: 1\nb: x\x07y\n", 2, 5, "character U+0007 is not allowed in a YAML file")
    fails("a: \x00\n", 1, 4, "U+0000")


# --------------------------------------------------------------------------- keys


def test_duplicate_keys(each_loader: None) -> None:
    text = "layers:\n  - type: dense\n    units: 3\n    label: x\n    units: 4\n"
    error = fails(text, 5, 5, "duplicate key 'units' (first given at line 3)")
    assert error.field == "layers[0]"
    fails("a: 1\nb: {x: 1, x: 2}\n", 2, 11, "duplicate key 'x' (first given at line 2)")
    fails('a: 1\n"a": 2\n', 2, 1, "duplicate key 'a'")


def test_json_duplicate_keys() -> None:
    text = '{\n  "layers": [\n    {"units": 3,\n     "units": 4}\n  ]\n}'
    error = fails(text, 4, 6, "duplicate key 'units' (first given at line 3)", file="x.json")
    assert error.field == "layers[0]"


@pytest.mark.parametrize(
    ("text", "line", "column", "phrase"),
    [
        ("? [a, b]\n: 1\n", 1, 3, "keys must be strings, got a list"),
        ("{[a]: 1}\n", 1, 2, "keys must be strings, got a list"),
        ("? {a: 1}\n: 1\n", 1, 3, "keys must be strings, got a mapping"),
        ("a: 1\n1: x\n", 2, 1, "keys must be strings, got int 1; quote the key"),
        ("1.5: x\n", 1, 1, "keys must be strings, got float 1.5"),
        ("~: x\n", 1, 1, "keys must be strings, got null"),
        ("layers:\n  - on: 3\n", 2, 5, "keys must be strings, got bool True"),
        ("no: 3\n", 1, 1, "quote the key: 'no':"),
        ("a: &k [1]\n*k : 2\n", 2, 1, "keys must be strings, got a list"),
    ],
)
def test_non_string_keys(text: str, line: int, column: int, phrase: str) -> None:
    fails(text, line, column, phrase)


def test_quoted_and_aliased_keys_are_strings() -> None:
    assert parse_document("'on': 1\n'1': 2\n&k name: x\nother: {*k : y}\n").data == {
        "on": 1,
        "1": 2,
        "name": "x",
        "other": {"name": "y"},
    }


# --------------------------------------------------------------------------- tags


@pytest.mark.parametrize(
    ("text", "column", "tag"),
    [
        ("a: !foo x\n", 4, "!foo"),
        ("a: !!python/object:os.system x\n", 4, "!!python/object:os.system"),
        ("a: !!python/object/apply:os.system [ls]\n", 4, "!!python/object/apply:os.system"),
        ("a: !!binary aGVsbG8=\n", 4, "!!binary"),
        ("a: !!set {x, y}\n", 4, "!!set"),
        ("a: !!omap [x: 1]\n", 4, "!!omap"),
        ("a: !foo {x: 1}\n", 4, "!foo"),
        ("a: 1\n!foo b: 1\n", 1, "!foo"),
    ],
)
def test_tags_not_allowed(text: str, column: int, tag: str) -> None:
    line = text.count("\n") if column == 1 else 1
    fails(text, line, column, f"tag {tag!r} is not allowed")


def test_tag_with_bad_value() -> None:
    error = fails("a:\n  b: !!int x\n", 2, 6, "cannot read 'x' as !!int")
    assert error.field == "a.b"
    fails("a: !!float x\n", 1, 4, "cannot read 'x' as !!float")
    fails("a: " + "9" * 5000 + "\n", 1, 4, "as !!int")


# --------------------------------------------------------------------------- aliases and limits


def test_aliases_expand_to_independent_copies(each_loader: None) -> None:
    text = "base: &b\n  units: 3\n  label: x\nlayers:\n  - *b\n  - *b\nn: &n 5\nm: *n\n"
    doc = parse_document(text)
    assert doc.data["layers"] == [{"units": 3, "label": "x"}] * 2
    assert doc.data["m"] == 5
    doc.data["layers"][0]["units"] = 99
    assert doc.data["layers"][1]["units"] == 3 and doc.data["base"]["units"] == 3
    # The alias itself is located where it is used; values inside at the anchor.
    assert at(doc, "layers", 1) == (6, 5)
    assert at(doc, "layers", 1, "units") == (2, 10)
    assert key_at(doc, "layers", 1, "units") == (2, 3)
    assert at(doc, "m") == (8, 4)


def test_recursive_alias(each_loader: None) -> None:
    error = fails("a: &x [1, *x]\n", 1, 11, "recursive alias")
    assert error.field == "a[1]"
    fails("a: &x\n  b: *x\n", 2, 6, "recursive alias")


def test_undefined_alias(each_loader: None) -> None:
    fails("a: *nope\n", 1, 4, "unknown alias '*nope'; define the anchor '&nope'")


def billion_laughs(levels: int = 9) -> str:
    text = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    names = "abcdefghijklmnopqrstuvwxyz"
    for i in range(1, levels):
        text += f"{names[i]}: &{names[i]} [" + ", ".join([f"*{names[i - 1]}"] * 9) + "]\n"
    return text


def test_billion_laughs_is_refused_quickly(each_loader: None) -> None:
    start = time.perf_counter()
    with pytest.raises(LimitError) as info:
        parse_document(billion_laughs(), "spec.yaml")
    elapsed = time.perf_counter() - start
    assert elapsed < 2.0
    error = info.value
    assert error.message == (
        f"the spec expands to more than {MAX_NODES} values (YAML aliases nested too deeply?)"
    )
    # Lines 1-5 expand to 74733 values, line 6's list adds 1 and each '*e' 66430:
    # the second '*e' passes the limit.
    assert error.location == Location("spec.yaml", 6, 12)


def test_alias_expansion_below_the_limit_is_fine() -> None:
    doc = parse_document(billion_laughs(5))  # 9**5 = 59049 strings
    assert len(doc.data["e"]) == 9 and doc.data["e"][8][8][8][8] == ["lol"] * 9


def test_too_many_plain_values(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(yaml_read, "MAX_NODES", 10)
    # The root mapping, the list and its 8 items make 10 values; b's value is one too many.
    text = "a: [" + ", ".join(["1"] * 8) + "]\nb: 2\n"
    error = fails(text, 2, 4, "the spec has more than 10 values", exc_type=LimitError)
    assert "at most 10" in error.message
    fails(
        json.dumps({"a": [1] * 20}),
        1,
        32,
        "more than 10 values",
        file="x.json",
        exc_type=LimitError,
    )


def nested(depth: int) -> str:
    # Root mapping plus depth - 1 flow lists.
    return "a: " + "[" * (depth - 1) + "]" * (depth - 1) + "\n"


def test_nesting_depth(each_loader: None) -> None:
    assert parse_document(nested(MAX_DEPTH)).data["a"] is not None
    error = fails(nested(MAX_DEPTH + 1), 1, 103, "nested more than 100 levels", exc_type=LimitError)
    assert "at most 100 levels" in error.message
    # Far deeper than Python's recursion limit: still a clean LimitError.
    fails(nested(100_000), 1, 103, "nested more than 100 levels", exc_type=LimitError)
    block = "".join("  " * i + f"k{i}:\n" for i in range(MAX_DEPTH + 1)) + "  " * 101 + "x: 1\n"
    fails(block, 101, 201, "nested more than 100 levels", exc_type=LimitError)


def test_nesting_depth_through_aliases() -> None:
    deep = "[" * 60 + "]" * 60
    text = f"a: &d {deep}\nb: " + "[" * 40 + "*d" + "]" * 40 + "\n"
    with pytest.raises(LimitError) as info:
        parse_document(text)
    assert info.value.location == Location("<spec>", 2, 44)
    assert "nested more than 100 levels" in info.value.message


def test_json_nesting_depth() -> None:
    text = '{"a": ' + "[" * 100 + "]" * 100 + "}"
    fails(text, 1, 106, "nested more than 100 levels", file="x.json", exc_type=LimitError)
    text = '{"a": ' + "[" * 100_000 + "]" * 100_000 + "}"
    fails(text, 1, 106, "nested more than 100 levels", file="x.json", exc_type=LimitError)
    data = parse_document('{"a": ' + "[" * 99 + "]" * 99 + "}", "x.json").data
    for _ in range(99):
        data = data["a"] if isinstance(data, dict) else data[0]
    assert data == []


# --------------------------------------------------------------------------- merge keys


def test_merge_keys(each_loader: None) -> None:
    text = (
        "defaults: &d\n  type: dense\n  units: 10\n"
        "extra: &e\n  units: 20\n  activation: relu\n"
        "layers:\n"
        "  - <<: *d\n    units: 3\n"
        "  - units: 4\n    <<: [*e, *d]\n"
        "  - <<: {label: inline}\n"
    )
    doc = parse_document(text)
    layers = doc.data["layers"]
    assert layers[0] == {"type": "dense", "units": 3}
    assert list(layers[0]) == ["type", "units"]
    assert layers[1] == {"units": 4, "activation": "relu", "type": "dense"}
    assert layers[2] == {"label": "inline"}
    assert "<<" not in layers[0]
    assert at(doc, "layers", 0, "units") == (9, 12)
    assert at(doc, "layers", 0, "type") == (2, 9)
    assert key_at(doc, "layers", 1, "activation") == (6, 3)
    assert parse_document("a: '<<'\n'<<': 1\n").data == {"a": "<<", "<<": 1}


def test_merge_key_errors() -> None:
    error = fails("a:\n  <<: 3\n", 2, 7, "the merge key '<<' takes a mapping or a list of mappings")
    assert error.message.endswith("got an integer")
    error = fails("x: &x [1]\na:\n  <<: [*x]\n", 3, 8, "got a list")
    fails("a:\n  <<: [{b: 1}, 2]\n", 2, 16, "got an integer")


# --------------------------------------------------------------------------- speed and properties


def _layers_text(count: int) -> str:
    return "layers:\n" + "".join(
        f"  - type: dense\n    units: {i}\n    activation: relu\n" for i in range(count)
    )


def _best_parse_time(text: str, name: str, rounds: int = 3) -> float:
    """The least CPU time of this process (not wall time: other processes' load on a
    shared machine does not count) that parsing takes."""
    times = []
    for _ in range(rounds):
        start = time.process_time()
        parse_document(text, name)
        times.append(time.process_time() - start)
    return min(times)


def test_ten_thousand_layers_load_in_linear_time() -> None:
    # Not a timed test (the machine's load is not the code's): loading grows in
    # proportion to the file. Ten times the layers may take ten times as long, and up
    # to three times that for noise; a parse quadratic in the layers would take 100.
    text = _layers_text(10_000)
    doc = parse_document(text, "spec.yaml")
    assert len(doc.data["layers"]) == 10_000
    assert at(doc, "layers", 9_999, "units") == (30_000, 12)
    for name, big, small in (
        ("spec.yaml", text, _layers_text(1_000)),
        ("spec.json", json.dumps(doc.data), json.dumps({"layers": doc.data["layers"][:1_000]})),
    ):
        ratio = _best_parse_time(big, name) / _best_parse_time(small, name, rounds=9)
        assert ratio < 30, (name, ratio)
    assert len(parse_document(json.dumps(doc.data), "spec.json").data["layers"]) == 10_000


# PyYAML's emitter writes NEL/LS/PS raw inside quotes, where YAML reads them as
# line breaks: yaml.safe_load does not round-trip them either, so leave them out.
chars = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x85\u2028\u2029")
json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(chars, max_size=20)
)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text(chars, max_size=10), children, max_size=4)
    ),
    max_leaves=25,
)
specs = st.dictionaries(st.text(chars, max_size=10), json_values, max_size=5)


def _check_round_trip(doc: Document, data: dict[str, Any]) -> None:
    assert doc.data == data
    for path in all_paths(data):
        where = doc.location(path)
        assert where.line is not None and where.line >= 1
        assert where.column is not None and where.column >= 1
        assert path in doc._marks
        if path and isinstance(path[-1], str):
            assert doc.key_location(path).line >= 1  # type: ignore[operator]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=specs, flow=st.sampled_from([None, False, True]), unicode=st.booleans())
def test_property_yaml_round_trip(data: dict[str, Any], flow: bool | None, unicode: bool) -> None:
    text = yaml.safe_dump(data, default_flow_style=flow, allow_unicode=unicode, sort_keys=False)
    assert yaml.safe_load(text) == data
    for loader in LOADERS:
        yaml_read.LOADER = loader
        try:
            _check_round_trip(parse_document(text, "spec.yaml"), data)
        finally:
            yaml_read.LOADER = DEFAULT_LOADER


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=specs, indent=st.sampled_from([None, 0, 2, "\t"]), ascii_only=st.booleans())
def test_property_json_round_trip(data: dict[str, Any], indent: Any, ascii_only: bool) -> None:
    text = json.dumps(data, indent=indent, ensure_ascii=ascii_only)
    doc = parse_document(text, "spec.json")
    _check_round_trip(doc, data)
    if indent is not None:
        for path in all_paths(data):
            # Each mapping key sits where its JSON string starts.
            if path and isinstance(path[-1], str):
                where = doc.key_location(path)
                line = text.split("\n")[where.line - 1]  # type: ignore[operator]
                assert line[where.column - 1] == '"'  # type: ignore[operator]


@settings(max_examples=300, deadline=None)
@given(
    text=st.text(
        alphabet=st.sampled_from(list("ab:-[]{},&*!|>'\"#?<  \n\t\r1.~%@`\\xé\x07")), max_size=60
    ),
    fmt=st.sampled_from(["yaml", "json"]),
)
def test_property_any_text_gives_document_or_spec_error(text: str, fmt: str) -> None:
    for loader in LOADERS:
        yaml_read.LOADER = loader
        try:
            doc = parse_document(text, "fuzz", fmt=fmt)
        except SpecError as error:
            assert error.location is not None and error.location.file == "fuzz"
            assert error.message
        else:
            assert isinstance(doc.data, dict)
            for path in all_paths(doc.data):
                assert doc.location(path).line is not None
        finally:
            yaml_read.LOADER = DEFAULT_LOADER


def test_non_printable_is_exactly_what_yaml_refuses() -> None:
    # Written as the complement of YAML's printable set (compiling the negated class
    # costs 3 ms at every start): the two must agree on every code point.
    from nnsvg.spec.yaml_read import NON_PRINTABLE

    allowed = re.compile("[\t\n\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
    every = "".join(map(chr, range(0x110000)))
    refused = set(NON_PRINTABLE.findall(every))
    assert refused == {c for c in every if not allowed.match(c)}
    assert "\r" in refused and "\t" not in refused and "\ufffe" in refused
