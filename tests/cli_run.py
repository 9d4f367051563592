"""Running the command line in tests: typer's CliRunner with stderr kept apart."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner, Result

from nnsvg.cli import app

# No colour codes, and lines wide enough not to wrap, in every captured output.
ENV = {"NO_COLOR": "1", "COLUMNS": "200"}


def runner() -> CliRunner:
    try:  # click < 8.2 mixes stderr into stdout unless told not to
        return CliRunner(mix_stderr=False)  # type: ignore[call-arg]
    except TypeError:
        return CliRunner()


def run(*args: str | Path) -> Result:
    """``nnsvg ARGS`` in this process; stdout and stderr separate."""
    return runner().invoke(app, [str(a) for a in args], env=ENV)
