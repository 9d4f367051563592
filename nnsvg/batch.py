"""Render many specs: in parallel processes, incrementally, with plain-data results.

:func:`run_jobs` takes :class:`Job` s (a spec, the files to write, the options)
and returns one :class:`JobResult` per job, in job order, whatever the order
they finished in. A failing spec never stops the others; ``workers > 1``
renders in a :class:`~concurrent.futures.ProcessPoolExecutor`, ``workers == 1``
in this process. Ctrl-C cancels the jobs not started, stops the running ones
(their half-written files are removed: outputs are written atomically) and
propagates.

The incremental cache
---------------------
An output is rendered again only when something it is made from changed. Its
*input key* is a SHA-256 over:

* the spec file's bytes;
* every theme file the figure is drawn with: the base theme (``--theme`` or
  the spec's ``theme:``, a built-in name or a file) and each theme it
  ``extends:``, up to the complete base theme;
* the weight files and image files the spec names (resolved against the spec's
  folder, as rendering does);
* nnsvg's version and a cache format number;
* the render options (style, width, elide, seed, limits, font...), the output
  format, for a PNG its dpi and scale, and for an SVG whether it embeds its fonts.

A missing file counts as a distinct "missing" value, so creating it later
changes the key. When the spec itself does not load, its inputs are unknown:
it is rendered (and fails with the usual error). When only some outputs of a
spec are stale (a new ``--dpi`` changes the PNG only), only those are written.

The keys live in a JSON manifest, ``.nnsvg-cache.json``, in each output
folder, mapping an output's file name to its input key and to the SHA-256 of
the bytes written. An output is up to date when the file exists, the recorded
input key equals the new one, and the file still has the recorded bytes; so a
figure edited or replaced by hand is rendered again. One manifest per folder
(rather than a sidecar per output) keeps a figures folder to one extra file,
moves and is cached (CI) with the outputs, and names files relatively, so the
folder can be restored elsewhere. The manifest is written atomically once per
run, merged with the file as it is then, so concurrent runs can at worst lose
an entry, which only costs a re-render. A damaged manifest (not a regular file, too
large, not the structure nnsvg writes) is ignored with one warning and written anew;
one that cannot be written is skipped (it is an optimisation only): see
:mod:`nnsvg.cache_manifest`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import signal
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nnsvg import _version
from nnsvg.cache_manifest import CACHE_NAME, CACHE_VERSION, Manifest, Warn
from nnsvg.figure_files import Files, Input, figure_inputs, input_paths, write_outputs
from nnsvg.pipeline import RenderOptions

__all__ = [
    "CACHE_NAME",
    "FAILED",
    "RENDERED",
    "UP_TO_DATE",
    "Job",
    "JobResult",
    "biggest_first",
    "job_inputs",
    "output_keys",
    "render_job",
    "run_jobs",
    "with_font",
]

RENDERED, UP_TO_DATE, FAILED = "rendered", "up-to-date", "failed"


@dataclass(frozen=True)
class Job:
    """One spec to render to the ``outputs`` (path, format) pairs."""

    spec: Path
    outputs: tuple[tuple[Path, str], ...]
    options: RenderOptions = field(default_factory=RenderOptions)
    dpi: float | None = None
    scale: float | None = None
    font: str | None = None  # a CSS font family over the theme's font.family (see with_font)
    # Real paths no output may be (every input of the run's jobs; see write_outputs).
    protected: frozenset[str] = frozenset()
    # Also lint the figure drawn, with these nnsvg.lint.LintOptions (render --check).
    lint: Any = None


@dataclass(frozen=True)
class JobResult:
    """What became of a job, as plain data (it crosses process boundaries).

    ``outputs`` are the files written (``rendered``, or the part written before a
    failure) or found current (``up-to-date``). ``errors`` are one line each,
    ``file:line:col: field: message`` when the place is known; ``internal`` marks
    a bug in nnsvg rather than a problem with the spec. ``findings`` are the lint's
    (:class:`nnsvg.lint.Finding`) when the job asked for them.
    """

    spec: Path
    status: str
    outputs: tuple[Path, ...] = ()
    errors: tuple[str, ...] = ()
    internal: bool = False
    traceback: str | None = None
    seconds: float = 0.0
    digests: dict[str, str] = field(default_factory=dict, repr=False)  # output -> sha256
    findings: tuple[Any, ...] = ()
    notes: tuple[str, ...] = ()  # keys the style set aside (Scene.notes)


Report = Callable[[JobResult], None]


# --- rendering one job ---------------------------------------------------------------------

_IN_WORKER = False


def with_font(spec: Any, font: str) -> Any:
    """``spec`` with ``font`` as its theme's ``font.family``, unless the spec sets one.

    The font goes in as a spec-level theme override (the mechanism a spec's own
    ``theme: {font: {family: ...}}`` uses), merged under the spec's overrides:
    it replaces the base theme's family (built-in, ``--theme`` or the project's)
    but never a family the spec states itself.
    """
    overrides = dict(spec.theme_overrides or {})
    section = overrides.get("font", {})
    if not isinstance(section, dict) or "family" in section:
        return spec  # the spec's own value wins (or its own error is reported)
    overrides["font"] = {"family": font, **section}
    return dataclasses.replace(spec, theme_overrides=overrides)


def render_job(job: Job) -> JobResult:
    """Render one job here and now, and lint the scene drawn when it asks (the figure
    is not drawn again for the lint); every error becomes part of the result."""
    from nnsvg.errors import Location, NnsvgError, display_path, message_lines, printable

    start = time.perf_counter()
    digests: dict[str, str] = {}
    written: list[Path] = []
    findings: tuple[Any, ...] = ()

    def failed(lines: list[str], err: BaseException, internal: bool = False) -> JobResult:
        import traceback

        return JobResult(
            job.spec,
            FAILED,
            outputs=tuple(written),
            errors=tuple(lines),
            internal=internal,
            traceback="".join(traceback.format_exception(type(err), err, err.__traceback__)),
            seconds=time.perf_counter() - start,
            digests=digests,
        )

    try:
        from nnsvg.pipeline import build_scene, load_spec
        from nnsvg.render.svg import render_svg

        spec = load_spec(job.spec)
        if job.font:
            spec = with_font(spec, job.font)
        scene = build_scene(spec, job.options)
        svg = render_svg(scene, id_prefix=job.options.id_prefix) if job.outputs else ""
        for path, data in write_outputs(
            scene,
            svg,
            job.outputs,
            protected=job.protected | {os.path.realpath(job.spec)},
            max_edges=job.options.max_edges,
            dpi=job.dpi,
            scale=job.scale,
            embed_fonts=job.options.embed_fonts,
        ):
            written.append(path)
            digests[str(path)] = hashlib.sha256(data).hexdigest()
        if job.lint is not None:
            from nnsvg.lint import lint_drawn

            findings = tuple(lint_drawn(spec, scene, job.options, job.lint))
    except NnsvgError as err:
        if err.location is None and err.field is None:
            err.location = Location(str(job.spec))  # say which spec of a batch failed
        return failed(message_lines(err), err)
    except RecursionError as err:
        return failed([f"{display_path(job.spec)}: the spec is nested too deeply to draw"], err)
    except Exception as err:  # a bug: still one line, the traceback only with --debug
        line = printable(f"{display_path(job.spec)}: {type(err).__name__}: {err}")
        return failed([line], err, internal=True)
    return JobResult(
        job.spec,
        RENDERED,
        outputs=tuple(written),
        seconds=time.perf_counter() - start,
        digests=digests,
        findings=findings,
        notes=scene.notes,
    )


def _worker_init() -> None:
    global _IN_WORKER
    _IN_WORKER = True
    # One thread a worker: -j is the parallelism. numpy (imported for weight files)
    # would otherwise start a BLAS thread per core that spins after use, taking CPU
    # from the other workers (measured: +0.07 s of CPU for a job reading a .npz).
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(name, "1")
    # Ctrl-C reaches the whole process group; the parent alone handles it and
    # stops the workers with SIGTERM.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _on_terminate)


def _on_terminate(signum: int, frame: Any) -> None:
    """Stop now. Raising here could land in a C callback (cairo's writer) that swallows
    the exception, so remove the temporary file this worker is writing, if any (and
    only its own: another process may be writing the same figure), and exit at once;
    the targets themselves are whole, old or new."""
    from nnsvg.atomic import live_temps

    for temp in live_temps():
        with contextlib.suppress(OSError):
            os.unlink(temp)
    os._exit(128 + signum)


# --- the inputs of a figure ----------------------------------------------------------------


def job_inputs(job: Job, files: Files | None = None) -> list[Input] | None:
    """The files ``job``'s figure is made from, the spec first; None when the spec does
    not load (so what else it reads is unknown)."""
    from nnsvg.pipeline import load_spec

    try:
        spec = load_spec(job.spec)
    except Exception:
        return None
    return figure_inputs(spec, job.spec, job.options, files)


def output_keys(
    job: Job, files: Files | None = None, inputs: list[Input] | None = None
) -> dict[Path, str] | None:
    """The input key of each of ``job``'s outputs (given its ``inputs``, found when not
    given); None when the spec does not load."""
    files = files or Files()
    inputs = inputs if inputs is not None else job_inputs(job, files)
    if inputs is None:
        return None
    h = hashlib.sha256()

    def add(*parts: str) -> None:
        for part in parts:
            data = part.encode("utf-8", "surrogateescape")
            h.update(len(data).to_bytes(8, "big"))
            h.update(data)

    settings = {**dataclasses.asdict(job.options), "font": job.font}
    # Embedding fonts changes an SVG only (see below): a PNG or PDF is not drawn again.
    embed_fonts = settings.pop("embed_fonts")
    add("nnsvg-cache", str(CACHE_VERSION), _version.__version__)
    add("options", json.dumps(settings, sort_keys=True, default=str))
    for item in inputs:
        digest = files.digest(item.path) if item.path is not None else "<unknown>"
        add(item.kind, item.name, digest)
    base = h.hexdigest()
    keys: dict[Path, str] = {}
    for path, fmt in job.outputs:
        # dpi and scale size a PNG only; an SVG or PDF does not change with them. An SVG
        # with embedded fonts has a key of its own (one without keeps the key it had).
        extra = [repr(job.dpi), repr(job.scale)] if fmt == "png" else []
        if fmt == "svg" and embed_fonts:
            extra = ["embed-fonts"]
        text = "\0".join([base, fmt, *extra])
        keys[path] = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return keys


# --- running jobs --------------------------------------------------------------------------


def run_jobs(
    jobs: Sequence[Job],
    workers: int = 1,
    force: bool = False,
    report: Report | None = None,
    warn: Warn | None = None,
) -> list[JobResult]:
    """Render ``jobs``, skipping up-to-date outputs unless ``force``; ``report`` is called
    with each result as it is known, ``warn`` with the line saying a cache manifest was
    damaged (default: printed on stderr). Returns the results in job order."""
    report = report or (lambda result: None)
    files = Files()
    manifests: dict[str, Manifest] = {}

    def manifest(path: Path) -> Manifest:
        folder = os.path.abspath(path.parent)
        if folder not in manifests:
            manifests[folder] = Manifest(Path(folder), warn, shown=path.parent)
        return manifests[folder]

    results: list[JobResult | None] = [None] * len(jobs)
    keys: list[dict[Path, str] | None] = []
    todo: list[tuple[int, Job]] = []
    current: dict[int, tuple[Path, ...]] = {}  # up to date, drawn again for the lint only
    protected: set[str] = set()  # no output may be any job's input
    for i, job in enumerate(jobs):
        start = time.perf_counter()
        inputs = job_inputs(job, files)
        protected.add(os.path.realpath(job.spec))
        protected.update(input_paths(inputs or ()))
        job_keys = output_keys(job, files, inputs) if inputs is not None else None
        keys.append(job_keys)
        stale = tuple(
            (path, fmt)
            for path, fmt in job.outputs
            if force or job_keys is None or not manifest(path).current(path.name, job_keys[path])
        )
        if stale or not job.outputs:
            # Only the stale outputs are written: a new --dpi leaves the SVG alone.
            todo.append((i, dataclasses.replace(job, outputs=stale) if stale else job))
        elif job.lint is not None:
            # Up to date, and to be linted: drawn again in a worker, nothing written. The
            # findings are not cached: they follow the lint's options, not the outputs'.
            todo.append((i, dataclasses.replace(job, outputs=())))
            current[i] = tuple(path for path, _ in job.outputs)
        else:
            result = JobResult(
                job.spec,
                UP_TO_DATE,
                outputs=tuple(path for path, _ in job.outputs),
                seconds=time.perf_counter() - start,
            )
            results[i] = result
            report(result)
    shared = frozenset(protected)
    todo = [(i, dataclasses.replace(job, protected=shared)) for i, job in todo]
    planned = dict(todo)
    _remove_stale_temps(jobs)

    def finish(i: int, result: JobResult) -> None:
        if i in current and result.status == RENDERED:
            result = dataclasses.replace(result, status=UP_TO_DATE, outputs=current[i])
        results[i] = result
        job_keys = keys[i]
        for path, _fmt in planned[i].outputs:
            digest = result.digests.get(str(path))
            if digest is not None and job_keys is not None:
                manifest(path).record(path.name, job_keys[path], digest)
            else:
                manifest(path).forget(path.name)
        report(result)

    try:
        _render_all(todo, workers, finish)
    finally:
        for m in manifests.values():
            m.save()
    return [r for r in results if r is not None]


def _remove_stale_temps(jobs: Sequence[Job]) -> None:
    """Remove the temporary files that killed renders of the jobs' outputs (and of their
    folders' manifests) left behind, whether the outputs are up to date or not (one
    listing per output folder): see :func:`nnsvg.atomic.remove_stale_temps`."""
    from nnsvg.atomic import remove_stale_temps

    names: dict[str, set[str]] = {}
    for job in jobs:
        for path, _fmt in job.outputs:
            names.setdefault(os.path.abspath(path.parent), {CACHE_NAME}).add(path.name)
    for folder, in_folder in sorted(names.items()):
        remove_stale_temps(folder, in_folder)


def _render_all(
    todo: list[tuple[int, Job]], workers: int, finish: Callable[[int, JobResult], None]
) -> None:
    if not todo:
        return
    workers = max(1, min(workers, len(todo)))
    if workers == 1:
        for i, job in todo:
            finish(i, render_job(job))
        return
    from concurrent.futures import as_completed
    from concurrent.futures.process import BrokenProcessPool

    # A worker that dies (a crash in a C library, the out-of-memory killer) breaks the
    # whole pool: the jobs it took down with it are rendered again, each in a process
    # of its own, so only the culprit fails.
    again: list[tuple[int, Job]] = []
    _preload({fmt for _i, job in todo for _path, fmt in job.outputs})
    executor = _pool(workers)
    try:
        futures = {executor.submit(render_job, job): (i, job) for i, job in biggest_first(todo)}
        for future in as_completed(futures):
            i, job = futures[future]
            try:
                result = future.result()
            except BrokenProcessPool:
                again.append((i, job))
                continue
            except Exception as err:
                result = _died(job, err)
            finish(i, result)
    except BaseException:
        _stop(executor)
        raise
    executor.shutdown(wait=True)
    for i, job in sorted(again, key=lambda item: item[0]):
        finish(i, _render_alone(job))


def biggest_first(todo: list[tuple[int, Job]]) -> list[tuple[int, Job]]:
    """``todo`` in the order to start the jobs on parallel workers: the most work first,
    so that the batch does not end with one worker drawing a big figure alone.

    The work is foreseen from what the job wrote last time: the bytes of its outputs now
    on disk (a PNG's size follows the pixels drawn, an SVG's the elements). A rough
    guide, but on the gallery it starts the three slowest figures among the first four.
    A job with no output on disk yet is unforeseen: those start first, largest spec
    first. Ties keep job order. A wrong guess only costs time: outputs never depend on
    the order.
    """

    def size(path: Path) -> int | None:
        try:
            return path.stat().st_size
        except OSError:
            return None

    def expected(item: tuple[int, Job]) -> tuple[int, int]:
        sizes = [size(path) for path, _fmt in item[1].outputs]
        if any(n is None for n in sizes):
            return (0, -(size(item[1].spec) or 0))
        return (1, -sum(n for n in sizes if n is not None))

    return sorted(todo, key=expected)


def _preload(formats: set[str]) -> None:
    """Import what every worker needs before the workers are forked, so that they
    inherit it instead of each importing it again: cairosvg alone takes 0.07 s of CPU
    per process (0.13 s without nnsvg's pre-parsed cairo declarations, see
    :mod:`nnsvg.render.cairo_decls`), which adds up when there are more workers than cores."""
    if _mp_context() is None:
        return  # spawned workers start afresh: nothing to inherit
    import nnsvg.render.svg  # noqa: F401

    if formats & {"png", "pdf"}:
        with contextlib.suppress(Exception):  # a broken cairo is reported by the job itself
            from nnsvg.render import cairo_decls

            cairo_decls.import_cairo()


def _render_alone(job: Job) -> JobResult:
    from concurrent.futures.process import BrokenProcessPool

    executor = _pool(1)
    try:
        try:
            return executor.submit(render_job, job).result()
        except BrokenProcessPool as err:
            return _died(job, err)
    except BaseException:
        _stop(executor)
        raise
    finally:
        executor.shutdown(wait=True)


def _pool(workers: int) -> Any:
    from concurrent.futures import ProcessPoolExecutor

    return ProcessPoolExecutor(
        max_workers=workers, mp_context=_mp_context(), initializer=_worker_init
    )


def _died(job: Job, err: BaseException) -> JobResult:
    return JobResult(
        job.spec,
        FAILED,
        errors=(
            f"{job.spec}: the process rendering it stopped unexpectedly (it crashed or ran "
            f"out of memory: {type(err).__name__})",
        ),
    )


def _mp_context() -> Any:
    import multiprocessing

    # fork is the fast start on Linux: workers inherit the imported modules. Elsewhere
    # the platform's default (spawn on macOS and Windows) is the safe one.
    if sys.platform.startswith("linux"):
        return multiprocessing.get_context("fork")
    return None


def _stop(executor: Any) -> None:
    """Cancel what has not started and stop the workers (Ctrl-C, or an error here)."""
    processes = list((getattr(executor, "_processes", None) or {}).values())
    executor.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        with contextlib.suppress(Exception):
            process.terminate()
    for process in processes:
        with contextlib.suppress(Exception):
            process.join(timeout=5)
