"""Which imports of a source tree no declared distribution provides.

A package that happens to be installed on one machine (click, once) makes an import work
there and fail on a fresh one. :func:`undeclared_imports` reads every ``.py`` file of the
given folders, takes each absolute import (and each ``pytest.importorskip("x")`` and
``importlib.import_module("x")`` with a literal name, since a skip on a missing package is
a test that cannot fail), and reports those that are neither the standard library, nor the
project's own modules, nor provided by a distribution that ``pyproject.toml`` declares:
``[project].dependencies`` for the package itself, those plus every extra (``test``, and
the optional features' extras that CI installs with it) for the tests, benchmarks and
tools. An import inside ``try: ... except ImportError`` is optional by
construction and passes.

Which distribution provides a module comes from the installed metadata
(:func:`importlib.metadata.packages_distributions`); a module no installed distribution
provides passes only when its name is a declared distribution's name (``tomli`` on a Python
where it is not installed).
"""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

__all__ = ["Undeclared", "undeclared_imports"]

# Folders checked beside the package's own, where the test extra counts too.
DEV_FOLDERS = ("tests", "benchmarks", "tools")

# Modules of the standard library on some supported Python but not this one.
_LATER_STDLIB = frozenset({"tomllib"})

_IMPORT_ERRORS = frozenset({"ImportError", "ModuleNotFoundError", "Exception", "BaseException"})
_DYNAMIC_IMPORTS = frozenset({"importorskip", "import_module"})


@dataclass(frozen=True)
class Undeclared:
    path: str
    line: int
    module: str
    provider: str | None  # the installed distribution that provides it here, if any

    def __str__(self) -> str:
        where = f"provided here by {self.provider}" if self.provider else "not installed here"
        return (
            f"{self.path}:{self.line}: imports '{self.module}' ({where}), "
            "which pyproject.toml does not declare"
        )


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirement_name(requirement: str) -> str:
    return _norm(re.split(r"[\s\[<>=!~;(]", requirement.strip(), maxsplit=1)[0])


def _guarded(handlers: list[ast.ExceptHandler]) -> bool:
    for handler in handlers:
        kinds = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
        for kind in kinds:
            if kind is None or (isinstance(kind, ast.Name) and kind.id in _IMPORT_ERRORS):
                return True
    return False


def _imports(tree: ast.AST) -> Iterator[tuple[str, int]]:
    """(top-level module, line) of every unguarded absolute import in ``tree``."""
    guarded: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Try) and _guarded(node.handlers):
            for inner in node.body:
                guarded.update(id(n) for n in ast.walk(inner))
    for node in ast.walk(tree):
        if id(node) in guarded:
            continue
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        elif isinstance(node, ast.Call) and node.args:
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            first = node.args[0]
            if (
                called in _DYNAMIC_IMPORTS
                and isinstance(first, ast.Constant)
                and isinstance(first.value, str)
                and not first.value.startswith(".")
            ):
                names = [first.value]
        for name in names:
            yield name.split(".")[0], node.lineno


def _local_names(root: Path) -> set[str]:
    """Modules importable from the checkout itself (the package, test helpers, scripts)."""
    local = {p.stem for p in root.glob("*.py")} | {p.name for p in root.iterdir() if p.is_dir()}
    for folder in DEV_FOLDERS:  # scripts and test helpers import each other by file name
        if (root / folder).is_dir():
            local |= {p.stem for p in (root / folder).rglob("*.py")}
    return local


def undeclared_imports(
    root: Path, providers: Mapping[str, list[str]] | None = None
) -> list[Undeclared]:
    """Every import under ``root``'s checked folders that pyproject.toml does not declare.

    ``providers`` maps a top-level module to the distributions that provide it (default:
    what is installed in this interpreter)."""
    project = tomllib.loads((root / "pyproject.toml").read_text("utf-8"))["project"]
    own = _norm(project["name"])
    runtime = {_requirement_name(r) for r in project.get("dependencies", [])}
    test = runtime | {
        _requirement_name(r)
        for extra in project.get("optional-dependencies", {}).values()
        for r in extra
    }
    if providers is None:
        providers = metadata.packages_distributions()
    stdlib = set(sys.stdlib_module_names) | _LATER_STDLIB | {"__future__"}
    local = _local_names(root)
    found: list[Undeclared] = []
    package = project["name"].replace("-", "_")
    for folder, allowed in [(package, runtime)] + [(f, test) for f in DEV_FOLDERS]:
        for path in sorted((root / folder).rglob("*.py")) if (root / folder).is_dir() else []:
            tree = ast.parse(path.read_text("utf-8"), str(path))
            for module, line in _imports(tree):
                if module in stdlib or module in local or _norm(module) == own:
                    continue
                owners = sorted({_norm(d) for d in providers.get(module, [])})
                if set(owners) & allowed or (not owners and _norm(module) in allowed):
                    continue
                relative = path.relative_to(root).as_posix()
                found.append(Undeclared(relative, line, module, ", ".join(owners) or None))
    return found
