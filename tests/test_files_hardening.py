"""Every file nnsvg reads, read safely (issue #13, the files part).

* Theme files a spec names are confined like images: the spec's folder or the project
  folder, links resolved, unless ``--allow-outside``; their ``extends:`` chain too.
  ``--theme`` and the project file's ``theme`` are trusted. Messages quote a theme
  file only as a short excerpt, and only a file inside those folders.
* Only regular files are read, checked before opening: a FIFO, a device or a kernel
  pseudo-file as a spec, theme, project file or cache manifest never hangs a command.
* A damaged cache manifest never stops a render: one warning, and it is rebuilt.
* A project file tomllib cannot take (huge integers, deep nesting) is a usage error.
* A name too long for the file system is a located error, not a crash.
* A file with thousands of errors reports the first 50, quickly.

Commands that could hang (or, before these fixes, eat all memory) run in a child
process with a timeout and a memory limit.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from nnsvg.batch import FAILED, RENDERED, Job, run_jobs
from nnsvg.errors import MAX_REPORTED, SpecErrors, ThemeErrors
from nnsvg.pipeline import load_spec
from nnsvg.theme import load_theme
from tests.cli_run import run
from tests.test_security import clean_exit

NET = "layers: [3, 4, 2]\n"


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / ".git").mkdir()  # no project file above this folder applies
    monkeypatch.chdir(tmp_path)
    return tmp_path


# --------------------------------------------------------------------------- many errors


def test_a_spec_with_200k_unknown_keys_reports_50_quickly(work: Path) -> None:
    text = NET + "".join(f"x{i}: 1\n" for i in range(199_990))
    assert 1_500_000 < len(text) < 2_500_000
    (work / "many.yaml").write_text(text)
    start = time.perf_counter()
    result = run("validate", "many.yaml")
    seconds = time.perf_counter() - start
    clean_exit(result, 1)
    lines = result.stderr.splitlines()
    assert len(lines) == MAX_REPORTED + 1
    assert lines[0].startswith("error: many.yaml:2:1: x0: unknown key 'x0'; allowed keys: ")
    assert lines[MAX_REPORTED - 1].startswith("error: many.yaml:51:1: x49: unknown key 'x49'")
    assert lines[-1] == "error: many.yaml: ... and 199940 more errors"
    assert seconds < 12, seconds  # 28 s before errors were capped as they are collected


def test_the_errors_reported_are_the_first_in_the_file_whatever_the_order_found(
    work: Path,
) -> None:
    """Unknown keys are found before the layers' values: the 50 kept are still the
    earliest in the file."""
    bad_layers = "layers: [" + ", ".join(str(-i) for i in range(1, 11)) + "]\n"
    (work / "net.yaml").write_text(bad_layers + "".join(f"x{i}: 1\n" for i in range(60)))
    with pytest.raises(SpecErrors) as info:
        load_spec(work / "net.yaml")
    err = info.value
    assert len(err.errors) == MAX_REPORTED and err.more == 20
    assert [e.location.line for e in err.errors] == [1] * 10 + list(range(2, 42))
    assert str(err).splitlines()[-1] == f"{work / 'net.yaml'}: ... and 20 more errors"


def test_a_theme_with_many_unknown_keys_reports_the_first_50(work: Path) -> None:
    (work / "mine.yaml").write_text(
        "extends: paper\nnode:\n" + "".join(f"  k{i}: 1\n" for i in range(120))
    )
    with pytest.raises(ThemeErrors) as info:
        load_theme(str(work / "mine.yaml"))
    assert len(info.value.errors) == MAX_REPORTED and info.value.more == 70
    assert str(info.value).splitlines()[-1] == f"{work / 'mine.yaml'}: ... and 70 more errors"


def test_rendering_goes_on_after_a_spec_with_many_errors(work: Path) -> None:
    (work / "many.yaml").write_text(NET + "".join(f"x{i}: 1\n" for i in range(5000)))
    (work / "net.yaml").write_text(NET)
    results = run_jobs(
        [
            Job(work / "many.yaml", ((work / "many.svg", "svg"),)),
            Job(work / "net.yaml", ((work / "net.svg", "svg"),)),
        ]
    )
    assert [r.status for r in results] == [FAILED, RENDERED]
    assert len(results[0].errors) == MAX_REPORTED + 1
