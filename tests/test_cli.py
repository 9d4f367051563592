"""Tests for the ``nnsvg`` command line, through typer's CliRunner.

Every test works in its own ``tmp_path`` (as the current folder), with copies of
the example specs, and checks exit codes as well as the printed lines.
"""

from __future__ import annotations

import gc
import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml
from typer.testing import Result

from nnsvg._version import __version__
from nnsvg.cli import app
from nnsvg.theme import builtin_theme_names, load_theme
from tests.cli_run import ENV, run, runner

SPECS = Path(__file__).resolve().parent.parent / "specs"
REPO = SPECS.parent

# Plain output (no colour codes) and no wrapping of long lines or tables.

BAD_UNITS = "layers:\n  - {units: 784}\n  - {units: -3}\n"
RANDOM_WEIGHTS = (
    "title: random\nlayers: [4, 5, 3]\nweights: random\nedges: {encode: [color, width]}\n"
)


def err_lines(result: Result) -> list[str]:
    return result.stderr.splitlines()


def out_lines(result: Result) -> list[str]:
    return result.stdout.splitlines()


def no_traceback(result: Result) -> None:
    assert "Traceback" not in result.stdout
    assert "Traceback" not in result.stderr
    # Only typer.Exit / SystemExit may end a command; anything else escaped.
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty working folder, made the current directory."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def copy_spec(name: str, dest: Path, as_name: str | None = None) -> Path:
    target = dest / (as_name or name)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(SPECS / name, target)
    return target


@pytest.fixture
def net(work: Path) -> Path:
    """NN-SVG's default 16-12-10-1 spec as ``net.yaml`` (layers on line 4)."""
    return copy_spec("nnsvg-default.yaml", work, "net.yaml").relative_to(work)


def render_text(*args: str | Path) -> str:
    """Render to ``-o`` (the first .svg argument) and return the SVG text."""
    result = run("render", *args)
    assert result.exit_code == 0, result.stderr
    out = next(Path(a) for a in map(str, args) if a.endswith(".svg") and "yaml" not in a)
    return out.read_text(encoding="utf-8")


# --------------------------------------------------------------------------- basics


def test_version() -> None:
    result = run("--version")
    assert result.exit_code == 0
    assert result.stdout == f"nnsvg {__version__}\n"


@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_help_lists_commands(flag: str) -> None:
    result = run(flag)
    assert result.exit_code == 0
    assert "Usage" in result.stdout
    for command in ("render", "validate", "themes", "schema", "init"):
        assert command in result.stdout


def test_no_args_shows_help() -> None:
    result = runner().invoke(app, [], env=ENV)
    # click >= 8.2 exits 2 for no_args_is_help (a usage error), older click 0.
    assert result.exit_code in (0, 2)
    assert "Usage" in result.output
    assert "render" in result.output
    no_traceback(result)


def test_render_help() -> None:
    result = run("render", "--help")
    assert result.exit_code == 0
    for option in ("--output", "--out-dir", "--format", "--theme", "--width", "--max-edges"):
        assert option in result.stdout


# --------------------------------------------------------------------------- render


def test_render_svg(net: Path) -> None:
    result = run("render", net, "-o", "out.svg")
    assert result.exit_code == 0, result.stderr
    assert out_lines(result) == [f"rendered {net} -> out.svg"]
    assert result.stderr == ""
    text = Path("out.svg").read_text(encoding="utf-8")
    assert text.startswith("<?xml")
    assert "<svg" in text
    assert text.rstrip().endswith("</svg>")


@pytest.mark.parametrize(
    ("suffix", "magic"), [("png", b"\x89PNG\r\n\x1a\n"), ("pdf", b"%PDF-"), ("svg", b"<?xml")]
)
def test_render_format_from_suffix(net: Path, suffix: str, magic: bytes) -> None:
    result = run("render", net, "-o", f"out.{suffix}")
    assert result.exit_code == 0, result.stderr
    assert out_lines(result) == [f"rendered {net} -> out.{suffix}"]
    assert Path(f"out.{suffix}").read_bytes().startswith(magic)


def test_render_several_formats_to_out_dir(work: Path) -> None:
    copy_spec("nnsvg-default.yaml", work)
    copy_spec("elman-rnn.yaml", work)
    result = run(
        "render", "nnsvg-default.yaml", "elman-rnn.yaml", "--format", "svg,png", "--out-dir", "out"
    )
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in (work / "out").iterdir()) == [
        ".nnsvg-cache.json",  # the incremental cache's manifest
        "elman-rnn.png",
        "elman-rnn.svg",
        "nnsvg-default.png",
        "nnsvg-default.svg",
    ]
    lines = out_lines(result)
    assert sorted(lines[:2]) == [
        f"rendered {name}.yaml -> {Path('out', name + '.svg')}, {Path('out', name + '.png')}"
        for name in ("elman-rnn", "nnsvg-default")
    ]
    assert lines[2:] == ["rendered 2, up to date 0, failed 0"]
    assert (work / "out" / "elman-rnn.png").read_bytes().startswith(b"\x89PNG")


def test_render_default_output_next_to_spec(work: Path) -> None:
    spec = copy_spec("elman-rnn.yaml", work / "figs")
    result = run("render", spec)  # absolute path, from another folder
    assert result.exit_code == 0, result.stderr
    assert out_lines(result) == [f"rendered {spec} -> {work / 'figs' / 'elman-rnn.svg'}"]
    assert (work / "figs" / "elman-rnn.svg").read_text().startswith("<?xml")
    assert not (work / "elman-rnn.svg").exists()


def test_render_format_without_output_uses_spec_stem(net: Path) -> None:
    result = run("render", net, "--format", "pdf")
    assert result.exit_code == 0, result.stderr
    assert out_lines(result) == ["rendered net.yaml -> net.pdf"]
    assert Path("net.pdf").read_bytes().startswith(b"%PDF")


def test_output_with_two_specs_is_a_usage_error(work: Path) -> None:
    copy_spec("nnsvg-default.yaml", work)
    copy_spec("elman-rnn.yaml", work)
    result = run("render", "nnsvg-default.yaml", "elman-rnn.yaml", "-o", "out.svg")
    assert result.exit_code == 2
    assert err_lines(result) == [
        "usage error: -o/--output takes one spec; use --out-dir for several"
    ]
    assert not (work / "out.svg").exists()


def test_output_with_unknown_suffix_is_a_usage_error(net: Path) -> None:
    result = run("render", net, "-o", "fig.jpg")
    assert result.exit_code == 2
    assert err_lines(result) == [
        "usage error: cannot tell the output format of 'fig.jpg': use a .svg, .png, .pdf or .tex "
        "suffix or --format svg|png|pdf|tex"
    ]
    assert not Path("fig.jpg").exists()


def test_unknown_format_is_a_usage_error(net: Path) -> None:
    result = run("render", net, "--format", "gif")
    assert result.exit_code == 2
    assert err_lines(result) == [
        "usage error: --format: unknown format 'gif' (must be one of svg, png, pdf, tex)"
    ]


def test_output_and_out_dir_together_is_a_usage_error(net: Path) -> None:
    result = run("render", net, "-o", "a.svg", "--out-dir", "x")
    assert result.exit_code == 2
    assert err_lines(result) == ["usage error: give either -o/--output or --out-dir, not both"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--dpi", "0"), "usage error: --dpi: must be a positive number below 100000, got 0"),
        (
            ("--scale", "1e6"),
            "usage error: --scale: must be a positive number below 100000, got 1000000",
        ),
        (("--seed", "-1"), "usage error: --seed: must be a non-negative integer, got -1"),
        (("--max-edges", "0"), "usage error: --max-edges: must be a positive whole number, got 0"),
        (
            ("--max-nodes", "-2"),
            "usage error: --max-nodes: must be a positive whole number, got -2",
        ),
        (("--jobs", "0"), "usage error: --jobs: must be from 1 to 1024, got 0"),
        (
            ("--font", " "),
            "usage error: --font: must be a CSS font family, e.g. \"'Times New Roman', serif\"",
        ),
    ],
)
def test_bad_option_values_are_usage_errors(net: Path, args: tuple[str, ...], message: str) -> None:
    result = run("render", net, *args)
    assert result.exit_code == 2
    assert err_lines(result) == [message]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("check", "--min-pt", "0"),
            "usage error: --min-pt: must be a number of points above 0 and below 100, got 0",
        ),
        (
            ("watch", "--interval", "5000"),
            "usage error: --interval: must be above 0 and at most 3600 seconds, got 5000",
        ),
    ],
)
def test_bad_check_and_watch_values_are_usage_errors(
    net: Path, args: tuple[str, ...], message: str
) -> None:
    result = run(args[0], net, *args[1:])
    assert result.exit_code == 2
    assert err_lines(result) == [message]


def test_same_output_from_two_specs_is_a_usage_error(work: Path) -> None:
    copy_spec("nnsvg-default.yaml", work / "a", "net.yaml")
    copy_spec("elman-rnn.yaml", work / "b", "net.yaml")
    result = run("render", "a/net.yaml", "b/net.yaml", "--out-dir", "out")
    assert result.exit_code == 2
    assert err_lines(result) == [
        f"usage error: '{Path('a/net.yaml')}' and '{Path('b/net.yaml')}' would both write "
        f"{Path('out/net.svg')}; rename one"
    ]


def test_quiet_prints_nothing_on_success(net: Path) -> None:
    result = run("render", net, "-o", "out.svg", "-q")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert Path("out.svg").exists()


# --------------------------------------------------------------------------- collecting specs


def test_folder_argument_renders_every_spec_in_it(work: Path) -> None:
    copy_spec("nnsvg-default.yaml", work / "specs")
    copy_spec("elman-rnn.yaml", work / "specs")
    # Subfolders are not searched: themes and weights live there without being specs.
    (work / "specs" / "themes").mkdir()
    (work / "specs" / "themes" / "mine.yaml").write_text("extends: paper\n")
    (work / "specs" / "notes.txt").write_text("not a spec")
    result = run("render", "specs", "--out-dir", "out")
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in (work / "out").iterdir()) == [
        ".nnsvg-cache.json",
        "elman-rnn.svg",
        "nnsvg-default.svg",
    ]


def test_recursive_glob_reaches_subfolders(work: Path) -> None:
    copy_spec("nnsvg-default.yaml", work / "specs")
    copy_spec("elman-rnn.yaml", work / "specs" / "sub")
    result = run("render", "specs/**/*.yaml", "--out-dir", "out")
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in (work / "out").iterdir()) == [
        ".nnsvg-cache.json",
        "elman-rnn.svg",
        "nnsvg-default.svg",
    ]


def test_glob_argument(work: Path) -> None:
    copy_spec("nnsvg-default.yaml", work / "specs")
    copy_spec("elman-rnn.yaml", work / "specs")
    (work / "specs" / "other.json").write_text('{"layers": [2, 2]}')
    result = run("render", "specs/*.yaml")  # the shell did not expand it
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in (work / "specs").glob("*.svg")) == [
        "elman-rnn.svg",
        "nnsvg-default.svg",
    ]
    assert len(out_lines(result)) == 3  # a line per spec, then the summary


def test_glob_without_matches_is_a_usage_error(work: Path) -> None:
    result = run("render", "nothing/*.yaml")
    assert result.exit_code == 2
    assert err_lines(result) == ["usage error: no file matches 'nothing/*.yaml'"]


def test_empty_folder_is_a_usage_error(work: Path) -> None:
    (work / "empty").mkdir()
    (work / "empty" / "readme.txt").write_text("x")
    result = run("render", "empty")
    assert result.exit_code == 2
    assert err_lines(result) == [
        "usage error: no spec files (.yaml, .yml, .json) in folder 'empty'"
    ]


def test_one_failing_spec_does_not_stop_the_others(work: Path) -> None:
    copy_spec("nnsvg-default.yaml", work)
    copy_spec("elman-rnn.yaml", work)
    (work / "bad.yaml").write_text(BAD_UNITS)
    result = run("render", "bad.yaml", "elman-rnn.yaml", "nnsvg-default.yaml")
    assert result.exit_code == 1
    lines = out_lines(result)  # a line per spec as it finishes, then the summary
    assert sorted(lines[:3]) == [
        "failed bad.yaml",
        "rendered elman-rnn.yaml -> elman-rnn.svg",
        "rendered nnsvg-default.yaml -> nnsvg-default.svg",
    ]
    assert lines[3:] == ["rendered 2, up to date 0, failed 1"]
    assert err_lines(result) == [
        "error: bad.yaml:3:13: layers[1].units: must be a positive integer, got -3",
        "1 of 3 spec(s) failed",
    ]
    assert (work / "elman-rnn.svg").exists()
    assert (work / "nnsvg-default.svg").exists()
    assert not (work / "bad.svg").exists()


def test_several_errors_in_one_spec_are_one_line_each(work: Path) -> None:
    (work / "bad.yaml").write_text("style: fcn\nlayers:\n  - {units: 0}\n  - {units: x}\n")
    result = run("render", "bad.yaml")
    assert result.exit_code == 1
    assert err_lines(result) == [
        "error: bad.yaml:1:8: style: must be one of 'fcnn', 'lenet', 'alexnet', 'blocks', "
        "got 'fcn' (did you mean 'fcnn'?)",
        "error: bad.yaml:3:13: layers[0].units: must be a positive integer, got 0",
        "error: bad.yaml:4:13: layers[1].units: must be a positive integer, got 'x'",
        "1 of 1 spec(s) failed",
    ]


# --------------------------------------------------------------------------- hostile input


def _laughs() -> str:
    lines = ["a0: &a0 [" + ", ".join(["1"] * 10) + "]"]
    for i in range(1, 10):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
    return "\n".join([*lines, "layers: [3]"]) + "\n"


BAD_INPUTS = {
    "missing-file": (
        None,
        1,
        "error: missing.yaml: cannot read spec: no such file",
    ),
    "tab-indentation": (
        "layers:\n\t- 3\n",
        1,
        "error: spec.yaml:2:1: invalid YAML: found character '\\t' that cannot start any token; "
        "tabs are not allowed for indentation in YAML; use spaces",
    ),
    "binary-garbage": (
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xd8\xff\xe0",
        1,
        "error: spec.yaml:1:1: not valid UTF-8 (byte 0x89); save the file as UTF-8",
    ),
    "nul-bytes": (
        b"layers: [3]\n\x00\x00\x00\n",
        1,
        "error: spec.yaml:2:1: character U+0000 is not allowed in a YAML file; remove it, or "
        'write it as an escape inside double quotes ("\\u0000")',
    ),
    "empty-file": (
        "",
        1,
        "error: spec.yaml:1:1: the spec is empty; expected a mapping with at least 'layers'",
    ),
    "billion-laughs": (
        _laughs(),
        1,
        "error: spec.yaml:6:10: the spec expands to more than 200000 values "
        "(YAML aliases nested too deeply?)",
    ),
    "deep-nesting": (
        "layers: " + "[" * 150 + "]" * 150 + "\n",
        1,
        "error: spec.yaml:1:108: the spec is nested more than 100 levels deep; "
        "at most 100 levels of lists and mappings are allowed",
    ),
    "python-object": (
        "layers: !!python/object/apply:os.system ['echo hi']\n",
        1,
        "error: spec.yaml:1:9: layers: tag '!!python/object/apply:os.system' is not allowed; "
        "a spec holds only plain YAML values (strings, numbers, booleans, null, lists and "
        "mappings)",
    ),
}


@pytest.mark.parametrize("case", list(BAD_INPUTS), ids=list(BAD_INPUTS))
def test_bad_input_is_one_error_line_never_a_traceback(work: Path, case: str) -> None:
    content, code, message = BAD_INPUTS[case]
    name = "missing.yaml" if content is None else "spec.yaml"
    if isinstance(content, bytes):
        (work / name).write_bytes(content)
    elif content is not None:
        (work / name).write_text(content)
    result = run("render", name)
    no_traceback(result)
    assert result.exit_code == code
    assert err_lines(result) == [message, "1 of 1 spec(s) failed"]
    assert not (work / "spec.svg").exists()


def test_directory_named_like_a_spec(work: Path) -> None:
    (work / "x.yaml").mkdir()
    for command in ("render", "validate"):
        result = run(command, "x.yaml")
        no_traceback(result)
        assert result.exit_code == 2
        assert err_lines(result) == [
            "usage error: no spec files (.yaml, .yml, .json) in folder 'x.yaml'"
        ]


def test_max_edges_limit(net: Path) -> None:
    result = run("render", net, "--max-edges", "10")
    no_traceback(result)
    assert result.exit_code == 1
    assert err_lines(result) == [
        "error: net.yaml:4:9: layers: the figure would draw 322 edges; the limit is 10 "
        "(let wide layers elide, or raise it with --max-edges)",
        "1 of 1 spec(s) failed",
    ]
    assert not Path("net.svg").exists()


def test_max_nodes_limit(net: Path) -> None:
    result = run("render", net, "--max-nodes", "5")
    assert result.exit_code == 1
    assert err_lines(result)[0] == (
        "error: net.yaml:4:9: layers: the figure would draw 39 nodes; the limit is 5 "
        "(let wide layers elide with max_visible, or raise it with --max-nodes)"
    )


# A spec that asks for 10**12 drawn nodes. It runs in a child process whose
# address space is capped, so a layout that tries to build every node fails
# fast with MemoryError instead of swapping the test machine to death.
_HUGE_SCRIPT = textwrap.dedent(
    """
    import resource, sys, time
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    cap = 3 * 1024 ** 3
    if hard != resource.RLIM_INFINITY:
        cap = min(cap, hard)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    from nnsvg.cli import main
    sys.argv = ["nnsvg", "render", sys.argv[1], "-o", sys.argv[2]]
    start = time.perf_counter()
    try:
        main()
        code = 0
    except SystemExit as exc:
        code = exc.code
    sys.stdout.write(f"ELAPSED {time.perf_counter() - start:.3f} CODE {code}\\n")
    """
)


@pytest.fixture(scope="module")
def huge_render(tmp_path_factory: pytest.TempPathFactory) -> tuple[float, int, str]:
    pytest.importorskip("resource")
    folder = tmp_path_factory.mktemp("huge")
    spec = folder / "huge.yaml"
    spec.write_text(f"elide: false\nlayers: [{10**12}, 2]\n")
    proc = subprocess.run(
        [sys.executable, "-c", _HUGE_SCRIPT, str(spec), str(folder / "huge.svg")],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **ENV},
    )
    last = proc.stdout.strip().splitlines()[-1].split()
    assert last[0] == "ELAPSED", proc.stdout + proc.stderr
    return float(last[1]), int(last[3]), proc.stderr


def test_huge_spec_without_elision_is_refused_without_traceback(
    huge_render: tuple[float, int, str],
) -> None:
    _elapsed, code, stderr = huge_render
    assert code == 1
    assert "Traceback" not in stderr
    assert stderr.splitlines()[-1] == "1 of 1 spec(s) failed"


def test_huge_spec_without_elision_is_a_quick_limit_error(
    huge_render: tuple[float, int, str],
) -> None:
    elapsed, code, stderr = huge_render
    assert code == 1
    first = stderr.splitlines()[0]
    assert first.startswith("error: ")
    assert "--max-nodes" in first or "--max-edges" in first
    assert elapsed < 1.0  # a whole process, start-up included: refused before any drawing


# --------------------------------------------------------------------------- atomic output


def test_failing_spec_leaves_existing_output_untouched(work: Path) -> None:
    (work / "bad.yaml").write_text(BAD_UNITS)
    (work / "out.svg").write_text("OLD")
    result = run("render", "bad.yaml", "-o", "out.svg")
    assert result.exit_code == 1
    assert (work / "out.svg").read_text() == "OLD"
    assert sorted(p.name for p in work.iterdir()) == ["bad.yaml", "out.svg"]
    assert not list(work.glob(".out.svg.*.tmp"))


def test_failing_export_leaves_existing_output_untouched(net: Path, work: Path) -> None:
    (work / "out.png").write_text("OLD")
    result = run("render", net, "-o", "out.png", "--scale", "99999")
    no_traceback(result)
    assert result.exit_code == 1
    assert err_lines(result)[0].startswith("error: net.yaml: the PNG would be ")
    assert (work / "out.png").read_text() == "OLD"
    assert not list(work.glob(".out.png.*.tmp"))


def test_missing_output_folder_is_an_error(net: Path) -> None:
    result = run("render", net, "-o", "nodir/out.svg")
    no_traceback(result)
    assert result.exit_code == 1
    assert err_lines(result) == [
        "error: net.yaml: output folder does not exist: nodir",
        "1 of 1 spec(s) failed",
    ]


def test_out_dir_is_created(net: Path, work: Path) -> None:
    result = run("render", net, "--out-dir", "a/b/c")
    assert result.exit_code == 0, result.stderr
    assert (work / "a" / "b" / "c" / "net.svg").exists()


# --------------------------------------------------------------------------- themes and options


def test_theme_option_changes_the_figure(net: Path) -> None:
    default = render_text(net, "-o", "default.svg")
    paper = render_text(net, "-o", "paper.svg", "--theme", "paper")
    dark = render_text(net, "-o", "dark.svg", "--theme", "dark")
    assert len({default, paper, dark}) == 3
    assert 'fill="#1e1f24"' in dark  # dark background
    assert 'fill="#1e1f24"' not in default
    assert "Times" in paper and "Times" not in default
    assert 'stroke="#000000"' in paper and 'stroke="#000000"' not in default


def test_unknown_theme_option_lists_themes(net: Path) -> None:
    result = run("render", net, "--theme", "nosuch", "-o", "out.svg")
    no_traceback(result)
    assert result.exit_code == 2  # checked once, before any spec
    assert err_lines(result) == [
        "usage error: --theme: unknown theme 'nosuch'; built-in themes: colorblind, dark, "
        "default, latex, paper (or give a path to a .yaml theme file)",
    ]
    assert not Path("out.svg").exists()


def test_misspelt_theme_option_did_you_mean(net: Path) -> None:
    result = run("render", net, "--theme", "papr")
    assert result.exit_code == 2
    assert "(did you mean 'paper'?)" in err_lines(result)[0]


def test_theme_option_with_a_file(net: Path, work: Path) -> None:
    (work / "themes").mkdir()
    (work / "themes" / "mine.yaml").write_text(
        "name: mine\nextends: dark\nnode: {fill: '#123456'}\n"
    )
    svg = render_text(net, "-o", "out.svg", "--theme", "themes/mine.yaml")
    assert "#123456" in svg
    assert 'fill="#1e1f24"' in svg  # inherited from dark


def test_missing_theme_file(net: Path) -> None:
    result = run("render", net, "--theme", "nope/theme.yaml")
    assert result.exit_code == 2
    assert err_lines(result)[0] == "usage error: --theme: theme file not found: nope/theme.yaml"


def test_width_option(net: Path) -> None:
    svg = render_text(net, "-o", "out.svg", "--width", "3.5in")
    root = svg[svg.index("<svg") : svg.index(">", svg.index("<svg"))]
    assert ' width="3.5in"' in root


def test_width_in_mm(net: Path) -> None:
    svg = render_text(net, "-o", "out.svg", "--width", "89mm")
    root = svg[svg.index("<svg") : svg.index(">", svg.index("<svg"))]
    assert ' width="89mm"' in root


def test_a_width_out_of_range_is_a_usage_error(net: Path) -> None:
    result = run("render", net, "-o", "out.svg", "--width", "5000in")
    assert result.exit_code == 2
    assert err_lines(result) == [
        "usage error: --width: must be from 1px to 100000px (about 1000in), got 5000in"
    ]
    assert not Path("out.svg").exists()


def test_bad_width_option_is_a_usage_error(net: Path) -> None:
    result = run("render", net, "-o", "out.svg", "--width", "3.5furlong")
    no_traceback(result)
    assert result.exit_code == 2
    lines = err_lines(result)
    assert len(lines) == 1
    assert lines[0] == (
        "usage error: --width: invalid length '3.5furlong': expected a positive number with a "
        "unit in, mm, cm, pt, pc or px (e.g. 3.5in, 89mm)"
    )
    assert not Path("out.svg").exists()


def test_no_elide_draws_every_node(work: Path) -> None:
    spec = copy_spec("mnist-mlp.yaml", work)
    elided = render_text(spec.name, "-o", "elided.svg")
    full = render_text(spec.name, "-o", "full.svg", "--no-elide")
    assert full.count("<circle") > elided.count("<circle")
    assert full.count("<circle") >= 784 + 300 + 100 + 10


def test_seed_changes_random_weights_and_is_reproducible(work: Path) -> None:
    (work / "rnd.yaml").write_text(RANDOM_WEIGHTS)
    one = render_text("rnd.yaml", "-o", "one.svg", "--seed", "1")
    two = render_text("rnd.yaml", "-o", "two.svg", "--seed", "2")
    again = render_text("rnd.yaml", "-o", "again.svg", "--seed", "1")
    assert one != two
    assert (work / "one.svg").read_bytes() == (work / "again.svg").read_bytes()
    assert one == again


@pytest.mark.parametrize("fmt", ["svg", "png", "pdf"])
def test_rendering_is_deterministic(work: Path, fmt: str) -> None:
    copy_spec("vertical-autoencoder.yaml", work, "net.yaml")
    for name in ("a", "b"):
        result = run("render", "net.yaml", "-o", f"{name}.{fmt}")
        assert result.exit_code == 0, result.stderr
    assert (work / f"a.{fmt}").read_bytes() == (work / f"b.{fmt}").read_bytes()


def test_style_option(net: Path) -> None:
    result = run("render", net, "--style", "lenet", "-o", "out.svg")
    assert result.exit_code == 0, result.stderr
    assert 'data-nnsvg-engine="lenet"' in Path("out.svg").read_text()
    result = run("render", net, "--style", "fcn")
    assert result.exit_code == 2
    assert "unknown style 'fcn'" in err_lines(result)[0]


# --------------------------------------------------------------------------- validate


def test_validate_good_specs(work: Path) -> None:
    for spec in SPECS.iterdir():
        shutil.copyfile(spec, work / spec.name)
    names = sorted(p.name for p in SPECS.glob("*.yaml"))
    result = run("validate", *names)
    assert result.exit_code == 0, result.stderr
    assert out_lines(result) == [f"{name}: ok" for name in names]
    assert result.stderr == ""


def test_validate_folder(work: Path) -> None:
    copy_spec("elman-rnn.yaml", work / "specs")
    result = run("validate", "specs")
    assert result.exit_code == 0
    assert out_lines(result) == [f"{Path('specs/elman-rnn.yaml')}: ok"]


def test_validate_bad_spec(work: Path) -> None:
    copy_spec("elman-rnn.yaml", work)
    (work / "bad.yaml").write_text(BAD_UNITS)
    result = run("validate", "elman-rnn.yaml", "bad.yaml")
    assert result.exit_code == 1
    assert out_lines(result) == ["elman-rnn.yaml: ok"]
    assert err_lines(result) == [
        "error: bad.yaml:3:13: layers[1].units: must be a positive integer, got -3"
    ]
    assert not list(work.glob("*.svg"))  # validate writes nothing


def test_validate_checks_theme_overrides(work: Path) -> None:
    (work / "bad.yaml").write_text("layers: [3]\ntheme:\n  node: {radius: -1}\n")
    result = run("validate", "bad.yaml")
    assert result.exit_code == 1
    assert err_lines(result) == [
        "error: bad.yaml:3:18: theme.node.radius: must be from 1 to 200, got -1"
    ]


def test_validate_checks_limits(work: Path) -> None:
    (work / "wide.yaml").write_text("elide: false\nlayers: [2000, 2000]\n")
    result = run("validate", "wide.yaml")
    assert result.exit_code == 1
    assert "the figure would draw 4,000,000 edges" in err_lines(result)[0]


# --------------------------------------------------------------------------- themes command


def test_themes_lists_builtin_themes_with_descriptions() -> None:
    result = run("themes")
    assert result.exit_code == 0
    lines = out_lines(result)
    for name in ("default", "paper", "colorblind", "dark"):
        description = load_theme(name).description
        assert any(line.split()[:1] == [name] and description in line for line in lines), name
    assert len(builtin_theme_names()) >= 4


def test_themes_show_paper_round_trips(net: Path, work: Path) -> None:
    result = run("themes", "show", "paper")
    assert result.exit_code == 0
    data = yaml.safe_load(result.stdout)
    assert data["name"] == "paper"
    assert "Times" in data["font"]["family"]
    (work / "paper-copy.yaml").write_text(result.stdout)
    builtin = render_text(net, "-o", "builtin.svg", "--theme", "paper")
    copied = render_text(net, "-o", "copied.svg", "--theme", "paper-copy.yaml")
    assert copied == builtin


def test_themes_show_unknown() -> None:
    result = run("themes", "show", "nosuch")
    no_traceback(result)
    assert result.exit_code == 1
    assert err_lines(result) == [
        "error: unknown theme 'nosuch'; built-in themes: colorblind, dark, default, latex, paper "
        "(or give a path to a .yaml theme file)"
    ]


# --------------------------------------------------------------------------- schema


def test_schema_prints_json() -> None:
    result = run("schema")
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    assert "$schema" in schema
    assert "panels" in schema["$defs"]["panels_figure"]["properties"]
    schema = schema["else"]  # a network spec ("then": a figure of panels)
    for key in ("layers", "style", "theme"):
        assert key in schema["properties"]
    assert schema["required"] == ["layers"]


def test_schema_to_file(work: Path) -> None:
    result = run("schema", "-o", "schema.json")
    assert result.exit_code == 0
    assert out_lines(result) == ["wrote schema.json"]
    assert json.loads((work / "schema.json").read_text()) == json.loads(run("schema").stdout)


def test_specs_validate_against_schema() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(run("schema").stdout)
    validator_cls = jsonschema.validators.validator_for(schema)
    validator_cls.check_schema(schema)
    validator = validator_cls(schema)
    specs = sorted(SPECS.glob("*.yaml"))
    assert specs
    for path in specs:
        errors = list(validator.iter_errors(yaml.safe_load(path.read_text())))
        assert not errors, (path.name, [e.message for e in errors])
    starter = yaml.safe_load(__import__("nnsvg.starter").starter.STARTER_SPEC)
    assert not list(validator.iter_errors(starter))
    assert list(validator.iter_errors({"layers": [3], "colour": "red"}))
    assert list(validator.iter_errors({"layers": [{"units": 3, "unit": 3}]}))
    assert list(validator.iter_errors({"title": "no layers"}))


# --------------------------------------------------------------------------- init


def test_init_writes_a_spec_that_renders(work: Path) -> None:
    result = run("init")
    assert result.exit_code == 0
    assert out_lines(result) == ["wrote network.yaml; render it with: nnsvg render network.yaml"]
    assert (work / "network.yaml").exists()
    rendered = run("render", "network.yaml")
    assert rendered.exit_code == 0, rendered.stderr
    assert (work / "network.svg").read_text().startswith("<?xml")


def test_init_does_not_overwrite_without_force(work: Path) -> None:
    assert run("init").exit_code == 0
    (work / "network.yaml").write_text("# mine\nlayers: [1]\n")
    result = run("init")
    assert result.exit_code == 2
    assert err_lines(result) == ["usage error: network.yaml exists; use --force to overwrite it"]
    assert (work / "network.yaml").read_text() == "# mine\nlayers: [1]\n"
    forced = run("init", "--force")
    assert forced.exit_code == 0
    assert (work / "network.yaml").read_text().startswith("# An nnsvg spec")


def test_init_other_path(work: Path) -> None:
    result = run("init", "mlp.yaml")
    assert result.exit_code == 0
    assert run("validate", "mlp.yaml").exit_code == 0


# --------------------------------------------------------------------------- processes


def test_python_m_nnsvg_version() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "nnsvg", "--version"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == f"nnsvg {__version__}\n"


def test_cli_import_is_light() -> None:
    code = (
        "import sys, nnsvg.cli; "
        "print(sorted(m for m in ('cairosvg', 'svgwrite', 'numpy') if m in sys.modules))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=REPO
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


def test_file_names_are_printed_as_named(work: Path) -> None:
    """No emoji codes, markup or highlighting applied to a spec's name."""
    name = "a:smile:[b].yaml"
    Path(name).write_text("layers: [2, 1]\n", encoding="utf-8")
    result = run("render", name, "-o", "x:smile:.svg")
    assert result.exit_code == 0, result.stderr
    assert out_lines(result) == [f"rendered {name} -> x:smile:.svg"]
    Path(name).write_text("layers: [2, -1]\n", encoding="utf-8")
    result = run("render", name, "-o", "x:smile:.svg")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: {name}:1:"), result.stderr


@pytest.mark.parametrize(("argv", "code"), [(["--version"], 0), (["render", "--bogus"], 2)])
def test_main_puts_every_object_out_of_the_cycle_collectors_reach_on_the_way_out(
    monkeypatch: pytest.MonkeyPatch, argv: list[str], code: int
) -> None:
    # Interpreter shutdown would otherwise collect over all of them: 20-35 ms a command.
    from nnsvg.cli import main

    frozen: list[bool] = []
    monkeypatch.setattr(gc, "freeze", lambda: frozen.append(True))
    monkeypatch.setattr(sys, "argv", ["nnsvg", *argv])
    with pytest.raises(SystemExit) as exc:
        main()
    assert exc.value.code == code
    assert frozen == [True]
