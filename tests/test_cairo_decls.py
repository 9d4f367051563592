"""The shipped cairo declarations (nnsvg.render.cairo_decls): current, used, and the same output."""

from __future__ import annotations

import os
import subprocess
import sys
import types
from pathlib import Path

import pytest

cffi = pytest.importorskip("cffi")
pytest.importorskip("cairosvg")

from nnsvg.render import _cairo_ffi, cairo_decls  # noqa: E402

SPECS = Path(__file__).resolve().parent.parent / "specs"
SHIPPED = Path(cairo_decls.__file__).resolve().parent


def test_shipped_modules_are_made_from_the_installed_cairocffi() -> None:
    # Fails after a cairocffi upgrade that changes its declarations: the shortcut is
    # then off (slower, still correct) until `python -m nnsvg.render.cairo_decls` is run.
    folder = cairo_decls._cairocffi_folder()
    assert folder is not None
    assert cairo_decls.source_digest(folder) == _cairo_ffi.CAIROCFFI_SHA256


def test_shipped_modules_declare_what_cairocffi_declares() -> None:
    """Independent of how cffi writes its modules: the same type names and the same
    names in the loaded library as cairocffi's own in-line parse."""
    folder = cairo_decls._cairocffi_folder()
    assert folder is not None
    constants = types.ModuleType("constants")
    exec((folder / "constants.py").read_text("utf-8"), vars(constants))
    parsed = cffi.FFI()
    parsed.cdef(constants._CAIRO_HEADERS)
    assert _cairo_ffi.ffi.list_types() == parsed.list_types()
    library = "libcairo.so.2" if sys.platform.startswith("linux") else None
    if library is None:
        pytest.skip("libcairo's file name is known here for Linux only")
    assert dir(_cairo_ffi.ffi.dlopen(library)) == dir(parsed.dlopen(library))
    assert len(dir(parsed.dlopen(library))) > 500


def test_shipped_modules_are_what_generate_writes(tmp_path: Path) -> None:
    if cffi.__version__ != _cairo_ffi.CFFI_VERSION:
        pytest.skip(f"made with cffi {_cairo_ffi.CFFI_VERSION}, this is {cffi.__version__}")
    written = cairo_decls.generate(tmp_path)
    assert [p.name for p in written] == ["_cairo_ffi.py", "_cairo_pixbuf_ffi.py"]
    for path in written:
        assert path.read_bytes() == (SHIPPED / path.name).read_bytes(), path.name


def _fresh_python(code: str, **env: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        check=True,
    )
    return result.stdout


def test_a_render_uses_the_shipped_declarations_and_never_parses_c() -> None:
    out = _fresh_python(
        "import sys\n"
        "from nnsvg.render.writers import write\n"
        "from nnsvg.pipeline import build_scene, load_spec, RenderOptions\n"
        "from nnsvg.render.svg import render_svg\n"
        f"scene = build_scene(load_spec({str(SPECS / 'lenet5.yaml')!r}), RenderOptions())\n"
        "write(scene, 'png')\n"
        "import cairocffi\n"
        "print(type(sys.modules['cairocffi.ffi']).__name__, 'pycparser' in sys.modules)\n",
        NNSVG_CAIRO_DECLS="",
    )
    assert out.split() == ["_Declarations", "False"]


@pytest.mark.parametrize("fmt", ["png", "pdf"])
def test_shipped_and_parsed_declarations_give_the_same_bytes(fmt: str) -> None:
    code = (
        "import sys\n"
        "from nnsvg.render.writers import write\n"
        "from nnsvg.pipeline import build_scene, load_spec, RenderOptions\n"
        "from nnsvg.render.svg import render_svg\n"
        f"for name in ('alexnet.yaml', 'lenet5.yaml', 'nnsvg-default.yaml'):\n"
        f"    scene = build_scene(load_spec({str(SPECS)!r} + '/' + name), RenderOptions())\n"
        f"    sys.stdout.write(write(scene, {fmt!r}).hex() + ' ')\n"
        "print(type(sys.modules['cairocffi.ffi']).__name__)\n"
    )
    shipped = _fresh_python(code, NNSVG_CAIRO_DECLS="").split()
    parsed = _fresh_python(code, NNSVG_CAIRO_DECLS="0").split()
    assert shipped[-1] == "_Declarations"
    assert parsed[-1] == "module"  # cairocffi's own ffi.py, parsed as usual
    assert shipped[:-1] == parsed[:-1]


@pytest.fixture
def no_cairocffi(monkeypatch: pytest.MonkeyPatch) -> None:
    """This process as if cairocffi were not imported yet (restored afterwards)."""
    for name in list(sys.modules):
        if name == "cairocffi" or name.startswith("cairocffi."):
            monkeypatch.delitem(sys.modules, name)
    monkeypatch.delenv("NNSVG_CAIRO_DECLS", raising=False)


def test_install_puts_both_ffi_objects_in_place(no_cairocffi: None) -> None:
    assert cairo_decls.install() is True
    module = sys.modules["cairocffi.ffi"]
    assert module.ffi is _cairo_ffi.ffi
    assert module.ffi_pixbuf.typeof("GdkPixbuf *") is not None
    assert cairo_decls.install() is True  # a second call keeps it


def test_install_refuses_declarations_of_another_cairocffi(
    no_cairocffi: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_cairo_ffi, "CAIROCFFI_SHA256", "0" * 64)
    assert cairo_decls.install() is False
    assert "cairocffi.ffi" not in sys.modules


def test_install_stays_out_of_the_way(no_cairocffi: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NNSVG_CAIRO_DECLS", "0")
    assert cairo_decls.install() is False
    monkeypatch.delenv("NNSVG_CAIRO_DECLS")
    # xcffib installed: cairocffi would add XCB declarations the shipped module lacks.
    real_find_spec = cairo_decls.importlib.util.find_spec
    with monkeypatch.context() as patch:
        patch.setattr(
            cairo_decls.importlib.util,
            "find_spec",
            lambda name: object() if name == "xcffib" else real_find_spec(name),
        )
        assert cairo_decls.install() is False
    # cairocffi imported already (by the user's own code): never replaced under it.
    monkeypatch.setitem(sys.modules, "cairocffi", types.ModuleType("cairocffi"))
    assert cairo_decls.install() is False
    assert "cairocffi.ffi" not in sys.modules


def test_source_digest_covers_both_files(tmp_path: Path) -> None:
    for name in ("constants.py", "ffi.py"):
        (tmp_path / name).write_text("x = 1\n")
    before = cairo_decls.source_digest(tmp_path)
    (tmp_path / "ffi.py").write_text("x = 2\n")
    assert cairo_decls.source_digest(tmp_path) != before
