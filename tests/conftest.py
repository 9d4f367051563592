"""Shared test fixtures; ``--update-goldens`` rewrites tests/golden/ from the current output."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

ROOT = Path(__file__).resolve().parent.parent
SPECS_DIR = ROOT / "specs"
GOLDEN_DIR = Path(__file__).resolve().parent / "golden"
README = (ROOT / "README.md").read_text(encoding="utf-8")


def unsized(path: Path):
    """A gallery spec without the width, font_size and fit it declares, for tests that
    draw it at other widths or in other styles (its font_size and fit hold at its own
    width only)."""
    import dataclasses

    from nnsvg.pipeline import load_spec

    return dataclasses.replace(load_spec(path), width=None, font_size=None, fit=None)


def skip_panels(path: Path) -> None:
    """Skip a test of one network for a gallery figure of panels: each of its panels is
    a spec of one network, and tests/test_panels.py tests the figure."""
    from nnsvg.panels import PanelsSpec
    from nnsvg.pipeline import load_spec

    if isinstance(load_spec(path), PanelsSpec):
        pytest.skip("a figure of panels (tests/test_panels.py)")


def readme_blocks(lang: str) -> list[str]:
    """The README's fenced code blocks in ``lang`` (```` ```yaml ````), in order."""
    return [text for tag, text in re.findall(r"```(\w+)\n(.*?)```", README, re.S) if tag == lang]


# Bounded example counts in the normal run, the same examples on every run (CI is green or
# red for a reason, never for a draw); `--hypothesis-profile deep` for a longer, random one.
settings.register_profile(
    "default",
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
)
settings.register_profile(
    "deep", max_examples=5000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("default")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-goldens",
        action="store_true",
        default=False,
        help="rewrite the golden SVGs in tests/golden/ from the current renderer output",
    )


@pytest.fixture
def update_goldens(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-goldens"))


@pytest.fixture
def specs_dir() -> Path:
    return SPECS_DIR
