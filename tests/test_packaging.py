"""The wheel ships the built-in themes, and an installed nnsvg finds them."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from .conftest import ROOT

pytest.importorskip("hatchling")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(out),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    return next(out.glob("nnsvg-*.whl"))


def test_wheel_contains_the_themes_and_the_entry_point(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    themes = {Path(n).name for n in names if n.startswith("nnsvg/styles/")}
    assert {"default.yaml", "paper.yaml", "colorblind.yaml", "dark.yaml", "latex.yaml"} <= themes
    shipped = {Path(n).name for n in names if n.startswith("nnsvg/fonts/")}
    assert {"DejaVuSans.ttf", "DejaVuSerif.ttf", "LICENSE-DejaVu.txt"} <= shipped
    assert {"lmroman10-regular.otf", "latinmodern-math.otf", "LICENSE-LatinModern.txt"} <= shipped
    entry = next(n for n in names if n.endswith("entry_points.txt"))
    assert "nnsvg = nnsvg.cli:main" in zipfile.ZipFile(wheel).read(entry).decode()


def test_installed_wheel_lists_themes(wheel: Path, tmp_path: Path) -> None:
    # The wheel alone goes into a folder of its own (its dependencies are this
    # environment's); run outside the checkout so that folder's nnsvg is the one used.
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target), wheel],
        check=True,
        capture_output=True,
    )
    env = {**os.environ, "PYTHONPATH": str(target)}
    result = subprocess.run(
        [str(target / "bin" / "nnsvg"), "themes"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    for name in ("default", "paper", "colorblind", "dark"):
        assert name in result.stdout
    where = subprocess.run(
        [sys.executable, "-c", "import nnsvg.theme as t; print(t.styles_dir())"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
        env=env,
    ).stdout
    assert Path(where.strip()).is_relative_to(target), where
