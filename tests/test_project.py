"""Project files: nnsvg.toml or [tool.nnsvg] in pyproject.toml, found upwards."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from nnsvg.project import Project, ProjectError, find_project, load_project
from tests.cli_run import run

from .conftest import SPECS_DIR as SPECS
from .conftest import readme_blocks


@pytest.fixture
def paper(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository (``.git``) with a spec in ``figs/``; the current folder is ``figs/``."""
    (tmp_path / ".git").mkdir()
    (tmp_path / "figs").mkdir()
    shutil.copyfile(SPECS / "elman-rnn.yaml", tmp_path / "figs" / "net.yaml")
    monkeypatch.chdir(tmp_path / "figs")
    return tmp_path


def svg_root(path: Path) -> str:
    text = path.read_text()
    return text[text.index("<svg") : text.index(">", text.index("<svg"))]


# --------------------------------------------------------------------------- finding


def test_found_in_a_parent_folder(paper: Path) -> None:
    (paper / "nnsvg.toml").write_text('theme = "paper"\n')
    assert find_project() == (paper / "nnsvg.toml").resolve()
    assert find_project(paper / "figs") == (paper / "nnsvg.toml").resolve()


def test_search_stops_at_the_repository_root(tmp_path: Path) -> None:
    (tmp_path / "nnsvg.toml").write_text('theme = "dark"\n')  # outside the repository
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    (tmp_path / "repo" / "figs").mkdir()
    assert find_project(tmp_path / "repo" / "figs") is None
    (tmp_path / "repo" / ".git").rmdir()
    assert find_project(tmp_path / "repo" / "figs") == (tmp_path / "nnsvg.toml").resolve()


def test_pyproject_table(paper: Path) -> None:
    (paper / "pyproject.toml").write_text(
        '[project]\nname = "paper"\n\n[tool.nnsvg]\nformats = ["pdf"]\nwidth = "89mm"\n'
    )
    path = find_project()
    assert path == (paper / "pyproject.toml").resolve()
    project = load_project(path)
    assert project.formats == ("pdf",)
    assert project.width == "89mm"


def test_pyproject_without_the_table_is_passed_over(paper: Path) -> None:
    (paper / "figs" / "pyproject.toml").write_text('[project]\nname = "nnsvg-user"\n')
    assert find_project() is None
    (paper / "nnsvg.toml").write_text("jobs = 2\n")
    assert find_project() == (paper / "nnsvg.toml").resolve()


def test_nnsvg_toml_wins_over_pyproject_in_one_folder(paper: Path) -> None:
    (paper / "pyproject.toml").write_text("[tool.nnsvg]\njobs = 3\n")
    (paper / "nnsvg.toml").write_text("jobs = 2\n")
    assert load_project(find_project()).jobs == 2


# --------------------------------------------------------------------------- loading


def test_all_keys_and_relative_paths(paper: Path) -> None:
    (paper / "themes").mkdir()
    (paper / "themes" / "mine.yaml").write_text("extends: paper\n")
    (paper / "nnsvg.toml").write_text(
        'theme = "themes/mine.yaml"\nformats = ["svg", "PDF", "svg"]\nwidth = "3.5in"\n'
        'dpi = 600\nscale = 3\nout_dir = "build/figs"\njobs = 4\nfont = "Georgia, serif"\n'
        "check = true\n"
    )
    project = load_project(find_project())
    assert project == Project(
        path=find_project(),
        theme=str(paper.resolve() / "themes" / "mine.yaml"),
        formats=("svg", "pdf"),
        width="3.5in",
        dpi=600.0,
        scale=3.0,
        out_dir=paper.resolve() / "build" / "figs",
        jobs=4,
        font="Georgia, serif",
        check=True,
    )


BAD_VALUES = {
    "format": ('formats = ["svg", "gif"]\n', "1:11: formats: unknown format 'gif'"),
    "formats-type": ("formats = 3\n", "1:11: formats: must be a list of formats"),
    "dpi": ("dpi = -1\n", "1:7: dpi: must be a positive number below 100000, got -1"),
    "scale-bool": ("scale = true\n", "1:9: scale: must be a positive number"),
    "jobs": ("jobs = 0\n", "1:8: jobs: must be a whole number from 1 to 1024, got 0"),
    "width": ('width = "3furlongs"\n', "1:9: width: invalid length '3furlongs'"),
    "width-range": ('width = "5000in"\n', "1:9: width: must be from 1px to 100000px"),
    "theme": ('theme = "papr"\n', "1:9: theme: unknown theme 'papr' (did you mean 'paper'?)"),
    "theme-file": ('theme = "t.yaml"\n', "1:9: theme: theme file not found:"),
    "font": ('font = ""\n', "1:8: font: must be a non-empty string, got ''"),
    "check": ('check = "yes"\n', "1:9: check: must be true or false, got 'yes'"),
    "out_dir": ("out_dir = 1\n", "1:11: out_dir: must be a non-empty string, got 1"),
    "unknown": ("\nwidht = 3\n", "2:1: unknown key 'widht' (did you mean 'width'?)"),
    "syntax": ("formats = [svg\n", "1:12: invalid TOML: "),
}


@pytest.mark.parametrize("case", list(BAD_VALUES), ids=list(BAD_VALUES))
def test_bad_values_are_named_with_their_place(paper: Path, case: str) -> None:
    text, message = BAD_VALUES[case]
    (paper / "nnsvg.toml").write_text(text)
    with pytest.raises(ProjectError) as info:
        load_project(find_project())
    shown = str((paper / "nnsvg.toml").resolve())  # outside the current folder: in full
    assert str(info.value).startswith(f"{shown}:{message}"), str(info.value)


def test_every_bad_value_is_reported_in_line_order(paper: Path) -> None:
    (paper / "nnsvg.toml").write_text('dpi = 0\njobs = "x"\n')
    with pytest.raises(ProjectError) as info:
        load_project(paper / "nnsvg.toml")
    lines = str(info.value).splitlines()
    assert [re.sub(r"^.*nnsvg\.toml:", "", line) for line in lines] == [
        "1:7: dpi: must be a positive number below 100000, got 0",
        "2:8: jobs: must be a whole number from 1 to 1024, got 'x'",
    ]


def test_pyproject_errors_name_the_table(paper: Path) -> None:
    (paper / "pyproject.toml").write_text("[tool.nnsvg]\n  dpi = 0\n")
    with pytest.raises(ProjectError, match=r"pyproject\.toml:2:9: tool\.nnsvg\.dpi: must be"):
        load_project(find_project())


def test_readme_example_loads(tmp_path: Path) -> None:
    blocks = readme_blocks("toml")
    assert blocks
    (tmp_path / "nnsvg.toml").write_text(blocks[0])
    project = load_project(tmp_path / "nnsvg.toml")
    assert project.theme == "paper"
    assert project.formats == ("svg", "pdf")


# --------------------------------------------------------------------------- the CLI


def test_defaults_are_applied(paper: Path) -> None:
    (paper / "nnsvg.toml").write_text(
        'formats = ["svg", "pdf"]\nout_dir = "build"\nwidth = "3.5in"\ntheme = "dark"\n'
        "font = \"'Fira Sans', sans-serif\"\njobs = 1\n"
    )
    result = run("render", "net.yaml")
    assert result.exit_code == 0, result.stderr
    build = paper / "build"
    assert sorted(p.name for p in build.glob("net.*")) == ["net.pdf", "net.svg"]
    assert ' width="3.5in"' in svg_root(build / "net.svg")
    text = (build / "net.svg").read_text()
    assert 'fill="#1e1f24"' in text  # the dark theme's background
    assert "font-family=\"'Fira Sans', sans-serif\"" in text


def test_command_line_overrides_the_project(paper: Path) -> None:
    (paper / "nnsvg.toml").write_text(
        'formats = ["svg", "pdf"]\nout_dir = "build"\nwidth = "3.5in"\ntheme = "dark"\n'
        'font = "Georgia"\n'
    )
    result = run(
        "render", "net.yaml", "--format", "svg", "--out-dir", "here", "--width", "89mm",
        "--theme", "paper", "--font", "Courier",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert not (paper / "build").exists()
    assert [p.name for p in (paper / "figs" / "here").glob("net.*")] == ["net.svg"]
    svg = paper / "figs" / "here" / "net.svg"
    assert ' width="89mm"' in svg_root(svg)
    text = svg.read_text()
    assert 'font-family="Courier"' in text and 'fill="#1e1f24"' not in text


def test_output_file_ignores_project_formats_and_folder(paper: Path) -> None:
    (paper / "nnsvg.toml").write_text('formats = ["pdf"]\nout_dir = "build"\n')
    result = run("render", "net.yaml", "-o", "fig.png")
    assert result.exit_code == 0, result.stderr
    assert (paper / "figs" / "fig.png").read_bytes().startswith(b"\x89PNG")
    assert not (paper / "build").exists()


def test_spec_keys_win_where_no_option_would(paper: Path) -> None:
    spec = paper / "figs" / "net.yaml"
    spec.write_text(spec.read_text() + "theme: {font: {family: Georgia}}\n")
    (paper / "nnsvg.toml").write_text('font = "Courier"\ntheme = "paper"\n')
    assert run("render", "net.yaml", "-o", "a.svg").exit_code == 0
    text = (paper / "figs" / "a.svg").read_text()
    assert 'font-family="Georgia"' in text and "Courier" not in text
    assert 'stroke="#000000"' in text  # the project's base theme (paper) under it


def test_bad_project_file_is_a_usage_error(paper: Path) -> None:
    (paper / "nnsvg.toml").write_text('formats = ["svg", "gif"]\n')
    result = run("render", "net.yaml")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"usage error: {(paper / 'nnsvg.toml').resolve()}:1:11: formats: unknown format 'gif' "
        "(must be one of svg, png, pdf, tex)"
    ]
    assert not (paper / "figs" / "net.svg").exists()


def test_no_project_ignores_it(paper: Path) -> None:
    (paper / "nnsvg.toml").write_text("formats = [broken\n")
    result = run("render", "net.yaml", "--no-project")
    assert result.exit_code == 0, result.stderr
    assert (paper / "figs" / "net.svg").exists()


def test_project_in_the_current_folder_shows_a_short_path(paper: Path, monkeypatch) -> None:
    monkeypatch.chdir(paper)
    (paper / "nnsvg.toml").write_text('out_dir = "build"\njobs = 0\n')
    result = run("render", "figs/net.yaml")
    assert result.stderr.splitlines() == [
        "usage error: nnsvg.toml:2:8: jobs: must be a whole number from 1 to 1024, got 0"
    ]
    (paper / "nnsvg.toml").write_text('out_dir = "build"\n')
    result = run("render", "figs/net.yaml")
    assert result.stdout.splitlines() == [
        f"rendered {Path('figs/net.yaml')} -> {Path('build/net.svg')}"
    ]


def test_project_check_lints_what_render_renders(paper: Path) -> None:
    """check = true: render lints too (exit 1 on a finding); --no-check turns it off."""
    (paper / "nnsvg.toml").write_text("check = true\n")
    crowded = paper / "figs" / "crowded.yaml"
    crowded.write_text("width: 1in\nlayers: [{units: 3, label: A very long input label}, 2]\n")
    result = run("render", "crowded.yaml", "-o", "c.svg")
    assert result.exit_code == 1
    assert "text-too-small" in result.stdout + result.stderr
    assert (paper / "figs" / "c.svg").is_file()  # rendered, then found wanting
    result = run("render", "crowded.yaml", "-o", "c.svg", "--no-check")
    assert result.exit_code == 0, result.stderr
    result = run("render", "net.yaml", "-o", "n.svg")  # a clean figure passes
    assert result.exit_code == 0, result.stderr
    (paper / "nnsvg.toml").write_text("check = false\n")
    assert run("render", "crowded.yaml", "-o", "c.svg").exit_code == 0
    assert run("render", "crowded.yaml", "-o", "c.svg", "--check").exit_code == 1


@pytest.mark.parametrize(
    "text",
    ['"x\\nerror: forged" = 1\n', 'formats = ["svg", "gif\\nerror: forged"]\n'],
    ids=["key", "format"],
)
def test_a_line_break_in_a_key_or_value_cannot_start_a_line_of_its_own(
    paper: Path, text: str
) -> None:
    (paper / "nnsvg.toml").write_text(text)
    with pytest.raises(ProjectError) as info:
        load_project(find_project())
    assert "\n" not in str(info.value)
    assert "x\\nerror: forged" in str(info.value) or "gif\\nerror: forged" in str(info.value)
