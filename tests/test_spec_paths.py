"""Collecting spec files from arguments: linear, each folder walked once, like glob."""

from __future__ import annotations

import glob
import os
import time
from pathlib import Path

import pytest

from nnsvg.spec_paths import NothingFound, collect_specs, expand_glob
from tests.cli_run import run

TREE = [
    "a.yaml",
    "b.yml",
    "c.json",
    ".hidden.yaml",
    "figs/x.yaml",
    "figs/y.yaml",
    "figs/sub/z.yaml",
    "figs/sub/deep/w.yaml",
    "figs/.hid/q.yaml",
    "other/x.yaml",
    "figs/sub/a[1].yaml",
]
PATTERNS = [
    "*.yaml",
    "*.y*ml",
    "figs/*.yaml",
    "figs/**/*.yaml",
    "**/*.yaml",
    "**/x.yaml",
    "figs/*/*.yaml",
    "figs/**",
    "*/x.yaml",
    "figs/sub/a[[]1].yaml",
    "figs/sub/a?1?.yaml",
    "./figs/*.yaml",
    "figs/.hid/*.yaml",
    "f*/s*/d*/*.yaml",
    "figs/sub/[!a]*.yaml",
    "nothing/*.yaml",
]


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    for name in TREE:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("layers: [2, 1]\n")
    return tmp_path


@pytest.mark.parametrize("pattern", PATTERNS)
def test_globs_match_what_glob_glob_matches(tree: Path, pattern: str) -> None:
    expected = sorted(p for p in glob.glob(pattern, recursive=True) if os.path.isfile(p))
    assert sorted(expand_glob(pattern)) == expected
    absolute = str(tree / pattern.removeprefix("./"))
    expected = sorted(p for p in glob.glob(absolute, recursive=True) if os.path.isfile(p))
    assert sorted(expand_glob(absolute)) == expected


def test_links_back_to_a_walked_folder_are_not_walked_again(tree: Path) -> None:
    # Two links to '.' made glob.glob('figs/**/*.yaml') exponential (no answer in 60 s).
    (tree / "figs" / "loop1").symlink_to(".")
    (tree / "figs" / "loop2").symlink_to(".")
    (tree / "figs" / "up").symlink_to("..")
    start = time.perf_counter()
    found = expand_glob("figs/**/*.yaml")
    assert time.perf_counter() - start < 2
    real = {os.path.realpath(p) for p in found}
    assert len(real) == len(found)  # each file once
    assert {Path(p).name for p in found} >= {"x.yaml", "y.yaml", "z.yaml", "w.yaml"}
    result = run("render", "figs/**/*.yaml", "--out-dir", "out", "-j", "1")
    assert result.exit_code == 2  # figs/x.yaml and other/x.yaml (through 'up') collide
    assert "would both write out/x.svg" in result.stderr
    (tree / "figs" / "up").unlink()
    result = run("render", "figs/**/*.yaml", "--out-dir", "out", "-j", "1")
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in (tree / "out").glob("*.svg")) == [
        "a[1].svg",
        "w.svg",
        "x.svg",
        "y.svg",
        "z.svg",
    ]


def test_collecting_is_linear(tmp_path: Path) -> None:
    # 20,000 one-line specs took 42-58 s to de-duplicate (a list search per file).
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(20_000):
        (folder / f"s{i:05}.yaml").write_text("layers: [2, 1]\n")
    start = time.perf_counter()
    specs = collect_specs([str(folder), str(folder / "*.yaml"), str(folder / "s00001.yaml")])
    assert time.perf_counter() - start < 5  # about 0.2 s here
    assert len(specs) == 20_000
    assert specs[:2] == [folder / "s00000.yaml", folder / "s00001.yaml"]


def test_a_folder_means_its_own_visible_spec_files(tree: Path) -> None:
    assert collect_specs(["."]) == [Path("a.yaml"), Path("b.yml"), Path("c.json")]
    assert collect_specs(["figs", "figs/x.yaml", "missing.yaml"]) == [
        Path("figs/x.yaml"),
        Path("figs/y.yaml"),
        Path("missing.yaml"),
    ]
    (tree / "empty").mkdir()
    with pytest.raises(NothingFound, match="no spec files"):
        collect_specs(["empty"])
    assert collect_specs(["nothing/*.yaml"], strict=False) == []
    with pytest.raises(NothingFound, match=r"no file matches 'a\\nb\*'"):
        collect_specs(["a\nb*"])
