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

import contextlib
import json
import os
import re
import resource
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from nnsvg.batch import CACHE_NAME, FAILED, RENDERED, Job, run_jobs
from nnsvg.cache_manifest import MAX_MANIFEST_BYTES, Manifest, read_manifest
from nnsvg.errors import MAX_REPORTED, SpecErrors, ThemeError, ThemeErrors
from nnsvg.pipeline import RenderOptions, load_spec, spec_theme
from nnsvg.spec.load import load_document
from nnsvg.theme import load_theme
from tests.cli_run import ENV, run
from tests.test_security import clean_exit, errors, opened, watching
from tests.test_watch import edit, watch

NET = "layers: [3, 4, 2]\n"
LONG = "n" * 300  # one path component longer than the 255 bytes file systems allow
_CLI = "import sys; from nnsvg.cli import main; sys.argv[0] = 'nnsvg'; main()"


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / ".git").mkdir()  # no project file above this folder applies
    monkeypatch.chdir(tmp_path)
    return tmp_path


def child(
    *args: str | Path, cwd: Path, timeout: float = 20, memory: int = 3 << 29
) -> subprocess.CompletedProcess[str]:
    """``nnsvg ARGS`` in a child process that may take at most ``timeout`` seconds and
    ``memory`` bytes of address space; a hang fails the test instead of stopping it."""

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    command = [sys.executable, "-c", _CLI, *(str(a) for a in args)]
    try:
        return subprocess.run(
            command,
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=timeout,
            env={**os.environ, **ENV},
            preexec_fn=limit,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"nnsvg {' '.join(command[3:])} did not finish in {timeout} s")


def one_line_errors(stderr: str) -> list[str]:
    assert "Traceback" not in stderr and "internal error" not in stderr, stderr
    return [line for line in stderr.splitlines() if line.startswith("error: ")]


@pytest.fixture
def outside(work: Path) -> Path:
    """A theme file outside the specs' folder, with words that must never be quoted."""
    path = work / "private.yaml"
    path.write_text("extends: paper\nnode: {fill: '#123456'}\n")
    return path


def figs(work: Path, spec: str) -> Path:
    folder = work / "figs"
    folder.mkdir(exist_ok=True)
    (folder / "net.yaml").write_text(spec)
    return folder / "net.yaml"


# --------------------------------------------------------------------------- theme files


@pytest.mark.parametrize(
    ("theme", "column"),
    [
        ("theme: ../private.yaml", 8),
        ("theme: {extends: ../private.yaml, node: {radius: 5}}", 18),
        ("theme: link.yaml", 8),  # a link out of the folder
        (f"theme: {'/'.join(['..'] * 40)}/private.yaml", 8),
    ],
)
def test_a_theme_file_a_spec_names_outside_its_folder_is_refused_unread(
    work: Path, outside: Path, theme: str, column: int
) -> None:
    spec = figs(work, NET + theme + "\n")
    (work / "figs" / "link.yaml").symlink_to(outside)
    with watching() as log:
        result = run("render", spec, "-o", "out.svg")
    clean_exit(result, 1)
    (line,) = errors(result)
    assert line.startswith(f"{spec}:2:{column}: ")
    assert "is outside the spec's folder" in line and "--allow-outside" in line
    assert str(outside) not in opened(log)
    assert not (work / "out.svg").exists()


def test_the_extends_chain_of_a_spec_theme_is_confined_too(work: Path, outside: Path) -> None:
    spec = figs(work, NET + "theme: mine.yaml\n")
    (work / "figs" / "mine.yaml").write_text("name: mine\nextends: ../private.yaml\n")
    with watching() as log:
        result = run("render", spec, "-o", "out.svg")
    clean_exit(result, 1)
    mine = work / "figs" / "mine.yaml"
    assert errors(result) == [
        f"{mine}:2:10: theme file '../private.yaml' is outside the spec's folder; nnsvg "
        "reads the theme files a spec names only from there (use --allow-outside, or put "
        "an nnsvg.toml in a folder above both)"
    ]
    assert str(outside) not in opened(log)


def test_the_project_folder_counts_as_inside(work: Path) -> None:
    """The supported layout specs/ beside themes/ works under a project file at the top."""
    (work / "themes").mkdir()
    (work / "themes" / "base.yaml").write_text("extends: paper\nnode: {fill: '#abcdef'}\n")
    (work / "themes" / "mine.yaml").write_text("extends: base.yaml\n")
    spec = figs(work, NET + "theme: ../themes/mine.yaml\n")
    result = run("render", spec, "-o", "out.svg")
    clean_exit(result, 1)  # no project file yet: the spec's folder only
    assert "outside the spec's folder" in errors(result)[0]
    (work / "nnsvg.toml").write_text("")
    result = run("render", spec, "-o", "out.svg")
    clean_exit(result, 0)
    assert "#abcdef" in (work / "out.svg").read_text()
    result = run("validate", spec)  # validate counts the project folder as render does
    clean_exit(result, 0)


def test_allow_outside_reads_a_spec_theme_anywhere(work: Path, outside: Path) -> None:
    spec = figs(work, NET + "theme: ../private.yaml\n")
    result = run("render", spec, "-o", "out.svg", "--allow-outside")
    clean_exit(result, 0)
    assert "#123456" in (work / "out.svg").read_text()


def test_theme_option_and_project_theme_are_trusted(work: Path, outside: Path) -> None:
    spec = figs(work, NET)
    result = run("render", spec, "-o", "a.svg", "--theme", str(outside))
    clean_exit(result, 0)
    assert "#123456" in (work / "a.svg").read_text()
    project = work / "figs" / "nnsvg.toml"
    project.write_text('theme = "../private.yaml"\n')  # outside the project's folder
    os.chdir(work / "figs")
    result = run("render", "net.yaml", "-o", "b.svg")
    clean_exit(result, 0)
    assert "#123456" in (work / "figs" / "b.svg").read_text()


def test_the_python_api_confines_a_spec_theme_and_trusts_its_own(work: Path, outside: Path) -> None:
    spec = load_spec(figs(work, NET + "theme: ../private.yaml\n"))
    with pytest.raises(ThemeError, match="outside the spec's folder"):
        spec_theme(spec)
    assert spec_theme(spec, RenderOptions(project_dir=work)).node.fill == "#123456"
    assert spec_theme(spec, RenderOptions(allow_outside=True)).node.fill == "#123456"
    assert load_theme(str(outside)).node.fill == "#123456"


SECRET_THEME = (
    "extends: paper\n"
    "secret_password_hunter2: 1\n"
    "node: {fill: 'hunter2-not-a-colour', radius: hunter2}\n"
    "edge: {hunter2_key: 3}\n"
)


@pytest.mark.parametrize(
    "text",
    [
        SECRET_THEME,
        "extends: paper\nnode: {fill: [hunter2\n",  # a syntax error
        "extends: paper\nhunter2: 1\nhunter2: 2\n",  # a duplicate key
        "extends: paper\nnode: !hunter2 x\n",  # a tag
        "extends: hunter2.yaml\n",  # a theme that is not there
        "extends: hunter2\n",  # a built-in theme that does not exist
        "extends: paper\nedge: {min_width: 17.25, max_width: 3.125}\n",
    ],
)
def test_errors_about_a_theme_file_outside_the_folders_never_quote_it(
    work: Path, text: str
) -> None:
    (work / "private.yaml").write_text(text)
    spec = figs(work, NET + "theme: ../private.yaml\n")
    result = run("render", spec, "-o", "out.svg", "--allow-outside")
    clean_exit(result, 1)
    lines = errors(result)
    theme_file = f"{work / 'figs' / '..' / 'private.yaml'}:"
    assert lines and all(line.startswith(theme_file) for line in lines), lines
    assert "hunter2" not in result.stderr
    assert "17.25" not in result.stderr and "3.125" not in result.stderr
    assert any("not shown" in line for line in lines)


def test_a_project_theme_outside_the_project_folder_is_not_quoted(work: Path) -> None:
    (work / "private.yaml").write_text(SECRET_THEME)
    (work / "paper").mkdir()
    (work / "paper" / "nnsvg.toml").write_text('theme = "../private.yaml"\n')
    (work / "paper" / "net.yaml").write_text(NET)
    os.chdir(work / "paper")
    result = run("render", "net.yaml", "-o", "out.svg")
    assert result.exit_code == 2, result.stderr
    assert "Traceback" not in result.stderr and "hunter2" not in result.stderr
    assert "usage error: nnsvg.toml:1:9: theme: " in result.stderr


def test_errors_about_a_theme_file_inside_quote_at_most_40_characters(work: Path) -> None:
    key = "k" * 300
    folder = work / "figs"
    folder.mkdir()
    (folder / "mine.yaml").write_text(
        f"extends: paper\n{key}: 1\nnode: {{{key}: 2, fill: '{'c' * 300}'}}\n"
    )
    (folder / "dup.yaml").write_text(f"{key}: 1\n{key}: 2\n")
    (folder / "bad.yaml").write_text(f"extends: '{'e' * 300}\x1b.yaml'\n")
    for name in ("mine.yaml", "dup.yaml", "bad.yaml"):
        spec = figs(work, NET + f"theme: {name}\n")
        result = run("render", spec, "-o", "out.svg")
        clean_exit(result, 1)
        text = result.stderr.replace(str(work), "")
        assert errors(result), name
        assert max(len(run_) for run_ in re.findall(r"k+|c+|e+", text)) <= 40, text
        assert "\x1b" not in text


# --------------------------------------------------------------------------- regular files


@pytest.mark.parametrize("command", ["render", "validate", "check"])
def test_a_fifo_as_the_spec_never_hangs(work: Path, command: str) -> None:
    os.mkfifo(work / "pipe.yaml")
    proc = child(command, "pipe.yaml", cwd=work)
    assert proc.returncode == 1, proc.stderr
    assert one_line_errors(proc.stderr)[0] == (
        "error: pipe.yaml: cannot read spec: a pipe (FIFO), not a regular file"
    )


def test_a_fifo_or_a_system_file_as_the_theme_is_refused(work: Path) -> None:
    os.mkfifo(work / "pipe.yaml")
    (work / "env.yaml").symlink_to("/proc/self/environ")
    (work / "a.yaml").write_text(NET + "theme: pipe.yaml\n")
    (work / "b.yaml").write_text(NET + "theme: {extends: env.yaml}\n")
    proc = child("render", "a.yaml", "b.yaml", "-f", "svg", "--allow-outside", cwd=work)
    assert proc.returncode == 1, proc.stderr
    assert one_line_errors(proc.stderr) == [
        "error: a.yaml:2:8: cannot read theme file 'pipe.yaml': a pipe (FIFO), not a regular file",
        "error: b.yaml:2:8: cannot read theme file 'env.yaml': a system file (under "
        "/proc, /sys or /dev), not a data file",
    ]
    proc = child("render", "a.yaml", "--theme", "pipe.yaml", cwd=work)  # trusted, yet a FIFO
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.splitlines() == [
        "usage error: --theme: cannot read theme file 'pipe.yaml': a pipe (FIFO), not a "
        "regular file"
    ]


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() != 0 or not os.path.exists("/dev/kmsg"),
    reason="reading the kernel's log blocks only for root",
)
def test_kernel_log_devices_never_hang_even_as_root(work: Path) -> None:
    (work / "kmsg.yaml").symlink_to("/dev/kmsg")
    (work / "theme.yaml").symlink_to("/proc/kmsg")
    (work / "net.yaml").write_text(NET + "theme: theme.yaml\n")
    proc = child("validate", "/dev/kmsg", "kmsg.yaml", cwd=work)
    assert proc.returncode == 1, proc.stderr
    assert one_line_errors(proc.stderr) == [
        f"error: {name}: cannot read spec: a system file (under /proc, /sys or /dev), not a "
        "data file"
        for name in ("/dev/kmsg", "kmsg.yaml")
    ]
    proc = child("render", "net.yaml", "--allow-outside", cwd=work)
    assert proc.returncode == 1, proc.stderr
    assert one_line_errors(proc.stderr) == [
        "error: net.yaml:2:8: cannot read theme file 'theme.yaml': a system file (under "
        "/proc, /sys or /dev), not a data file"
    ]


@contextlib.contextmanager
def unblocking(fifo: Path) -> Iterator[None]:
    """While inside, a reader stuck opening ``fifo`` is let go (it reads nothing), so that
    code that wrongly opens it fails its test instead of hanging it."""
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
            except OSError:  # no reader waiting (or no FIFO there any more)
                time.sleep(0.01)
                continue
            os.close(fd)
            time.sleep(0.01)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def test_a_watched_spec_replaced_by_a_fifo_is_reported_and_polling_goes_on(
    work: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = work / "net.yaml"
    spec.write_text(NET)

    def to_fifo() -> None:
        spec.unlink()
        os.mkfifo(spec)

    def back() -> None:
        spec.unlink()
        edit(spec, "title: back\n" + NET)

    with unblocking(spec):
        result, polls = watch(monkeypatch, [to_fifo, lambda: None, back], "net.yaml")
    assert result.exit_code == 0, result.stderr
    assert polls == [["failed net.yaml"], [], ["rendered net.yaml -> net.svg"]]
    assert one_line_errors(result.stderr) == [
        "error: net.yaml: cannot read spec: a pipe (FIFO), not a regular file"
    ]
    assert ">back<" in (work / "net.svg").read_text()


# --------------------------------------------------------------------------- the cache manifest


def _valid_manifest(outputs: dict) -> str:
    return json.dumps({"nnsvg-cache": 2, "outputs": outputs})


_DIGEST = "0" * 64
_DAMAGE = {
    "a link to /dev/zero": (
        lambda p: p.symlink_to("/dev/zero"),
        "a system file (under /proc, /sys or /dev), not a data file",
    ),
    "a FIFO": (lambda p: os.mkfifo(p), "a pipe (FIFO), not a regular file"),
    "too large": (
        lambda p: p.write_text(_valid_manifest({}) + " " * MAX_MANIFEST_BYTES),
        f"larger than the {MAX_MANIFEST_BYTES:,} bytes allowed",
    ),
    "nested 100k deep": (
        lambda p: p.write_text(
            '{"nnsvg-cache": 2, "outputs": ' + "[" * 100_000 + "]" * 100_000 + "}"
        ),
        "nested too deeply",
    ),
    "a 300-byte name": (
        lambda p: p.write_text(
            _valid_manifest({"x" * 300: {"inputs": _DIGEST, "output": _DIGEST}})
        ),
        "an output name is not a plain file name of at most 255 bytes",
    ),
    "a name with a folder": (
        lambda p: p.write_text(
            _valid_manifest({"../x.svg": {"inputs": _DIGEST, "output": _DIGEST}})
        ),
        "an output name is not a plain file name of at most 255 bytes",
    ),
    "digests that are not hex": (
        lambda p: p.write_text(_valid_manifest({"net.svg": {"inputs": "zz", "output": "zz"}})),
        "a digest is not 64 hexadecimal digits",
    ),
    "not JSON": (lambda p: p.write_text("{not json"), "not valid JSON"),
    "a list": (lambda p: p.write_text("[]"), "not a cache manifest"),
}


@pytest.mark.parametrize("damage", list(_DAMAGE))
def test_a_damaged_manifest_is_ignored_with_one_warning_and_rebuilt(
    work: Path, damage: str
) -> None:
    make, reason = _DAMAGE[damage]
    (work / "out").mkdir()
    (work / "net.yaml").write_text(NET)
    make(work / "out" / CACHE_NAME)
    proc = child("render", "net.yaml", "--out-dir", "out", cwd=work)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == ["rendered net.yaml -> out/net.svg"]
    assert proc.stderr.splitlines() == [
        f"warning: out/{CACHE_NAME}: damaged cache manifest ignored ({reason}); the figures "
        "it covers are checked afresh and it is written anew"
    ]
    assert list(read_manifest(work / "out" / CACHE_NAME)) == ["net.svg"]
    proc = child("render", "net.yaml", "--out-dir", "out", cwd=work)
    assert (proc.returncode, proc.stderr) == (0, "")
    assert proc.stdout.splitlines() == ["up to date net.yaml -> out/net.svg"]


def test_a_manifest_that_cannot_be_replaced_never_stops_the_renders(work: Path) -> None:
    (work / "out" / CACHE_NAME).mkdir(parents=True)
    (work / "net.yaml").write_text(NET)
    for _ in range(2):
        result = run("render", "net.yaml", "--out-dir", "out")
        clean_exit(result, 0)
        assert result.stderr.count("warning: ") == 1
        assert "a folder, not a file" in result.stderr
    assert (work / "out" / "net.svg").is_file()


def test_saving_a_manifest_never_raises(work: Path) -> None:
    manifest = Manifest(work)
    manifest.record("x" * 300, _DIGEST, _DIGEST)  # a name no file system takes
    manifest.record("a/b", _DIGEST, _DIGEST)
    manifest.save()
    (work / "net.svg").write_text("<svg/>")
    manifest.record("net.svg", _DIGEST, _DIGEST)
    manifest.save()
    assert read_manifest(work / CACHE_NAME) == {"net.svg": {"inputs": _DIGEST, "output": _DIGEST}}


def test_a_manifest_of_another_cache_version_is_ignored_quietly(work: Path) -> None:
    (work / "out").mkdir()
    (work / "out" / CACHE_NAME).write_text(json.dumps({"nnsvg-cache": 1, "outputs": {}}))
    (work / "net.yaml").write_text(NET)
    result = run("render", "net.yaml", "--out-dir", "out")
    clean_exit(result, 0)
    assert result.stderr == ""


# --------------------------------------------------------------------------- project files


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "jobs = " + "9" * 5000 + "\n",
            "nnsvg.toml:1:8: invalid TOML: an integer with too many digits",
        ),
        (
            "x = " + "[" * 400_000 + "]" * 400_000 + "\n",
            "nnsvg.toml:1:5: invalid TOML: arrays or tables nested too deeply",
        ),
    ],
)
def test_a_project_file_tomllib_cannot_take_is_a_usage_error(
    work: Path, text: str, message: str
) -> None:
    (work / "nnsvg.toml").write_text(text)
    (work / "net.yaml").write_text(NET)
    proc = child("render", "net.yaml", cwd=work)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.splitlines() == [f"usage error: {message}"]


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda p: os.mkfifo(p), "a pipe (FIFO), not a regular file"),
        (
            lambda p: p.symlink_to("/dev/zero"),
            "a system file (under /proc, /sys or /dev), not a data file",
        ),
        (
            lambda p: p.symlink_to("/proc/self/environ"),
            "a system file (under /proc, /sys or /dev), not a data file",
        ),
        (lambda p: p.symlink_to("nowhere.toml"), "no such file"),
    ],
)
def test_a_project_file_that_is_no_regular_file_is_a_usage_error(
    work: Path, make, reason: str
) -> None:
    make(work / "nnsvg.toml")
    (work / "net.yaml").write_text(NET)
    proc = child("render", "net.yaml", cwd=work)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.splitlines() == [
        f"usage error: nnsvg.toml: cannot read project file: {reason}"
    ]
    assert not (work / "net.svg").exists()


def test_a_project_file_with_many_unknown_keys_reports_the_first_50(work: Path) -> None:
    (work / "nnsvg.toml").write_text("".join(f"key{i} = 1\n" for i in range(200)))
    (work / "net.yaml").write_text(NET)
    result = run("render", "net.yaml")
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert len(lines) == MAX_REPORTED + 1
    assert lines[0].startswith("usage error: nnsvg.toml:1:1: unknown key 'key0'")
    assert lines[-1] == "usage error: nnsvg.toml: ... and 150 more errors"


# --------------------------------------------------------------------------- long names


@pytest.mark.parametrize(
    ("spec", "where"),
    [
        (f"theme: {LONG}.yaml\n", "net.yaml:2:8"),
        (f"theme: {{extends: {LONG}.yaml, node: {{radius: 5}}}}\n", "net.yaml:2:18"),
        ("theme: mine.yaml\n", "{work}/mine.yaml:1:10"),
    ],
)
def test_a_theme_name_too_long_for_the_file_system_is_a_located_error(
    work: Path, spec: str, where: str
) -> None:
    (work / "mine.yaml").write_text(f"extends: {LONG}.yaml\n")
    (work / "net.yaml").write_text(NET + spec)
    result = run("render", "net.yaml", "-o", "out.svg")
    clean_exit(result, 1)
    shown = "n" * 18 + "..." + "n" * 14 + ".yaml"  # at most 40 characters, the end kept
    assert errors(result) == [
        f"{where.format(work=work)}: cannot read theme file '{shown}': file name too long"
    ]


def test_a_project_theme_name_too_long_is_a_usage_error(work: Path) -> None:
    (work / "nnsvg.toml").write_text(f'theme = "{LONG}.yaml"\n')
    (work / "net.yaml").write_text(NET)
    result = run("render", "net.yaml")
    assert result.exit_code == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("usage error: nnsvg.toml:1:9: theme: cannot read theme file")
    assert result.stderr.rstrip().endswith("file name too long")


def test_a_spec_name_too_long_is_a_located_error_when_read(work: Path) -> None:
    name = f"{LONG}.yaml"
    with pytest.raises(Exception) as info:
        load_document(name)
    assert str(info.value) == f"{name}: cannot read spec: file name too long"
    (result,) = run_jobs([Job(Path(name), ((work / "out.svg", "svg"),))])
    assert result.status == FAILED and not result.internal
    assert result.errors == (f"{name}: cannot read spec: file name too long",)


def test_a_spec_argument_too_long_is_a_located_error(work: Path) -> None:
    result = run("render", f"{LONG}.yaml")
    clean_exit(result, 1)
    assert errors(result) == [f"{LONG}.yaml: cannot read spec: file name too long"]


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
