"""The pre-commit hooks and the README's pre-commit and CI examples do what they say:
each hook runs a real nnsvg command on the files its patterns pick, and the documented
commands render (and lint) a figures folder, failing on a bad figure."""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pytest
import yaml

from tests.cli_run import run

from .conftest import ROOT, readme_blocks

HOOKS = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
PRE_COMMIT = yaml.safe_load(next(t for t in readme_blocks("yaml") if t.startswith("repos:")))
WORKFLOW = yaml.safe_load(next(t for t in readme_blocks("yaml") if "\njobs:" in t))
# Gallery specs whose figures pass the lint at their natural size.
CLEAN = ("elman-rnn.yaml", "vertical-autoencoder.yaml")
TOO_SMALL = "width: 1in\nlayers: [4, 8, 8, 2]\n"  # text far under 6 pt at one inch


def _command(entry: str, args: list[str], files: list[str]) -> list[str]:
    words = shlex.split(entry)
    assert words[0] == "nnsvg", entry
    return [*words[1:], *args, *files]


@pytest.fixture
def figures(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A paper's checkout: ``figures/`` holding two clean gallery specs."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "figures").mkdir()
    for name in CLEAN:
        shutil.copyfile(ROOT / "specs" / name, tmp_path / "figures" / name)
    return tmp_path


def test_the_hooks_are_validate_check_and_render() -> None:
    assert {hook_id: hook["entry"] for hook_id, hook in HOOKS.items()} == {
        "nnsvg-validate": "nnsvg validate",
        "nnsvg-check": "nnsvg check",
        "nnsvg-render": "nnsvg render",
    }
    for hook in HOOKS.values():
        assert hook["language"] == "python" and hook["pass_filenames"] is True
        assert run(*_command(hook["entry"], [], ["--help"])).exit_code == 0


@pytest.mark.parametrize("hook_id", sorted(HOOKS))
def test_a_hook_is_given_spec_files_and_never_hidden_ones(hook_id: str) -> None:
    files, exclude = re.compile(HOOKS[hook_id]["files"]), re.compile(HOOKS[hook_id]["exclude"])

    def passed(path: str) -> bool:
        return bool(files.search(path)) and not exclude.search(path)

    for path in ("mlp.yaml", "figures/mlp.yml", "figures/deep/net.json"):
        assert passed(path), path
    for path in (
        "pyproject.toml",
        "figures/mlp.svg",
        ".pre-commit-config.yaml",
        ".github/workflows/figures.yml",
        "figures/.nnsvg-cache.json",
        "figures/.hidden/net.yaml",
    ):
        assert not passed(path), path


def test_the_readme_pre_commit_example_runs_each_hook(figures: Path) -> None:
    (repo,) = PRE_COMMIT["repos"]
    used = [hook["id"] for hook in repo["hooks"]]
    assert sorted(used) == sorted(HOOKS)
    specs = [f"figures/{name}" for name in CLEAN]
    for hook in repo["hooks"]:
        pattern = re.compile(hook["files"])
        assert all(pattern.search(spec) for spec in specs)
        assert not pattern.search("figures/themes/mine.yaml")  # a theme beside the specs
        command = _command(HOOKS[hook["id"]]["entry"], hook.get("args", []), specs)
        result = run(*command)
        assert result.exit_code == 0, (command, result.stdout, result.stderr)
    rendered = sorted(p.name for p in (figures / "build" / "figures").iterdir())
    assert rendered == sorted(
        [".nnsvg-cache.json"] + [f"{Path(n).stem}.{fmt}" for n in CLEAN for fmt in ("pdf", "svg")]
    )
    # A spec drawing a figure that the lint sends back fails the check hook, by name.
    (figures / "figures" / "tiny.yaml").write_text(TOO_SMALL)
    result = run(*_command(HOOKS["nnsvg-check"]["entry"], [], ["figures/tiny.yaml"]))
    assert result.exit_code == 1
    assert "figures/tiny.yaml: layers[0]: text-too-small:" in result.stderr


def _workflow_commands() -> list[list[str]]:
    (job,) = WORKFLOW["jobs"].values()
    runs = [step["run"] for step in job["steps"] if "run" in step]
    nnsvg = [shlex.split(line, comments=True) for line in runs if line.startswith("nnsvg ")]
    assert nnsvg, runs
    return [words[1:] for words in nnsvg]


def test_the_readme_ci_workflow_renders_lints_and_fails_on_a_bad_figure(figures: Path) -> None:
    commands = _workflow_commands()
    assert any("--check" in command for command in commands)  # it lints, as it says
    for command in commands:
        result = run(*command)
        assert result.exit_code == 0, (command, result.stdout, result.stderr)
    out = figures / "build" / "figures"
    for name in CLEAN:
        for fmt in ("svg", "pdf"):
            assert (out / f"{Path(name).stem}.{fmt}").stat().st_size > 0
    # A second run, as on the next push with the cache restored: nothing is redrawn.
    again = run(*commands[-1])
    assert again.exit_code == 0
    assert f"rendered 0, up to date {len(CLEAN)}, failed 0" in again.stdout
    # A figure with a lint finding fails the job (and is still rendered).
    (figures / "figures" / "tiny.yaml").write_text(TOO_SMALL)
    failed = run(*commands[-1])
    assert failed.exit_code == 1
    assert "figures/tiny.yaml: layers[0]: text-too-small:" in failed.stderr
    assert (out / "tiny.svg").is_file()
    # So does a spec that does not load, located in its file.
    (figures / "figures" / "tiny.yaml").write_text("layers: [4, -8]\n")
    broken = run(*commands[-1])
    assert broken.exit_code == 1
    assert "figures/tiny.yaml:1:" in broken.stderr
