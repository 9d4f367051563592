"""Tests for nnsvg.render.export: format choice, PNG/PDF conversion, sizing, safety."""

from __future__ import annotations

import base64
import builtins
import io
import math
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

import nnsvg.render.cairo_svg
import nnsvg.render.export
import nnsvg.render.pdf
from nnsvg.errors import ExportError
from nnsvg.render.export import FORMATS, convert, export, infer_format, png_size

REPO = Path(__file__).resolve().parents[1]

# 100 x 50 user units: white background, a black circle centred at (30, 25)
# with radius 10, and a word of text on the right.
SMALL_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="100" height="50" viewBox="0 0 100 50">'
    '<rect width="100" height="50" fill="#ffffff"/>'
    '<circle cx="30" cy="25" r="10" fill="#000000"/>'
    '<text x="50" y="30" font-family="DejaVu Sans" font-size="10">Hello</text>'
    "</svg>"
)

# The same drawing on a 2in x 1in page.
INCH_SVG = SMALL_SVG.replace('width="100" height="50"', 'width="2in" height="1in"')

# 2in x 1in with no viewBox: user units are CSS px, so the black square covers
# the second inch (96..192 px). At any dpi, 1.5in must be black and 0.5in white.
INCH_NO_VIEWBOX_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="2in" height="1in">'
    '<rect width="192" height="96" fill="white"/>'
    '<rect x="96" width="96" height="96" fill="black"/>'
    "</svg>"
)


def _svg_with_image(href: str) -> str:
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'
        ' width="20" height="20">'
        '<rect width="20" height="20" fill="white"/>'
        f'<image x="0" y="0" width="10" height="10" xlink:href="{href}"/>'
        "</svg>"
    )


def _png_dimensions(png: bytes) -> tuple[int, int]:
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


def _open_png(png: bytes):  # type: ignore[no-untyped-def]
    image_module = pytest.importorskip("PIL.Image")
    image = image_module.open(io.BytesIO(png))
    image.load()
    return image.convert("RGBA")


def _brightness(image, x: float, y: float) -> float:  # type: ignore[no-untyped-def]
    red, green, blue, alpha = image.getpixel((int(x), int(y)))
    return (red + green + blue) / 3 * alpha / 255


def _media_box(pdf: bytes) -> tuple[float, float]:
    match = re.search(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
    assert match, "no /MediaBox"
    return float(match[1]), float(match[2])


def _assert_xref_valid(pdf: bytes) -> None:
    """Every offset in the classic xref table points at its object."""
    start = int(re.findall(rb"startxref\s+(\d+)", pdf)[-1])
    assert pdf[start:].startswith(b"xref"), "startxref does not point at the xref table"
    first, count = (int(n) for n in re.match(rb"xref\s+(\d+) (\d+)", pdf[start:]).groups())
    entries = re.findall(rb"(\d{10}) (\d{5}) ([nf])", pdf[start:])[:count]
    assert len(entries) == count
    for number, (offset, _generation, kind) in enumerate(entries, start=first):
        if kind == b"n":
            assert pdf[int(offset) :].startswith(b"%d 0 obj" % number), f"object {number}"


def _creation_date(pdf: bytes) -> bytes:
    match = re.search(rb"/CreationDate\s*\(([^)]*)\)", pdf)
    assert match, "no /CreationDate"
    return match[1]


# -- infer_format ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "fmt", "expected"),
    [
        ("fig.svg", None, "svg"),
        ("fig.png", None, "png"),
        ("out/fig.pdf", None, "pdf"),
        ("FIG.PNG", None, "png"),
        ("fig.Pdf", None, "pdf"),
        (Path("a.b/fig.svg"), None, "svg"),
        ("fig.png", "pdf", "pdf"),
        ("fig.jpg", "PNG", "png"),
        ("fig", "svg", "svg"),
    ],
)
def test_infer_format(path: str | Path, fmt: str | None, expected: str) -> None:
    assert infer_format(path, fmt) == expected


@pytest.mark.parametrize("path", ["fig.jpg", "fig", "fig.svg.bak", "out.d/fig", ".png"])
def test_infer_format_unknown_suffix(path: str) -> None:
    with pytest.raises(ExportError) as info:
        infer_format(path)
    assert str(info.value) == (
        f"cannot tell the output format of {path!r}: "
        "use a .svg, .png, .pdf or .tex suffix or --format svg|png|pdf|tex"
    )


@pytest.mark.parametrize("fmt", ["jpg", "", "eps", "svgz"])
def test_infer_format_unknown_explicit_format(fmt: str) -> None:
    with pytest.raises(ExportError, match="use svg, png, pdf or tex"):
        infer_format("fig.png", fmt)


def test_module_doctests() -> None:
    import doctest

    result = doctest.testmod(nnsvg.render.export)
    assert result.attempted > 0
    assert result.failed == 0


# -- SVG -----------------------------------------------------------------------------


def test_svg_passthrough() -> None:
    svg = SMALL_SVG.replace("Hello", "Héllo ∑")
    assert convert(svg, "svg") == svg.encode("utf-8")
    assert convert(svg, "SVG", dpi=600, scale=5) == svg.encode("utf-8")


def test_svg_output_does_not_need_a_valid_svg() -> None:
    assert convert("not svg at all", "svg") == b"not svg at all"


# -- PNG sizing ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("svg", "kwargs", "size"),
    [
        (SMALL_SVG, {}, (200, 100)),
        (SMALL_SVG, {"scale": 3}, (300, 150)),
        (SMALL_SVG, {"scale": 1}, (100, 50)),
        (SMALL_SVG, {"dpi": 192}, (200, 100)),
        (SMALL_SVG, {"dpi": 144}, (150, 75)),
        (SMALL_SVG, {"dpi": 144, "scale": 3}, (300, 150)),
        (INCH_SVG, {}, (600, 300)),
        (INCH_SVG, {"dpi": 100}, (200, 100)),
        (INCH_SVG, {"dpi": 100, "scale": 2}, (400, 200)),
        (INCH_SVG, {"scale": 0.5}, (300, 150)),
        (SMALL_SVG.replace('width="100"', 'width="100px"'), {}, (200, 100)),
        (SMALL_SVG.replace('width="100" height="50"', ""), {}, (200, 100)),
        (SMALL_SVG.replace('width="100" height="50"', 'width="100%"'), {}, (200, 100)),
        (
            INCH_SVG.replace('width="2in" height="1in"', 'width="50.8mm" height="25.4mm"'),
            {},
            (600, 300),
        ),
        (
            INCH_SVG.replace('width="2in" height="1in"', 'width="144pt" height="72pt"'),
            {},
            (600, 300),
        ),
    ],
)
def test_png_size(svg: str, kwargs: dict[str, float], size: tuple[int, int]) -> None:
    assert png_size(svg, **kwargs) == size
    assert _png_dimensions(convert(svg, "png", **kwargs)) == size


@pytest.mark.parametrize("kwargs", [{}, {"scale": 3}, {"dpi": 192}])
def test_png_pixels(kwargs: dict[str, float]) -> None:
    png = convert(SMALL_SVG, "png", **kwargs)
    image = _open_png(png)
    factor = image.width / 100
    assert _brightness(image, 30 * factor, 25 * factor) < 20  # circle centre
    assert _brightness(image, 0, 0) > 235
    assert _brightness(image, image.width - 1, image.height - 1) > 235


@pytest.mark.parametrize("dpi", [None, 100, 600])
def test_png_physical_figure_keeps_content_proportions(dpi: float | None) -> None:
    png = convert(INCH_NO_VIEWBOX_SVG, "png", dpi=dpi)
    image = _open_png(png)
    dots = dpi or 300
    assert image.size == (2 * dots, dots)
    assert _brightness(image, 0.5 * dots, 0.5 * dots) > 235
    assert _brightness(image, 1.5 * dots, 0.5 * dots) < 20


def test_png_physical_figure_circle() -> None:
    image = _open_png(convert(INCH_SVG, "png", dpi=100))
    assert _brightness(image, 60, 50) < 20  # (30, 25) of 100 x 50 on 200 x 100
    assert _brightness(image, 1, 1) > 235


@pytest.mark.parametrize(
    ("width", "height", "kwargs"),
    [
        ("100000", "10", {}),
        ("10", "100000", {"scale": 1}),
        ("15000", "15000", {"scale": 1}),  # sides fit, 225 megapixels do not
        ("70in", "1in", {}),
        ("2in", "1in", {"dpi": 30000}),
    ],
)
def test_png_size_cap(width: str, height: str, kwargs: dict[str, float]) -> None:
    svg = f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}"/>'
    with pytest.raises(ExportError) as info:
        convert(svg, "png", **kwargs)
    message = str(info.value)
    assert message.startswith("the PNG would be ")
    assert "20000×20000 and 200 megapixels" in message
    assert "--dpi or --scale" in message


def test_png_size_cap_boundary_is_allowed() -> None:
    svg = '<svg xmlns="http://www.w3.org/2000/svg" width="20000" height="1"/>'
    assert png_size(svg, scale=1) == (20000, 1)


def test_png_too_small() -> None:
    svg = '<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>'
    with pytest.raises(ExportError, match="0×0 pixels: use a larger --dpi or --scale"):
        convert(svg, "png", scale=0.1)


@pytest.mark.parametrize("name", ["dpi", "scale"])
@pytest.mark.parametrize("value", [0, -1, -0.5, math.nan, math.inf, -math.inf, True, "300"])
@pytest.mark.parametrize("fmt", FORMATS)
def test_dpi_and_scale_must_be_positive_finite(name: str, value: object, fmt: str) -> None:
    with pytest.raises(ExportError, match=f"{name} must be a positive number"):
        convert(SMALL_SVG, fmt, **{name: value})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("start_tag", "message"),
    [
        ("<svg>", "cannot tell the width of the SVG"),
        ('<svg width="10">', "cannot tell the height of the SVG"),
        ('<svg width="3.5 in" height="1in">', "cannot read the SVG width '3.5 in'"),
        ('<svg width="2em" height="1in">', "cannot read the SVG width '2em'"),
        ('<svg width="0" height="10">', "the SVG width must be positive"),
        ('<svg width="10" height="10" viewBox="0 0 10">', "cannot read the SVG viewBox"),
    ],
)
def test_png_unreadable_size(start_tag: str, message: str) -> None:
    with pytest.raises(ExportError, match=re.escape(message)):
        convert(start_tag + "</svg>", "png")


def test_size_is_read_from_the_start_tag_only() -> None:
    svg = (
        "<?xml version='1.0'?>\n<!-- a comment -->\n"
        "<svg xmlns='http://www.w3.org/2000/svg' data-x='a>b' stroke-width='9'\n"
        "     height='50' width='100'><rect width='7' height='7'/></svg>"
    )
    assert png_size(svg, scale=1) == (100, 50)


# -- PDF -------------------------------------------------------------------------------


def test_pdf_has_text_and_fonts() -> None:
    pdf = convert(SMALL_SVG, "pdf")
    assert pdf.startswith(b"%PDF-")
    assert pdf.rstrip().endswith(b"%%EOF")
    assert b"/Font" in pdf
    assert b"/FontFile" in pdf  # the font is embedded, text stays text
    _assert_xref_valid(pdf)


@pytest.mark.parametrize(
    ("svg", "kwargs", "points"),
    [
        (SMALL_SVG, {}, (75, 37.5)),  # 100 x 50 px at 96 per inch
        (SMALL_SVG, {"dpi": 600, "scale": 4}, (75, 37.5)),  # PNG-only options
        (INCH_SVG, {}, (144, 72)),
        (INCH_SVG, {"dpi": 100}, (144, 72)),
    ],
)
def test_pdf_page_size(svg: str, kwargs: dict[str, float], points: tuple[float, float]) -> None:
    assert _media_box(convert(svg, "pdf", **kwargs)) == pytest.approx(points)


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs pdftotext (poppler-utils)")
def test_pdf_text_is_extractable(tmp_path: Path) -> None:
    path = tmp_path / "fig.pdf"
    path.write_bytes(convert(SMALL_SVG, "pdf"))
    result = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True, timeout=30
    )
    assert "Hello" in result.stdout


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="needs pdftoppm (poppler-utils)")
def test_pdf_renders(tmp_path: Path) -> None:
    path = tmp_path / "fig.pdf"
    path.write_bytes(convert(SMALL_SVG, "pdf"))
    result = subprocess.run(
        ["pdftoppm", "-r", "96", "-png", "-singlefile", str(path), str(tmp_path / "page")],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # no "Syntax Error" or xref repair warnings
    image = _open_png((tmp_path / "page.png").read_bytes())
    assert image.size == (100, 50)
    assert _brightness(image, 30, 25) < 20
    assert _brightness(image, 1, 1) > 235


@pytest.mark.skipif(shutil.which("pdfinfo") is None, reason="needs pdfinfo (poppler-utils)")
def test_pdf_info_dates(tmp_path: Path) -> None:
    path = tmp_path / "fig.pdf"
    path.write_bytes(convert(SMALL_SVG, "pdf"))
    result = subprocess.run(
        ["pdfinfo", "-isodates", str(path)],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    assert result.stderr == ""
    assert re.search(r"CreationDate:\s+2000-01-01T00:00:00(Z|\+00:00)", result.stdout)


# -- determinism -------------------------------------------------------------------------


def test_png_and_pdf_are_byte_identical_across_runs() -> None:
    first = {fmt: convert(SMALL_SVG, fmt) for fmt in ("png", "pdf")}
    time.sleep(1.1)  # cairo's clock date has 1 s resolution
    env = {**os.environ, "TZ": "Asia/Kolkata", "PYTHONPATH": str(REPO)}
    code = (
        "import sys, nnsvg.render.export as e\n"
        "sys.stdout.buffer.write(e.convert(sys.stdin.read(), sys.argv[1]))\n"
    )
    for fmt in ("png", "pdf"):
        again = convert(SMALL_SVG, fmt)
        other = subprocess.run(
            [sys.executable, "-c", code, fmt],
            input=SMALL_SVG.encode(),
            cwd=REPO,
            env=env,
            capture_output=True,
            check=True,
            timeout=60,
        ).stdout
        assert again == first[fmt], fmt
        assert other == first[fmt], f"{fmt} differs in another process and time zone"


def test_pdf_creation_date_is_pinned() -> None:
    pdf = convert(SMALL_SVG, "pdf")
    assert _creation_date(pdf) == b"D:20000101000000Z"
    assert b"/ModDate" not in pdf


def test_pin_pdf_dates_keeps_offsets_of_a_clock_dated_pdf() -> None:
    """The fallback for a cairo without the metadata API: a clock date."""
    cairosvg = pytest.importorskip("cairosvg")
    raw = cairosvg.svg2pdf(bytestring=SMALL_SVG.encode())
    clock = _creation_date(raw)
    assert clock.startswith(b"D:") and clock != b"D:20000101000000Z"
    pinned = nnsvg.render.pdf.pin_pdf_dates(raw)
    assert len(pinned) == len(raw)
    assert _creation_date(pinned) == b"D:20000101000000Z"
    _assert_xref_valid(raw)
    _assert_xref_valid(pinned)
    # Another clock date of the same form pins to the same bytes.
    later = b"D:20991231235959" + clock[16:]
    assert nnsvg.render.pdf.pin_pdf_dates(raw.replace(clock, later)) == pinned


def test_pin_pdf_dates_pads_a_longer_date() -> None:
    def pdf(date: bytes) -> bytes:
        return (
            b"%PDF-1.5\n1 0 obj\n<< /Producer (cairo)\n   /CreationDate ("
            + date
            + b")\n>>\nendobj\n2 0 obj\n<< /Type /Catalog >>\nendobj\n"
            b"trailer\n<< /Root 2 0 R /Info 1 0 R >>\n%%EOF\n"
        )

    east = nnsvg.render.pdf.pin_pdf_dates(pdf(b"D:20240102030405+05'30"))
    west = nnsvg.render.pdf.pin_pdf_dates(pdf(b"D:20231231220405-08'00"))
    # 22 bytes of date become 17 of date and 5 spaces after the closing parenthesis.
    assert east == west == pdf(b"D:20000101000000Z").replace(b"Z)", b"Z)     ")
    assert len(east) == len(pdf(b"D:20240102030405+05'30"))


def test_pin_pdf_dates_leaves_odd_input_alone() -> None:
    assert nnsvg.render.pdf.pin_pdf_dates(b"%PDF-1.5\nno trailer") == b"%PDF-1.5\nno trailer"
    short = b"%PDF-1.5\n1 0 obj\n<< /CreationDate (D:2000) >>\nendobj\ntrailer << /Info 1 0 R >>"
    assert nnsvg.render.pdf.pin_pdf_dates(short) == short


# -- lazy import -------------------------------------------------------------------------


def test_import_does_not_load_cairosvg(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "import nnsvg.render.export as e\n"
        "e.export('<svg/>', sys.argv[1])\n"
        "e.infer_format('a.png')\n"
        'e.png_size(\'<svg width="2" height="2"/>\')\n'
        "loaded = [m for m in sys.modules if m.split('.')[0] in ('cairosvg', 'cairocffi')]\n"
        "print(loaded)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "fig.svg")],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert result.stdout.strip() == "[]"
    assert (tmp_path / "fig.svg").read_text() == "<svg/>"


# -- external resources ------------------------------------------------------------------


@pytest.fixture
def fetch_log(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[str, str]]]:
    """Record the URLs cairosvg asks for, and fail on any real file or web access."""
    calls: list[tuple[str, str]] = []
    fetcher = nnsvg.render.cairo_svg.fetch_resource

    def spy(url: str, resource_type: str) -> bytes:
        calls.append((url, "asked"))
        try:
            data = fetcher(url, resource_type)
        except ExportError:
            calls[-1] = (url, "refused")
            raise
        calls[-1] = (url, "served")
        return data

    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"network access attempted: {args}")

    real_open = builtins.open
    opened: list[str] = []

    def watched_open(file, *args, **kwargs):  # type: ignore[no-untyped-def]
        opened.append(str(file))
        return real_open(file, *args, **kwargs)

    cairosvg_url = pytest.importorskip("cairosvg.url")
    monkeypatch.setattr(nnsvg.render.cairo_svg, "fetch_resource", spy)
    monkeypatch.setattr(cairosvg_url, "fetch", no_network)
    monkeypatch.setattr(cairosvg_url, "urlopen", no_network)
    monkeypatch.setattr(urllib.request, "urlopen", no_network)
    monkeypatch.setattr(builtins, "open", watched_open)
    yield calls
    assert not [path for path in opened if "passwd" in path or "secret" in path]


@pytest.mark.parametrize(
    "href",
    [
        "file:///etc/passwd",
        "/etc/passwd",
        "secret.png",
        "http://example.com/x.png",
        "https://example.com/x.svg#a",
    ],
)
@pytest.mark.parametrize("fmt", ["png", "pdf"])
def test_external_images_are_refused(
    href: str,
    fmt: str,
    fetch_log: list[tuple[str, str]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    (tmp_path / "secret.png").write_bytes(b"not to be read")
    monkeypatch.chdir(tmp_path)  # a relative href would resolve to this file
    with pytest.raises(ExportError) as info:
        convert(_svg_with_image(href), fmt)
    message = str(info.value)
    assert message.startswith("refused to fetch external resource '")
    assert fetch_log and all(state == "refused" for _, state in fetch_log)
    url = fetch_log[0][0]
    assert url.startswith(("file://", "http://", "https://"))
    assert message == f"refused to fetch external resource {url!r}"


def test_external_stylesheet_is_refused(fetch_log: list[tuple[str, str]]) -> None:
    svg = SMALL_SVG.replace(
        "<rect", '<style>@import "http://example.com/evil.css";</style><rect', 1
    )
    with pytest.raises(ExportError, match="refused to fetch external resource"):
        convert(svg, "png")
    assert fetch_log == [("http://example.com/evil.css", "refused")]


def test_data_uri_images_are_drawn(fetch_log: list[tuple[str, str]]) -> None:
    inner = (
        b"<svg xmlns='http://www.w3.org/2000/svg' width='4' height='4' viewBox='0 0 4 4'>"
        b"<rect width='4' height='4'/></svg>"
    )
    href = "data:image/svg+xml;base64," + base64.b64encode(inner).decode()
    image = _open_png(convert(_svg_with_image(href), "png", scale=1))
    assert _brightness(image, 5, 5) < 20  # inside the image
    assert _brightness(image, 15, 15) > 235  # outside it
    assert [state for _, state in fetch_log] == ["served"]


def test_xml_entities_are_refused() -> None:
    svg = (
        '<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><text>&x;</text></svg>'
    )
    for fmt in ("png", "pdf"):
        with pytest.raises(ExportError, match="XML entities or a DTD, which are refused"):
            convert(svg, fmt)


def test_internal_references_still_work(fetch_log: list[tuple[str, str]]) -> None:
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'
        ' width="20" height="20"><defs><rect id="r" width="10" height="10"/></defs>'
        '<rect width="20" height="20" fill="white"/><use xlink:href="#r" x="10" y="10"/></svg>'
    )
    image = _open_png(convert(svg, "png", scale=1))
    assert _brightness(image, 15, 15) < 20
    assert _brightness(image, 5, 5) > 235
    assert fetch_log == []


# -- errors and export ---------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["png", "pdf"])
@pytest.mark.parametrize(
    "svg",
    [
        '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect',
        '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"></g></svg>',
    ],
)
def test_malformed_svg_is_a_short_export_error(svg: str, fmt: str) -> None:
    with pytest.raises(ExportError) as info:
        convert(svg, fmt)
    message = str(info.value)
    assert message.startswith(f"cannot convert the SVG to {fmt.upper()}: ")
    assert "\n" not in message and "Traceback" not in message
    assert info.value.__cause__ is not None


def test_not_an_svg() -> None:
    with pytest.raises(ExportError, match="no <svg> element"):
        convert("hello", "png")
    with pytest.raises(ExportError, match="cannot convert the SVG to PDF"):
        convert("hello", "pdf")


@pytest.mark.parametrize(
    ("name", "fmt"), [("fig.svg", "svg"), ("fig.PNG", "png"), ("f.pdf", "pdf")]
)
def test_export_writes_the_file(tmp_path: Path, name: str, fmt: str) -> None:
    path = tmp_path / name
    assert export(SMALL_SVG, path) == fmt
    assert path.read_bytes() == convert(SMALL_SVG, fmt)
    assert [p.name for p in tmp_path.iterdir()] == [name]


def test_export_explicit_format_wins(tmp_path: Path) -> None:
    path = tmp_path / "figure.out"
    assert export(SMALL_SVG, str(path), "PDF") == "pdf"
    assert path.read_bytes().startswith(b"%PDF")


def test_export_unknown_suffix_writes_nothing(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="cannot tell the output format"):
        export(SMALL_SVG, tmp_path / "fig.jpg")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("fmt", ["png", "pdf"])
def test_failing_conversion_leaves_existing_output_untouched(tmp_path: Path, fmt: str) -> None:
    path = tmp_path / f"fig.{fmt}"
    path.write_bytes(b"previous figure")
    with pytest.raises(ExportError):
        export('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect', path)
    with pytest.raises(ExportError):
        export(SMALL_SVG, path, dpi=-1)
    assert path.read_bytes() == b"previous figure"
    assert [p.name for p in tmp_path.iterdir()] == [path.name]


def test_export_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="output folder does not exist"):
        export(SMALL_SVG, tmp_path / "missing" / "fig.png")
