"""What nnsvg guarantees against hostile input (README, "Security").

End to end, through the ``nnsvg`` command where it matters:

* every label, title, description and theme string is text in the figure, never
  markup: no script, no event attribute, no foreign object, no external link, and
  ids come only from nnsvg's own scheme;
* images are read only from the spec's folder (``--allow-outside`` widens that),
  never from a URL; nothing else is opened, no connection is made (checked with
  an audit hook, which sees every ``open`` and socket call made from Python);
* cairosvg, converting to PNG or PDF, fetches nothing but ``data:`` URIs;
* YAML hazards (aliases, tags, duplicate keys, tabs, BOMs, CRLF, bad bytes);
* hostile numbers (NaN, infinities, zero, negative, huge) are located errors,
  never a NaN in the SVG;
* every size limit is an error naming the limit.
"""

from __future__ import annotations

import base64
import codecs
import contextlib
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from array import array
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree

import pytest
from typer.testing import Result

from nnsvg.errors import ExportError, NnsvgError
from nnsvg.images import MAX_IMAGE_SIDE, encode_png
from nnsvg.pipeline import RenderOptions, build_scene, load_spec
from nnsvg.render.export import convert
from nnsvg.render.svg import render_svg
from tests.cli_run import ENV, run
from tests.scenes import scene_id
from tests.test_fuzz import check_svg

HOSTILE = "</text><script>alert(1)</script>"
QUOTE_BREAK = '" onload="alert(1)" x="'
SVG_NS = "{http://www.w3.org/2000/svg}"


def errors(result: Result) -> list[str]:
    """The ``error: ...`` lines, without the prefix."""
    return [line[7:] for line in result.stderr.splitlines() if line.startswith("error: ")]


def clean_exit(result: Result, code: int) -> None:
    assert result.exit_code == code, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert "internal error" not in result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def png_bytes(width: int = 4, height: int = 3) -> bytes:
    pixels = bytes((x * 40 + y * 20) % 256 for y in range(height) for x in range(width))
    import numpy as np

    return encode_png(np.frombuffer(pixels, dtype=np.uint8).reshape(height, width))


# --- an audit hook: every file opened and every connection tried from Python ------------

_LOGS: list[list[tuple[str, tuple]]] = []
_WATCHED = frozenset(
    {
        "open",
        "socket.connect",
        "socket.getaddrinfo",
        "socket.gethostbyname",
        "urllib.Request",
        "os.system",
        "subprocess.Popen",
        "os.exec",
        "os.posix_spawn",
    }
)


def _audit(event: str, args: tuple) -> None:
    if _LOGS and event in _WATCHED:
        _LOGS[-1].append((event, args))


sys.addaudithook(_audit)  # stays for the session; it does nothing outside watching()


@contextlib.contextmanager
def watching() -> Iterator[list[tuple[str, tuple]]]:
    log: list[tuple[str, tuple]] = []
    _LOGS.append(log)
    try:
        yield log
    finally:
        _LOGS.remove(log)


def opened(log: list[tuple[str, tuple]]) -> set[str]:
    """Real paths of the files opened (by name) in ``log``."""
    paths = set()
    for event, args in log:
        if event == "open" and isinstance(args[0], (str, bytes, os.PathLike)):
            paths.add(os.path.realpath(os.fsdecode(args[0])))
    return paths


def network(log: list[tuple[str, tuple]]) -> list[tuple[str, tuple]]:
    return [(e, a) for e, a in log if e.startswith(("socket.", "urllib."))]


def processes(log: list[tuple[str, tuple]]) -> list[tuple[str, tuple]]:
    return [(e, a) for e, a in log if e in ("os.system", "subprocess.Popen", "os.exec")]


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """urllib and sockets fail the test if anything tries them."""

    def refuse(*args: object, **kwargs: object) -> None:
        pytest.fail(f"nnsvg tried the network: {args!r}")

    monkeypatch.setattr(urllib.request, "urlopen", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


# --------------------------------------------------------------------------- escaping


def _hostile_spec(style: str, a: str = HOSTILE, b: str = QUOTE_BREAK) -> str:
    """A spec (JSON text) with the strings ``a`` and ``b`` in every text field."""
    spec: dict = {
        "title": a,
        "description": "]]><foreignObject/> & <!-- x --> <?php ?> &amp;",
        "show_title": True,
    }
    if style == "fcnn":
        spec["layers"] = [
            {"units": 3, "label": a, "activation": a, "size_label": b},
            {"units": 2, "label": b, "activation": "<img src=x onerror=alert(1)>"},
        ]
        return json.dumps(spec)
    spec.update(style=style, legend=True)
    spec["input"] = {"shape": [16, 16, 3], "label": a, "size_label": b}
    spec["layers"] = [
        {"type": "conv", "filters": 4, "kernel": 3, "label": a, "activation": a},
        {"type": "pool", "label": b, "size_label": a},
        {"type": "conv", "filters": 4, "kernel": 3, "padding": "same", "skip_from": a},
        {"type": "dense", "units": 10, "label": a + "!", "activation": "softmax"},
    ]
    if style == "lenet":  # the only style that draws operation labels
        spec["layers"][0]["op_label"] = b
    return json.dumps(spec)


def _texts(root: ElementTree.Element) -> list[str]:
    """Everything the figure shows or names as text (``<text>``, ``<title>``, ``<desc>``)."""
    found = []
    for el in root.iter():
        if el.tag in (SVG_NS + "text", SVG_NS + "title", SVG_NS + "desc", SVG_NS + "tspan"):
            found.append("".join(el.itertext()))
    return found


def check_inert(svg: str) -> ElementTree.Element:
    """The SVG parses, and nothing in it is active or reaches outside it: the fuzz
    oracle (no script, event attribute, foreign object, style attribute or external
    link; ids and classes from nnsvg's scheme, ids unique; finite numbers)."""
    check_svg(svg)
    assert "<script" not in svg and "<foreignObject" not in svg
    assert "<!ENTITY" not in svg and "<!DOCTYPE" not in svg
    return ElementTree.fromstring(svg.encode("utf-8"))


@pytest.mark.parametrize("style", ["fcnn", "lenet", "alexnet"])
def test_markup_in_labels_titles_and_descriptions_is_text(work: Path, style: str) -> None:
    (work / "evil.json").write_text(_hostile_spec(style), encoding="utf-8")
    result = run("render", "evil.json", "-o", "evil.svg")
    clean_exit(result, 0)
    svg = (work / "evil.svg").read_text(encoding="utf-8")
    root = check_inert(svg)
    texts = _texts(root)
    assert HOSTILE in texts  # the label, drawn as the text it is
    assert QUOTE_BREAK in texts or style != "fcnn"
    assert any("]]><foreignObject/> & <!-- x -->" in t for t in texts)  # the <desc>
    title = root.find(SVG_NS + "title")
    assert title is not None and title.text == HOSTILE
    # And the PNG and PDF of it convert (the text is text to cairosvg too).
    result = run("render", "evil.json", "-o", "evil.png", "--scale", "0.5")
    clean_exit(result, 0)


def test_theme_strings_are_escaped_too(work: Path) -> None:
    family = 'x"/><script>alert(1)</script><text font-family="y'
    (work / "evil.yaml").write_text(
        "layers:\n  - {units: 3, bias: true}\n  - 2\n"
        f"theme: {{font: {{family: '{family}'}}, bias: {{text: '{HOSTILE}'}}}}\n",
        encoding="utf-8",
    )
    result = run("render", "evil.yaml", "-o", "evil.svg")
    clean_exit(result, 0)
    root = check_inert((work / "evil.svg").read_text(encoding="utf-8"))
    assert HOSTILE in _texts(root)
    families = {el.get("font-family") for el in root.iter() if el.get("font-family")}
    assert family in families


@pytest.mark.parametrize("style", ["fcnn", "lenet", "alexnet"])
def test_ids_come_only_from_nnsvgs_scheme(style: str) -> None:
    # Labels that look like ids, or try to become one, stay labels.
    text = _hostile_spec(style, 'figure" id="evil', "layer-1")
    svg = render_svg(build_scene(load_spec("ids.json", text=text)))
    root = check_inert(svg)
    ids = [scene_id(el) for el in root.iter() if el.get("id")]
    assert "figure" in ids and not [i for i in ids if "evil" in i]


def test_characters_xml_cannot_hold_never_reach_the_figure(work: Path) -> None:
    # U+FFFF and U+FFFE pass validation as text; the renderer writes U+FFFD for them
    # (and for any other character XML cannot hold), so the SVG stays well-formed.
    (work / "odd.yaml").write_text(
        'title: "a\\uFFFFb"\nlayers: [{units: 2, label: "c\\uFFFEd"}, 1]\n', encoding="utf-8"
    )
    result = run("render", "odd.yaml", "-o", "odd.svg")
    clean_exit(result, 0)
    root = check_inert((work / "odd.svg").read_text(encoding="utf-8"))
    assert "a\ufffdb" in _texts(root) and "c\ufffdd" in _texts(root)


@pytest.mark.parametrize(
    "spec",
    [
        '{"title": "x\\ud800y", "layers": [2, 1]}',
        '{"layers": [{"units": 2, "label": "\\udfff"}, 1]}',
        '{"layers": [2, 1], "\\ud83d": 1}',
    ],
)
def test_lone_surrogates_in_json_are_a_located_error(work: Path, spec: str) -> None:
    # JSON can escape half a character; such text cannot be written as UTF-8 at all.
    (work / "s.json").write_text(spec, encoding="utf-8")
    result = run("render", "s.json", "-o", "s.svg")
    clean_exit(result, 1)
    (line,) = errors(result)
    assert re.match(r"s\.json:1:\d+: .*lone surrogate", line), line
    assert not (work / "s.svg").exists()


def test_lone_surrogates_from_the_pure_python_yaml_reader_are_a_located_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import yaml

    from nnsvg.spec import yaml_read

    monkeypatch.setattr(yaml_read, "LOADER", yaml.SafeLoader)  # libyaml refuses the escape itself
    with pytest.raises(NnsvgError) as info:
        load_spec("s.yaml", text='layers: [2, 1]\ntitle: "a\\ud800"\n')
    assert str(info.value).startswith("s.yaml:2:8: title: character U+D800 is a lone surrogate")


def test_renderer_replaces_characters_xml_cannot_hold() -> None:
    """Whatever reaches the renderer (a library caller's scene, say), the SVG parses."""
    import dataclasses

    spec = load_spec("x.yaml", text="title: t\nlayers: [{units: 2, label: L}, 1]\n")
    scene = build_scene(spec)
    scene = dataclasses.replace(scene, title="t\x00\ud800\ufffe", desc="\x1b[31m")
    svg = render_svg(scene)
    check_svg(svg)
    assert "t\ufffd\ufffd\ufffe" not in svg and "t\ufffd\ufffd\ufffd" in svg


# --------------------------------------------------------------------------- images


def _image_spec(folder: Path, ref: str, *, on: str = "input") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    image = f"image: '{ref}'"
    spec = folder / "fig.yaml"
    spec.write_text(
        "style: lenet\n"
        f"input: {{shape: [8, 8, 1]{', ' + image if on == 'input' else ''}}}\n"
        "layers:\n"
        f"  - {{type: conv, filters: 2, kernel: 3{', ' + image if on == 'layer' else ''}}}\n",
        encoding="utf-8",
    )
    return spec


@pytest.fixture
def secret(work: Path) -> Path:
    """A real, valid image outside the spec's folder (``figs/``)."""
    path = work / "secret.png"
    path.write_bytes(png_bytes())
    return path


@pytest.mark.parametrize(
    ("ref", "words"),
    [
        ("../secret.png", "is outside the spec's folder"),
        ("sub/../../secret.png", "is outside the spec's folder"),
        ("{secret}", "is outside the spec's folder"),  # absolute
        ("/etc/passwd", "is outside the spec's folder"),
        ("link.png", "is outside the spec's folder"),  # a symlink to ../secret.png
        ("linkdir/secret.png", "is outside the spec's folder"),  # a symlinked folder
        ("http://127.0.0.1:9/x.png", "got a URL"),
        ("https://example.com/x.png", "got a URL"),
        ("file:///etc/passwd", "got a URL"),
        ("file:../secret.png", "got a URL"),
        ("ftp://example.com/x.png", "got a URL"),
        ("data:image/png;base64,iVBORw0KGgo=", "got a URL"),
    ],
)
@pytest.mark.parametrize("on", ["input", "layer"])
def test_images_outside_the_folder_and_urls_are_refused_and_not_read(
    work: Path, secret: Path, no_network: None, ref: str, words: str, on: str
) -> None:
    figs = work / "figs"
    (figs / "sub").mkdir(parents=True)
    (figs / "link.png").symlink_to(secret)
    (figs / "linkdir").symlink_to(work)
    spec = _image_spec(figs, ref.format(secret=secret), on=on)
    with watching() as log:
        result = run("render", spec, "-o", "out.svg")
    clean_exit(result, 1)
    (line,) = errors(result)
    field = "input.image" if on == "input" else "layers[0].image"
    assert line.startswith(f"{spec}:{2 if on == 'input' else 4}:"), line
    assert f": {field}: " in line and words in line, line
    if "outside" in words:
        assert "--allow-outside" in line
    assert not network(log)
    assert not (work / "out.svg").exists()
    # Drawing the figure opens neither file (the command's incremental cache does:
    # see test_the_cache_does_not_read_images_outside_the_folder below).
    with watching() as log, pytest.raises(NnsvgError):
        build_scene(load_spec(spec))
    assert not {str(secret), "/etc/passwd"} & opened(log)
    assert not network(log)


def test_allow_outside_reads_a_real_image_outside_the_folder(work: Path, secret: Path) -> None:
    spec = _image_spec(work / "figs", "../secret.png")
    result = run("render", spec, "-o", "out.svg", "--allow-outside")
    clean_exit(result, 0)
    svg = (work / "out.svg").read_text(encoding="utf-8")
    check_inert(svg)
    assert "data:image/png;base64," + base64.b64encode(secret.read_bytes()).decode() in svg


@pytest.mark.parametrize(
    ("ref", "words"),
    [
        ("/etc/passwd", "has no extension"),  # read only as one of the image kinds
        ("http://127.0.0.1:9/x.png", "got a URL"),  # never a URL, whatever the flag
        ("file:///etc/passwd", "got a URL"),
        ("/dev/zero.png", "not found"),
    ],
)
def test_allow_outside_still_reads_only_local_image_files(
    work: Path, no_network: None, ref: str, words: str
) -> None:
    spec = _image_spec(work / "figs", ref)
    with watching() as log:
        result = run("render", spec, "-o", "out.svg", "--allow-outside")
    clean_exit(result, 1)
    (line,) = errors(result)
    assert words in line, line
    assert not network(log)
    with watching() as log, pytest.raises(NnsvgError):
        build_scene(load_spec(spec), RenderOptions(allow_outside=True))
    assert "/etc/passwd" not in opened(log) and not network(log)


def test_a_device_named_like_an_image_is_not_read(work: Path) -> None:
    figs = work / "figs"
    figs.mkdir()
    (figs / "zero.png").symlink_to("/dev/zero")  # reading it would never end
    spec = _image_spec(figs, "zero.png")
    result = run("render", spec, "-o", "out.svg", "--allow-outside")
    clean_exit(result, 1)
    (line,) = errors(result)
    assert "image 'zero.png' is not a regular file" in line, line


def test_a_fifo_named_like_an_image_is_refused_when_drawing(work: Path) -> None:
    figs = work / "figs"
    figs.mkdir()
    os.mkfifo(figs / "pipe.png")  # opening it would wait for a writer forever
    with pytest.raises(NnsvgError, match=r"image 'pipe\.png' is not a regular file"):
        build_scene(load_spec(_image_spec(figs, "pipe.png")))


_RENDER_IN_CHILD = "import sys; from nnsvg.cli import main; sys.argv[0] = 'nnsvg'; main()"


def test_a_fifo_named_like_an_image_does_not_hang_the_command(work: Path) -> None:
    figs = work / "figs"
    figs.mkdir()
    os.mkfifo(figs / "pipe.png")
    spec = _image_spec(figs, "pipe.png")
    proc = subprocess.Popen(
        [sys.executable, "-c", _RENDER_IN_CHILD, "render", str(spec), "-o", "out.svg", "-j1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **ENV},
    )
    try:
        _out, err = proc.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        pytest.fail("nnsvg render hung on a FIFO named like an image")
    assert proc.returncode == 1 and "not a regular file" in err, err


def test_the_cache_does_not_read_images_outside_the_folder(work: Path, secret: Path) -> None:
    figs = work / "figs"
    figs.mkdir()
    (figs / "link.png").symlink_to(secret)
    for ref in ("../secret.png", "link.png"):
        spec = _image_spec(figs, ref)
        with watching() as log:
            result = run("render", spec, "-o", "out.svg")
        clean_exit(result, 1)
        assert str(secret) not in opened(log)


def test_an_image_path_with_control_characters_stays_one_escaped_line(work: Path) -> None:
    # A newline or an escape code in a path must not split the error or reach the terminal.
    (work / "fig.json").write_text(
        '{"style": "lenet", "input": {"shape": [8, 8, 1], '
        '"image": "x\\nerror: fake.yaml:1:1: spoofed\\u2028.png"}, '
        '"layers": [{"type": "conv", "filters": 2, "kernel": 3}]}',
        encoding="utf-8",
    )
    result = run("render", "fig.json", "-o", "out.svg")
    clean_exit(result, 1)
    lines = result.stderr.splitlines()
    assert len(lines) == 2, lines  # the error, then "1 of 1 spec(s) failed"
    assert "x\\nerror: fake.yaml:1:1: spoofed\\u2028.png" in lines[0]


# --------------------------------------------------------------------------- cairosvg

_BASE = (
    '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
    'width="20" height="20" viewBox="0 0 20 20">{body}</svg>'
)


@pytest.mark.parametrize(
    "body",
    [
        '<image xlink:href="file:///etc/passwd" width="10" height="10"/>',
        '<image href="/etc/passwd" width="10" height="10"/>',
        '<image href="secret.png" width="10" height="10"/>',
        '<image href="http://127.0.0.1:9/x.png" width="10" height="10"/>',
        '<use xlink:href="file:///etc/passwd#a"/>',
        '<use xlink:href="http://127.0.0.1:9/x.svg#a"/>',
        '<text><tref xlink:href="file:///etc/passwd#a"/></text>',
        '<filter id="f"><feImage xlink:href="file:///etc/passwd"/></filter>'
        '<rect width="5" height="5" filter="url(#f)"/>',
        '<style>@import url("http://127.0.0.1:9/x.css");</style><rect width="5" height="5"/>',
        "<style>@font-face {font-family: x; src: url(file:///etc/passwd)}</style>"
        '<text font-family="x">a</text>',
        '<rect width="5" height="5" fill="url(file:///etc/passwd#p)"/>',
    ],
)
@pytest.mark.parametrize("fmt", ["png", "pdf"])
def test_conversion_reads_no_file_and_no_url(
    work: Path, no_network: None, body: str, fmt: str
) -> None:
    (work / "secret.png").write_bytes(png_bytes())
    with watching() as log:
        try:
            data = convert(_BASE.format(body=body), fmt)
        except ExportError as err:
            assert "refused" in str(err) or "cannot convert" in str(err), str(err)
        else:
            assert data[:4] in (b"\x89PNG", b"%PDF")
    assert not {"/etc/passwd", str(work / "secret.png")} & opened(log)
    assert not network(log)


def test_conversion_of_a_stylesheet_processing_instruction_fetches_nothing(
    work: Path, no_network: None
) -> None:
    svg = '<?xml-stylesheet href="http://127.0.0.1:9/x.css"?>' + _BASE.format(body="")
    with watching() as log, contextlib.suppress(ExportError):
        convert(svg, "png")
    assert not network(log) and "/etc/passwd" not in opened(log)


# --------------------------------------------------------------------------- themes


def test_relative_theme_paths_resolve_next_to_the_spec_not_the_current_folder(
    work: Path,
) -> None:
    figs = work / "figs"
    (figs / "themes").mkdir(parents=True)
    (figs / "themes" / "my.yaml").write_text("node: {input_fill: '#aa0000'}\n", encoding="utf-8")
    (figs / "themes" / "child.yaml").write_text(
        "extends: base.yaml\nedge: {color: '#00bb00'}\n", encoding="utf-8"
    )
    (figs / "themes" / "base.yaml").write_text("node: {stroke: '#0000cc'}\n", encoding="utf-8")
    # Decoys where a wrong resolution would look: the current folder.
    (work / "themes").mkdir()
    (work / "themes" / "my.yaml").write_text("node: {input_fill: '#654321'}\n", encoding="utf-8")
    (work / "base.yaml").write_text("node: {stroke: '#123456'}\n", encoding="utf-8")
    (figs / "a.yaml").write_text("layers: [2, 1]\ntheme: themes/my.yaml\n", encoding="utf-8")
    (figs / "b.yaml").write_text("layers: [2, 1]\ntheme: themes/child.yaml\n", encoding="utf-8")
    result = run("render", "figs", "--out-dir", "out")
    clean_exit(result, 0)
    a = (work / "out" / "a.svg").read_text(encoding="utf-8")
    b = (work / "out" / "b.svg").read_text(encoding="utf-8")
    assert "#aa0000" in a and "#654321" not in a
    assert "#00bb00" in b and "#0000cc" in b and "#123456" not in b


# --------------------------------------------------------------------------- YAML hazards


def test_billion_laughs_is_refused_quickly(work: Path) -> None:
    lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for i in range(1, 10):
        refs = ", ".join([f"*a{i - 1}"] * 10)
        lines.append(f"a{i}: &a{i} [{refs}]")
    lines.append("layers: *a9")
    (work / "lol.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    start = time.perf_counter()
    result = run("render", "lol.yaml", "-o", "lol.svg")
    assert time.perf_counter() - start < 2.0
    clean_exit(result, 1)
    (line,) = errors(result)
    assert line.startswith("lol.yaml:") and "expands to more than 200000 values" in line


@pytest.mark.parametrize(
    "value",
    [
        '!!python/object/apply:os.system ["touch pwned"]',
        "!!python/object/apply:subprocess.call [[touch, pwned]]",
        "!!python/name:os.system",
        '!!python/object/new:os.system ["touch pwned"]',
        "!!binary aGVsbG8=",
        "!!set {a, b}",
        "!custom 3",
    ],
)
def test_only_plain_yaml_values_are_loaded(work: Path, value: str) -> None:
    (work / "tag.yaml").write_text(f"layers: [2, 1]\ntitle: {value}\n", encoding="utf-8")
    with watching() as log:
        result = run("render", "tag.yaml", "-o", "tag.svg")
    clean_exit(result, 1)
    (line,) = errors(result)
    assert line.startswith("tag.yaml:2:8: title: tag ") and "is not allowed" in line, line
    assert not (work / "pwned").exists()
    assert not processes(log)


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("layers: [2, 1]\ntitle: a\nlayers: [3, 1]\n", "d.yaml"),
        ('{"layers": [2, 1],\n "title": "a",\n "layers": [3, 1]}', "d.json"),
    ],
)
def test_duplicate_keys_name_both_lines(work: Path, text: str, name: str) -> None:
    (work / name).write_text(text, encoding="utf-8")
    result = run("render", name, "-o", "d.svg")
    clean_exit(result, 1)
    (line,) = errors(result)
    assert line.startswith(f"{name}:3:"), line
    assert "duplicate key 'layers' (first given at line 1)" in line


def _reference_svg(work: Path) -> str:
    (work / "ref.yaml").write_text(
        "title: Ünïcode\nlayers:\n  - {units: 3, label: in}\n  - 2\n", encoding="utf-8"
    )
    clean_exit(run("render", "ref.yaml", "-o", "ref.svg"), 0)
    return (work / "ref.svg").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "encode",
    [
        lambda t: codecs.BOM_UTF8 + t.encode("utf-8"),
        lambda t: t.replace("\n", "\r\n").encode("utf-8"),
        lambda t: t.replace("\n", "\r").encode("utf-8"),
        lambda t: codecs.BOM_UTF8 + t.replace("\n", "\r\n").encode("utf-8"),
        lambda t: t.encode("utf-16"),  # with its BOM
        lambda t: t.encode("utf-32"),
    ],
    ids=["bom", "crlf", "cr", "bom-crlf", "utf-16", "utf-32"],
)
def test_boms_and_line_endings_give_the_same_figure(work: Path, encode) -> None:
    expected = _reference_svg(work)
    text = "title: Ünïcode\nlayers:\n  - {units: 3, label: in}\n  - 2\n"
    (work / "alt.yaml").write_bytes(encode(text))
    clean_exit(run("render", "alt.yaml", "-o", "alt.svg"), 0)
    assert (work / "alt.svg").read_text(encoding="utf-8") == expected


@pytest.mark.parametrize(
    ("data", "location", "words"),
    [
        (b"layers:\n\t- 3\n", "2:1", "tabs are not allowed for indentation"),
        (b"layers: [2, 1]\ntitle: caf\xe9\n", "2:11", "not valid UTF-8 (byte 0xe9)"),
        (b"layers: [2, 1]\ntitle: a\x00b\n", "2:9", "U+0000 is not allowed"),
        (b"layers: [2, 1]\ntitle: a\x1b[31mb\n", "2:9", "U+001B is not allowed"),
        (b"\xff\xfel\x00a\x00\x00\xd8", "1:3", "not valid UTF-16"),
        (b"layers: [2, 1]\r\ntitle: [\r\n", "3:1", "invalid YAML"),
    ],
)
def test_bad_bytes_are_located_errors(work: Path, data: bytes, location: str, words: str) -> None:
    (work / "bad.yaml").write_bytes(data)
    result = run("render", "bad.yaml", "-o", "bad.svg")
    clean_exit(result, 1)
    (line,) = errors(result)
    assert line.startswith(f"bad.yaml:{location}:"), line
    assert words in line, line


# --------------------------------------------------------------------------- numbers


def _outcome(text: str, options: RenderOptions | None = None) -> str | NnsvgError:
    """The SVG of a spec, or the NnsvgError it gives (anything else fails the test)."""
    try:
        return render_svg(build_scene(load_spec("n.yaml", text=text), options))
    except NnsvgError as err:
        return err


FCNN = "layers: [3, 2]\n"
LENET = "style: lenet\ninput: [28, 28, 1]\nlayers: [{type: conv, filters: 4, kernel: 3}]\n"


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("layers: [.nan, 2]\n", "layers[0]"),
        ("layers: [.inf, 2]\n", "layers[0]"),
        ("layers: [-.inf, 2]\n", "layers[0]"),
        ("layers: [0, 2]\n", "layers[0]"),
        ("layers: [-3, 2]\n", "layers[0]"),
        ("layers: [2.5, 2]\n", "layers[0]"),
        ("layers: [1.0e+300, 2]\n", "layers[0]"),
        ("layers: [1000000000001, 2]\n", "layers[0]"),
        ("layers: [{units: .nan}, 2]\n", "layers[0].units"),
        ("layers: [{units: 3, max_visible: .inf}, 2]\n", "layers[0].max_visible"),
        (FCNN + "max_visible: .nan\n", "max_visible"),
        (FCNN + "seed: .nan\n", "seed"),
        (FCNN + "seed: -1\n", "seed"),
        (FCNN + "edges: {width: .nan}\n", "edges.width"),
        (FCNN + "edges: {opacity: .inf}\n", "edges.opacity"),
        (FCNN + "edges: {width: 0}\n", "edges.width"),
        (FCNN + "width: nanin\n", "width"),
        (FCNN + "width: infin\n", "width"),
        (FCNN + "width: -3in\n", "width"),
        (FCNN + "width: 0mm\n", "width"),
        (FCNN + "width: 1e999in\n", "width"),
        (FCNN + "theme: {node: {radius: .nan}}\n", "theme.node.radius"),
        (FCNN + "theme: {node: {radius: 0}}\n", "theme.node.radius"),
        (FCNN + "theme: {layer: {spacing: -.inf}}\n", "theme.layer.spacing"),
        (FCNN + "theme: {canvas: {margin: -1}}\n", "theme.canvas.margin"),
        (FCNN + "theme: {weights: {levels: .nan}}\n", "theme.weights.levels"),
        (FCNN + "theme: {bias: {dash: [.nan, 2]}}\n", "theme.bias.dash[0]"),
        ("style: alexnet\n" + LENET[13:] + "camera: {azimuth: .nan}\n", "camera.azimuth"),
        ("style: alexnet\n" + LENET[13:] + "camera: {distance: .inf}\n", "camera.distance"),
        ("style: alexnet\n" + LENET[13:] + "camera: {elevation: 90}\n", "camera.elevation"),
        ("style: lenet\ninput: [0, 28, 1]\nlayers: [4]\n", "input[0]"),
        ("style: lenet\ninput: [.nan, 28, 1]\nlayers: [4]\n", "input[0]"),
        ("style: lenet\ninput: [-28, 28, 1]\nlayers: [4]\n", "input[0]"),
        (LENET.replace("kernel: 3", "kernel: 0"), "layers[0].kernel"),
        (LENET.replace("kernel: 3", "kernel: .inf"), "layers[0].kernel"),
        (LENET.replace("kernel: 3", "kernel: 1000"), "layers[0]"),  # larger than the input
        (LENET.replace("kernel: 3", "kernel: 100000000"), "layers[0].kernel"),
        (LENET.replace("kernel: 3", "kernel: 3, stride: 0"), "layers[0].stride"),
        (LENET.replace("kernel: 3", "kernel: 3, stride: -.inf"), "layers[0].stride"),
        (LENET.replace("kernel: 3", "kernel: 3, padding: -1"), "layers[0].padding"),
        (LENET.replace("kernel: 3", "kernel: 3, dilation: 100"), "layers[0]"),
        (LENET.replace("filters: 4", "filters: 0"), "layers[0].filters"),
        (LENET.replace("filters: 4", "filters: .nan"), "layers[0].filters"),
        (LENET.replace("}]", ", spacing: .nan}]"), "layers[0].spacing"),
        (
            "style: lenet\ninput: [100000, 100000, 3]\nlayers: [{type: upsample, size: 100000}]\n",
            "layers[0]",
        ),
    ],
)
def test_hostile_numbers_are_located_errors(text: str, field: str) -> None:
    outcome = _outcome(text)
    assert isinstance(outcome, NnsvgError), f"rendered: {text!r}"
    first = str(outcome).splitlines()[0]
    assert re.match(r"n\.yaml:\d+:\d+: ", first), first
    assert f": {field}" in first, first


@pytest.mark.parametrize(
    "text",
    [
        LENET.replace("kernel: 3", "kernel: 3, stride: 1000000"),  # a 1×1 output
        LENET.replace("kernel: 3", "kernel: 28"),
        LENET.replace("kernel: 3", "kernel: 3, padding: 100000"),
        "style: lenet\ninput: [1, 1, 1]\n"
        "layers: [{type: pool, size: 1}, {type: dense, units: 1}]\n",
        "style: alexnet\ninput: [1000000, 1, 1000000]\nlayers: [{type: conv, filters: 1000000, "
        "kernel: 1}]\n",
        "layers: [1000000000000, 1, 1000000000000]\n",
        FCNN + "theme: {node: {radius: 200, spacing: 1000}, layer: {spacing: 5000}}\n",
        FCNN + "theme: {node: {radius: 1, spacing: 0}, layer: {spacing: 10}}\n",
        FCNN + "theme: {canvas: {margin: 0}, font: {size: 200}}\n",
        FCNN + "edges: {width: 0.01, opacity: 0}\n",
    ],
)
def test_extreme_but_valid_numbers_give_finite_figures(text: str) -> None:
    outcome = _outcome(text)
    if isinstance(outcome, NnsvgError):  # refusing is fine, if located
        assert re.match(r"n\.yaml:\d+:\d+: ", str(outcome)), str(outcome)
        return
    check_inert(outcome)


@pytest.mark.parametrize(
    "args",
    [
        ("--dpi", "nan"),
        ("--dpi", "inf"),
        ("--scale", "-1"),
        ("--scale", "0"),
        ("--width", "nanin"),
        ("--width", "-1in"),
        ("--max-edges", "0"),
    ],
)
def test_hostile_numbers_on_the_command_line_are_usage_errors(work: Path, args: tuple) -> None:
    (work / "n.yaml").write_text(FCNN, encoding="utf-8")
    result = run("render", "n.yaml", "-o", "n.png", *args)
    clean_exit(result, 2)
    assert not (work / "n.png").exists()


# --------------------------------------------------------------------------- size limits


def _png_header(width: int, height: int) -> bytes:
    import struct
    import zlib

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    chunk = b"IHDR" + header
    return (
        b"\x89PNG\r\n\x1a\n"
        + struct.pack(">I", 13)
        + chunk
        + struct.pack(">I", zlib.crc32(chunk) & 0xFFFFFFFF)
    )


@pytest.mark.parametrize(
    ("name", "text", "args", "words"),
    [
        ("nodes", "elide: false\nlayers: [200000, 1]\n", (), ("100,000", "--max-nodes")),
        ("edges", "elide: false\nlayers: [2000, 2000]\n", (), ("2,000,000", "--max-edges")),
        ("nodes-flag", "layers: [3, 2]\n", ("--max-nodes", "4"), ("limit is 4", "--max-nodes")),
        ("edges-flag", "layers: [3, 2]\n", ("--max-edges", "5"), ("limit is 5", "--max-edges")),
        ("layers", "layers: [" + ", ".join(["1"] * 1001) + "]\n", (), ("at most 1000",)),
        ("units", "layers: [1000000000001, 1]\n", (), ("at most 1,000,000,000,000",)),
        (
            "maps",
            "style: lenet\ninput: [1000000000, 1000000000, 1]\nlayers: [{type: upsample, "
            "size: 10}]\n",
            (),
            ("at most 1,000,000,000",),
        ),
        ("depth", "layers: [2]\nx: " + "[" * 150 + "]" * 150 + "\n", (), ("at most 100 levels",)),
        (
            "values",
            "layers: [2]\na: &a ["
            + ", ".join(["1"] * 500)
            + "]\nb: ["
            + ", ".join(["*a"] * 500)
            + "]\n",
            (),
            ("more than 200000 values",),
        ),
        ("image", "IMAGE", (), (f"at most {MAX_IMAGE_SIDE}×{MAX_IMAGE_SIDE}",)),
        ("png", "layers: [3, 2]\n", ("--scale", "5000"), ("--dpi or --scale", "20000")),
    ],
)
def test_each_size_limit_is_a_clear_located_error(
    work: Path, name: str, text: str, args: tuple, words: tuple
) -> None:
    if text == "IMAGE":
        (work / "big.png").write_bytes(_png_header(5000, 5000) + b"\x00" * 64)
        text = "style: lenet\ninput: {shape: [8, 8, 1], image: big.png}\nlayers: [4]\n"
    (work / "lim.yaml").write_text(text, encoding="utf-8")
    out = "lim.png" if name == "png" else "lim.svg"
    start = time.perf_counter()
    result = run("render", "lim.yaml", "-o", out, *args)
    assert time.perf_counter() - start < 3.0, name
    clean_exit(result, 1)
    (line,) = errors(result)
    assert line.startswith("lim.yaml"), line
    for word in words:
        assert word in line, line
    assert not (work / out).exists()


def test_spec_file_size_limit(work: Path) -> None:
    (work / "big.yaml").write_bytes(b"layers: [2, 1]\n" + b"#" * (5 * 1024 * 1024))
    result = run("render", "big.yaml", "-o", "big.svg")
    clean_exit(result, 1)
    (line,) = errors(result)
    assert line.startswith("big.yaml: ") and "at most 5 MiB" in line, line


# --------------------------------------------------------------------------- known bugs


def test_unknown_keys_are_echoed_escaped(work: Path) -> None:
    (work / "k.json").write_text(
        '{"layers": [2, 1], "x\\u001b[2J\\nerror: other.yaml:1:1: forged": 1}',
        encoding="utf-8",
    )
    result = run("render", "k.json", "-o", "k.svg")
    clean_exit(result, 1)
    assert "\x1b" not in result.stderr
    assert len(errors(result)) == 1, result.stderr


@pytest.mark.parametrize("width", ["1e-308", "0.00001in", "0.5px", "1e300in", "100001px"])
def test_absurd_printed_widths_are_located_spec_errors(work: Path, width: str) -> None:
    # (Found by the fuzz suite: width: 1e-308 made an SVG 0px wide.)
    (work / "w.yaml").write_text(f"layers: [2, 1]\nwidth: {width}\n", encoding="utf-8")
    result = run("render", "w.yaml", "-o", "w.png")
    clean_exit(result, 1)
    (line,) = errors(result)
    assert line.startswith("w.yaml:2:8: width: must be from 1px to 100000px"), line


def test_a_png_size_too_large_for_int_arithmetic_is_an_export_error() -> None:
    # A foreign SVG (the library's convert takes any): its size used to overflow the
    # megapixel arithmetic (OverflowError), or round() an infinity.
    svg = '<svg xmlns="http://www.w3.org/2000/svg" width="1e300in" height="1e300in"/>'
    with pytest.raises(ExportError, match=r"the PNG would be 3e\+302×3e\+302 pixels, over"):
        convert(svg, "png")
    huge = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1e308 1e308"/>'
    with pytest.raises(ExportError, match="over the limit"):
        convert(huge, "png", scale=10)  # 1e309 pixels: an infinity


def test_edge_bundles_written_as_text_escape_their_attributes() -> None:
    """Edge bundles bypass svgwrite (speed): their attributes are escaped the same way."""
    import dataclasses

    from nnsvg.scene import EdgeBundle, Group

    spec = load_spec("x.yaml", text="layers: [2, 2]\n")
    scene = build_scene(spec)
    bundle = EdgeBundle(
        (0.0, 10.0),
        (0.0, 5.0),
        (array("i", [0, 1]),),
        id='e"&<>\n\x01',
        cls="c<!--nnsvg-bulk-0-->",
    )
    scene = dataclasses.replace(scene, items=(*scene.items, Group(None, "x", (bundle,))))
    svg = render_svg(scene)  # parses: a forged placeholder or quote would break it
    root = ElementTree.fromstring(svg.encode())
    paths = [el for el in root.iter() if (scene_id(el) or "").startswith('e"')]
    assert [(scene_id(p), p.get("class"), p.get("d")) for p in paths] == [
        ('e"&<>\n\ufffd', "c<!--nnsvg-bulk-0-->", "M0 0 10 5")
    ]
