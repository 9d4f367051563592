"""Every import in the tree is declared in pyproject.toml (or is the standard library or
nnsvg itself), so a fresh machine that installs '.[test]' can run everything."""

from __future__ import annotations

import textwrap
from pathlib import Path

from tests.import_check import undeclared_imports

ROOT = Path(__file__).resolve().parent.parent

PYPROJECT = """\
[project]
name = "demo"
dependencies = ["pyyaml>=6", "tomli>=2; python_version < '3.11'"]

[project.optional-dependencies]
test = ["pytest>=7"]
"""


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    (tmp_path / "pyproject.toml").write_text(PYPROJECT)
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return tmp_path


# What this machine's metadata would say, fixed so the test means the same everywhere.
PROVIDERS = {"yaml": ["PyYAML"], "pytest": ["pytest"], "click": ["click"], "_pytest": ["pytest"]}


def test_the_tree_imports_only_what_pyproject_declares() -> None:
    found = undeclared_imports(ROOT)
    assert not found, "\n".join(map(str, found))


def test_the_checker_catches_an_undeclared_test_import(tmp_path: Path) -> None:
    # The slip that once broke a fresh machine: a test importing click, which nothing declares.
    root = _tree(
        tmp_path,
        {
            "demo/__init__.py": "import yaml\n",
            "tests/cli_run.py": "from click.testing import Result\n",
        },
    )
    found = undeclared_imports(root, PROVIDERS)
    assert [str(f) for f in found] == [
        "tests/cli_run.py:1: imports 'click' (provided here by click), "
        "which pyproject.toml does not declare"
    ]
    # Not installed at all reads differently, and is caught the same.
    assert [str(f) for f in undeclared_imports(root, {"yaml": ["PyYAML"]})] == [
        "tests/cli_run.py:1: imports 'click' (not installed here), "
        "which pyproject.toml does not declare"
    ]


def test_the_package_may_not_use_the_test_extra(tmp_path: Path) -> None:
    root = _tree(
        tmp_path, {"demo/core.py": "import pytest\n", "tests/test_x.py": "import pytest\n"}
    )
    assert [(f.path, f.module) for f in undeclared_imports(root, PROVIDERS)] == [
        ("demo/core.py", "pytest")
    ]


def test_skips_and_dynamic_imports_count_and_guarded_imports_pass(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            "tests/test_x.py": """\
                import importlib
                import os, sys
                from __future__ import annotations
                import pytest
                from tests import helpers
                import helpers as h
                import demo.core
                try:
                    import ujson
                except ImportError:
                    ujson = None
                try:
                    import tomllib
                except ModuleNotFoundError:
                    import tomli as tomllib
                def test() -> None:
                    pytest.importorskip("fontTools")
                    importlib.import_module("click.testing")
                    importlib.import_module(".relative", "demo")
                """,
            "tests/helpers.py": "",
        },
    )
    found = [(f.line, f.module) for f in undeclared_imports(root, PROVIDERS)]
    assert found == [(17, "fontTools"), (18, "click")]
