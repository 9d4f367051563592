"""The README is tested: its examples run, and it documents every key and command."""

from __future__ import annotations

import dataclasses
import re

import pytest
from typer.testing import CliRunner

from nnsvg.cli import app
from nnsvg.pipeline import build_scene, load_spec
from nnsvg.spec import model
from nnsvg.theme import Theme, resolve_theme

from .conftest import README, ROOT, readme_blocks

SPEC_BLOCKS = [text for text in readme_blocks("yaml") if "layers:" in text]
THEME_BLOCKS = [text for text in readme_blocks("yaml") if "extends:" in text]


def test_readme_has_spec_and_theme_examples() -> None:
    assert len(SPEC_BLOCKS) >= 2
    assert len(THEME_BLOCKS) >= 1


@pytest.mark.parametrize("text", SPEC_BLOCKS)
def test_readme_spec_examples_render(text: str) -> None:
    build_scene(load_spec("README.md", text=text))


@pytest.mark.parametrize("text", THEME_BLOCKS)
def test_readme_theme_examples_load(text: str, tmp_path) -> None:
    path = tmp_path / "my-theme.yaml"
    path.write_text(text, encoding="utf-8")
    theme = resolve_theme(str(path))
    assert theme.node.radius == 8


def test_ci_runs_the_readme_test_command() -> None:
    commands = [text.strip() for text in readme_blocks("sh")]
    test_command = next(c for c in commands if "pytest" in c)
    setup_command = next(c for c in commands if "render specs/" in c)
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert test_command in ci.splitlines()
    assert setup_command.startswith("python -m pip install .")
    # ... in a throwaway environment that sees nothing installed on the machine.
    lines = ci.splitlines()
    venv = next(i for i, line in enumerate(lines) if "-m venv" in line)
    assert "--system-site-packages" not in ci
    assert any("activate" in line for line in lines[venv:])
    assert lines.index(test_command) > venv
    assert any(line.startswith("trap 'rm -rf") for line in lines)


def _documented_keys(table_heading: str) -> set[str]:
    section = README.split(table_heading, 1)[1].split("\n### ", 1)[0].split("\n## ", 1)[0]
    return set(re.findall(r"^\| `(\w+)`", section, flags=re.M))


# Keys whose README rows wait in a branch's NOTES file until its merge writes them in.
PENDING_IN_NOTES: set[str] = set()


def test_readme_documents_every_spec_key() -> None:
    from nnsvg.panels import PANEL_TOP_KEYS

    assert set(model.TOP_KEYS) <= _documented_keys("### Top-level keys")
    assert set(PANEL_TOP_KEYS) - PENDING_IN_NOTES <= _documented_keys("### Top-level keys")
    assert set(model.LAYER_KEYS) <= _documented_keys("### Layer keys")
    edge_keys = _documented_keys("### Edges")
    edge_section = README.split("### Edges", 1)[1].split("\n### ", 1)[0]
    for key in model.EDGE_KEYS:
        assert key in edge_keys or f"`{key}`" in edge_section, key


def test_readme_documents_every_theme_key() -> None:
    section = README.split("The theme keys", 1)[1].split("\n## ", 1)[0]
    for f in dataclasses.fields(Theme):
        if f.name in ("name", "description"):
            continue
        row = re.search(rf"^\| `{f.name}` \|(.*)$", section, flags=re.M)
        assert row, f"theme section {f.name} missing from the README"
        section_type = type(getattr(resolve_theme("default"), f.name))
        for sub in dataclasses.fields(section_type):
            assert f"`{sub.name}`" in row.group(1), f"{f.name}.{sub.name} missing"


# A command whose README section is written, on its branch, in notes that the README
# takes in when the branch is merged (the branch does not edit the README itself).
def test_readme_lists_every_command() -> None:
    result = CliRunner().invoke(app, ["--help"])
    commands = re.findall(r"^│ (\w+) ", result.output, flags=re.M)
    assert commands
    for command in commands:
        assert f"nnsvg {command}" in README, command


def test_readme_shows_every_option_of_the_main_commands() -> None:
    import typer.main

    command = typer.main.get_command(app)
    synopsis = README.split("## The command line", 1)[1].split("```", 2)[1]
    for name in ("render", "check"):
        params = [
            param
            for param in command.commands[name].params
            if param.param_type_name == "option" and not getattr(param, "hidden", False)
        ]
        assert params
        for param in params:
            forms = [o.split("/")[0] for o in param.opts if o not in ("--help", "-h")]
            if forms and forms[0] not in ("--debug", "--quiet"):
                assert any(f"{form}{end}" in synopsis for form in forms for end in " ]/"), (
                    name,
                    forms,
                )


def test_readme_names_every_style_where_it_shows_the_style_key() -> None:
    from nnsvg.engines import ENGINES

    line = next(x for x in README.splitlines() if x.startswith("style: fcnn "))
    assert "coming" not in line
    for style in ENGINES:
        assert style in line, style


PYTHON_BLOCKS = readme_blocks("python")


def test_readme_has_python_examples() -> None:
    assert len(PYTHON_BLOCKS) >= 2
    assert any("Figure(" in block for block in PYTHON_BLOCKS)


@pytest.mark.parametrize("code", PYTHON_BLOCKS)
def test_readme_python_examples_run(
    code: str, tmp_path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import shutil

    shutil.copytree(ROOT / "specs", tmp_path / "specs")
    monkeypatch.chdir(tmp_path)
    exec(compile(code, "README.md", "exec"), {"__name__": "readme"})
    written = {p.name for p in tmp_path.iterdir() if p.is_file()}
    for name in re.findall(r'"([\w-]+\.(?:svg|png|pdf))"', code):
        assert name in written, name
    if "check(" in code:
        assert "text-too-small" in capsys.readouterr().out
