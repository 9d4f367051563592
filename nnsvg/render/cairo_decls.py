"""Import cairocffi (and so cairosvg) without parsing cairo's C declarations again.

cairocffi declares cairo's API to cffi as C source text (``constants._CAIRO_HEADERS``
and the GdkPixbuf declarations in ``cairocffi/ffi.py``), in cffi's *in-line* ABI mode:
every process that imports it runs pycparser over those 56 KB, 55-65 ms on this
machine, half the cost of importing cairosvg and paid by every PNG or PDF render.
cffi's *out-of-line* ABI mode keeps the parsed declarations as a compact Python
module instead; the two FFI objects behave the same (same types, same ``dlopen``).

nnsvg ships those modules (``_cairo_ffi.py`` and ``_cairo_pixbuf_ffi.py`` beside this
file, written by :func:`generate` from the installed cairocffi) and
:func:`install` puts them in place of ``cairocffi.ffi`` before cairocffi is imported,
when, and only when:

* cairocffi is not imported yet;
* its ``constants.py`` and ``ffi.py`` are byte for byte the files the modules were
  made from (their SHA-256 is recorded in ``_cairo_ffi.py``), so the declarations
  are the same;
* xcffib is not installed (cairocffi would then add its XCB declarations);
* ``NNSVG_CAIRO_DECLS`` is not ``0`` (the way to turn this off).

In any other case cairocffi is imported as it always is: the same result, slower.
After a cairocffi upgrade that changes its declarations, run
``python -m nnsvg.render.cairo_decls`` to write the modules again
(tests/test_cairo_decls.py fails until then).

Why nnsvg keeps this hand-written replacement of cairocffi's own start-up rather than a
plain ``import cairocffi``: a user notices it. Measured by
benchmarks/bench_cairo_import.py (fresh processes, best of 15, 2-core machine): importing
cairocffi and cairosvg's surfaces takes 147 ms with cairocffi's in-line declarations and
66 ms with these; a whole ``nnsvg render x.yaml -o x.png`` of a small figure takes
0.31 s with them and 0.48 s without (``NNSVG_CAIRO_DECLS=0``), and every PNG or PDF
command pays it once per process (a batch's spawned workers each time). The empty PATH
of :func:`import_cairo` is a separate matter, kept whatever the declarations: with
cairocffi's plain import a ``gcc`` and an ``ld`` planted first on PATH are run (twice
each), with nnsvg's neither.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import re
import sys
import types
from pathlib import Path

__all__ = ["generate", "install", "source_digest"]

_HERE = Path(__file__).resolve().parent
_MAIN = "nnsvg.render._cairo_ffi"
_PIXBUF = "nnsvg.render._cairo_pixbuf_ffi"
_SOURCES = ("constants.py", "ffi.py")
_PIXBUF_CDEF = re.compile(r"ffi_pixbuf\.cdef\(\s*'''(.*?)'''\s*\)", re.S)


def _cairocffi_folder() -> Path | None:
    spec = importlib.util.find_spec("cairocffi")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def source_digest(folder: Path) -> str:
    """SHA-256 over cairocffi's declaration files (``constants.py``, ``ffi.py``) in ``folder``."""
    digest = hashlib.sha256()
    for name in _SOURCES:
        data = (folder / name).read_bytes()
        digest.update(b"%d:" % len(data) + data)
    return digest.hexdigest()


def install() -> bool:
    """Put the shipped declarations in place of ``cairocffi.ffi`` if they match the
    installed cairocffi (see the module docstring); True when they were put in place.
    Never raises: on any doubt cairocffi is left to import itself."""
    if os.environ.get("NNSVG_CAIRO_DECLS") == "0":
        return False
    if "cairocffi" in sys.modules or "cairocffi.ffi" in sys.modules:
        return isinstance(sys.modules.get("cairocffi.ffi"), _Declarations)
    try:
        folder = _cairocffi_folder()
        if folder is None or importlib.util.find_spec("xcffib") is not None:
            return False
        from nnsvg.render import _cairo_ffi, _cairo_pixbuf_ffi

        if source_digest(folder) != _cairo_ffi.CAIROCFFI_SHA256:
            return False
    except Exception:  # an unreadable file, a cffi that refuses the module...
        return False
    module = _Declarations("cairocffi.ffi")
    module.__file__ = str(folder / "ffi.py")
    module.ffi = _cairo_ffi.ffi
    module.ffi_pixbuf = _cairo_pixbuf_ffi.ffi
    sys.modules["cairocffi.ffi"] = module
    return True


def import_cairo() -> None:
    """Import cairocffi and cairosvg's surfaces: with the shipped declarations
    (:func:`install`), and with no program search path while cairocffi loads libcairo.

    cairocffi looks libcairo up with :func:`ctypes.util.find_library` under three names;
    on Linux that runs ``/sbin/ldconfig -p`` and then ``gcc`` and ``ld`` found on PATH
    (20 ms at every PNG/PDF start, and a relative PATH entry would let a repository put
    its own ``gcc`` there and have nnsvg run it). With PATH empty for the import only,
    ldconfig (an absolute path) still answers for ``cairo``, or cairocffi opens
    ``libcairo.so.2`` by its soname as its own fallback does; no other program runs.
    Then nnsvg's private font configuration is made current (:func:`nnsvg.fonts.activate`)."""
    install()
    if "cairocffi" not in sys.modules:
        saved = os.environ.get("PATH")
        os.environ["PATH"] = ""
        try:
            import cairocffi  # noqa: F401
        finally:
            if saved is None:
                del os.environ["PATH"]
            else:
                os.environ["PATH"] = saved
    import cairosvg.surface  # noqa: F401

    from nnsvg.fonts import activate

    activate()  # cairo draws with nnsvg's shipped fonts (nnsvg/fonts/__init__.py)


class _Declarations(types.ModuleType):
    """``cairocffi.ffi`` as nnsvg installs it (marks that the shortcut is in place)."""


def generate(folder: Path = _HERE) -> list[Path]:
    """Write ``_cairo_ffi.py`` and ``_cairo_pixbuf_ffi.py`` into ``folder`` from the
    installed cairocffi's declarations. Needs cffi's parser (pycparser); run it in a
    process that has not imported cairocffi through :func:`install`."""
    import cffi
    from cffi import FFI

    source = _cairocffi_folder()
    if source is None:
        raise RuntimeError("cairocffi is not installed")
    constants = types.ModuleType("cairocffi_constants")
    exec(
        compile((source / "constants.py").read_text("utf-8"), "constants.py", "exec"),
        vars(constants),
    )
    pixbuf = _PIXBUF_CDEF.search((source / "ffi.py").read_text("utf-8"))
    if pixbuf is None:
        raise RuntimeError("cairocffi/ffi.py has no ffi_pixbuf.cdef('''...''') to read")
    main = FFI()
    main.set_source(_MAIN, None)
    main.cdef(constants._CAIRO_HEADERS)
    extra = FFI()
    extra.include(main)
    extra.set_source(_PIXBUF, None)
    extra.cdef(pixbuf.group(1))
    written = []
    stamp = f'CAIROCFFI_SHA256 = "{source_digest(source)}"\nCFFI_VERSION = "{cffi.__version__}"\n'
    for ffi, name in ((main, _MAIN), (extra, _PIXBUF)):
        path = folder / (name.rsplit(".", 1)[1] + ".py")
        ffi.emit_python_code(str(path))
        text = path.read_text("utf-8")
        header = (
            "# Written by `python -m nnsvg.render.cairo_decls` from cairocffi's declarations:\n"
            "# cairo's C API parsed once, for cffi's out-of-line ABI mode. Do not edit.\n"
        )
        path.write_text(header + (stamp if name == _MAIN else "") + text, "utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    for path in generate():
        print(f"wrote {path}")
