"""How ``render``, ``check`` and ``watch`` turn their arguments into batch jobs (the
outputs of each spec, the project file's defaults, the worker count), run them, and print
their results."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import typer

from nnsvg.cli_common import (
    EXIT_USAGE,
    Reporter,
    check_theme_and_style,
    escape,
    make_console,
    parse_formats,
    usage,
)
from nnsvg.errors import display_path, message_lines


def outputs_of(
    specs: list[Path], output: Path | None, out_dir: Path | None, formats: list[str] | None
) -> list[list[tuple[Path, str]]]:
    """For each spec, the (path, format) pairs to write."""
    from nnsvg.errors import NnsvgError
    from nnsvg.render.writers import WRITERS, infer_format

    if output is not None and len(specs) != 1:
        usage("-o/--output takes one spec; use --out-dir for several")
    if output is not None and out_dir is not None:
        usage("give either -o/--output or --out-dir, not both")
    plans: list[list[tuple[Path, str]]] = []
    seen: dict[Path, Path] = {}
    for spec in specs:
        if output is not None:
            if formats is None:
                try:
                    formats_here = [infer_format(output)]
                except NnsvgError as err:
                    usage(str(err))
                plan = [(output, formats_here[0])]
            elif len(formats) == 1 and any(
                output.suffix.lower() in w.suffixes for w in WRITERS.values()
            ):
                if output.suffix.lower() not in WRITERS[formats[0]].suffixes:
                    usage(
                        f"-o {output} has a .{output.suffix.lower()[1:]} suffix but --format is "
                        f"{formats[0]}; make them agree"
                    )
                plan = [(output, formats[0])]
            else:
                plan = [(output.with_suffix(WRITERS[f].suffixes[0]), f) for f in formats]
        else:
            folder = out_dir if out_dir is not None else spec.parent
            plan = [
                (folder / f"{spec.stem}{WRITERS[f].suffixes[0]}", f) for f in (formats or ["svg"])
            ]
        for path, _fmt in plan:
            key = path.resolve()
            if key in seen and seen[key] != spec:
                usage(
                    f"'{display_path(seen[key])}' and '{display_path(spec)}' would both write "
                    f"{display_path(path)}; rename one"
                )
            seen[key] = spec
        plans.append(plan)
    return plans


class Plan:
    """Everything but the spec list: how each spec becomes a batch job."""

    def __init__(self, output, out_dir, formats, options, dpi, scale, font, workers) -> None:
        self.embed_fonts_given = False  # --embed-fonts on the command line: SVG outputs needed
        self.output = output
        self.out_dir = out_dir
        self.formats = formats
        self.options = options
        self.dpi = dpi
        self.scale = scale
        self.font = font
        self.workers = workers
        self.check = False  # render --check by default (the project file's check)

    def jobs(self, spec_paths: list[Path], lint: Any = None) -> list:
        """A job per spec; ``lint`` (LintOptions) lints each figure drawn as well."""
        from nnsvg.batch import Job

        plans = outputs_of(spec_paths, self.output, self.out_dir, self.formats)
        if self.embed_fonts_given and plans:
            written = list(dict.fromkeys(fmt for plan in plans for _path, fmt in plan))
            if "svg" not in written:
                usage(
                    "--embed-fonts applies to SVG output only, and this command writes "
                    f"{' and '.join(f.upper() for f in written)} only; add svg to --format "
                    f"(e.g. --format svg,{written[0]}) or leave --embed-fonts out"
                )
        return [
            Job(spec, tuple(plan), self.options, self.dpi, self.scale, self.font, lint=lint)
            for spec, plan in zip(spec_paths, plans)
        ]

    def make_out_dir(self) -> None:
        if self.out_dir is not None:
            try:
                self.out_dir.mkdir(parents=True, exist_ok=True)
            except OSError as err:
                usage(f"cannot create --out-dir {self.out_dir}: {err.strerror}")


def project_of(no_project: bool):
    """The project file that applies here, loaded; a broken one is a usage error."""
    if no_project:
        return None
    from nnsvg.project import ProjectError, find_project, load_project

    path = find_project()
    if path is None:
        return None
    try:
        return load_project(path)
    except ProjectError as err:
        console = make_console(stderr=True)
        for line in message_lines(err):
            console.print(f"[red]usage error[/red]: {escape(line)}")
        raise typer.Exit(EXIT_USAGE) from None


def plan_of(
    *,
    output: Path | None,
    out_dir: Path | None,
    fmt: str | None,
    theme: str | None,
    style: str | None,
    width: str | None,
    dpi: float | None,
    scale: float | None,
    elide: bool | None,
    seed: int | None,
    max_edges: int,
    max_nodes: int,
    allow_outside: bool,
    font: str | None,
    jobs: int | None,
    no_project: bool,
    id_prefix: str | None = None,
    embed_fonts: bool | None = None,
) -> Plan:
    """Check the options (usage errors exit 2) and merge them over the project file's."""
    formats = parse_formats(fmt)
    for name, value in (("--dpi", dpi), ("--scale", scale)):
        if value is not None and not (0 < value < 100_000):
            usage(f"{name}: must be a positive number below 100000, got {value:.12g}")
    for name, count in (("--max-edges", max_edges), ("--max-nodes", max_nodes)):
        if count < 1:
            usage(f"{name}: must be a positive whole number, got {count}")
    if seed is not None and seed < 0:
        usage(f"--seed: must be a non-negative integer, got {seed}")
    if jobs is not None and not 1 <= jobs <= 1024:
        usage(f"--jobs: must be from 1 to 1024, got {jobs}")
    if id_prefix is not None:
        from nnsvg.errors import NnsvgError
        from nnsvg.render.svg import check_id_prefix

        try:
            check_id_prefix(id_prefix, "--id-prefix")
        except NnsvgError as err:
            usage(str(err))
    if font is not None and (not font.strip() or any(ord(c) < 32 for c in font)):
        usage("--font: must be a CSS font family, e.g. \"'Times New Roman', serif\"")
    check_theme_and_style(theme, style)
    if width is not None:
        from nnsvg.errors import NnsvgError
        from nnsvg.units import figure_width

        try:
            figure_width(width, field="--width")
        except NnsvgError as err:
            usage(str(err))

    embed_fonts_given = bool(embed_fonts)
    project = project_of(no_project)
    if project is not None:
        # Like command-line options, and overridden by them. With -o the output's
        # suffix decides the format and its folder the place.
        theme = theme if theme is not None else project.theme
        width = width if width is not None else project.width
        dpi = dpi if dpi is not None else project.dpi
        scale = scale if scale is not None else project.scale
        font = font if font is not None else project.font
        jobs = jobs if jobs is not None else project.jobs
        embed_fonts = embed_fonts if embed_fonts is not None else project.embed_fonts
        if output is None:
            if formats is None and project.formats:
                formats = list(project.formats)
            if out_dir is None and project.out_dir is not None:
                out_dir = shorter(project.out_dir)

    from nnsvg.pipeline import RenderOptions

    options = RenderOptions(
        theme=theme,
        style=style,
        width=width,
        elide=elide,
        seed=seed,
        max_edges=max_edges,
        max_nodes=max_nodes,
        allow_outside=allow_outside,
        id_prefix=id_prefix,
        embed_fonts=bool(embed_fonts),
        project_dir=project.path.resolve().parent if project is not None else None,
    )
    workers = jobs if jobs is not None else cpu_count()
    plan = Plan(output, out_dir, formats, options, dpi, scale, font and font.strip(), workers)
    plan.check = bool(project is not None and project.check)
    plan.embed_fonts_given = embed_fonts_given
    return plan


def shorter(path: Path) -> Path:
    """``path`` relative to the current folder when it lies inside it (for messages)."""
    try:
        return path.relative_to(Path.cwd().resolve())
    except (ValueError, OSError):
        return path


def cpu_count() -> int:
    """The cores this process may use (a container's or taskset's limit, not the host's)."""
    counter = getattr(os, "process_cpu_count", None)  # Python 3.13+
    if counter is not None:
        return counter() or 1
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def result_line(result) -> str:
    from nnsvg.batch import FAILED, UP_TO_DATE

    outputs = ", ".join(display_path(p) for p in result.outputs)
    spec = display_path(result.spec)
    if result.status == FAILED:
        return f"failed {spec}" + (f" (wrote {outputs})" if outputs else "")
    label = "up to date" if result.status == UP_TO_DATE else "rendered"
    return f"{label} {spec} -> {outputs}"


def print_notes(report: Reporter, result) -> None:
    """The keys a rendered job's style set aside, one ``note:`` line each."""
    for line in result.notes:
        report.note_line(line)


def print_failure(report: Reporter, result) -> None:
    """A failed job's error lines (``file:line:col: message``), on stderr."""
    report.failures += 1
    for line in result.errors:
        report.error_line(line, internal=result.internal)
    if report.debug and result.traceback:
        report.err.print(result.traceback, markup=False)


def summary(report: Reporter, results: list, seconds: float, live: bool) -> None:
    from nnsvg.batch import FAILED, RENDERED, UP_TO_DATE

    counts = {s: sum(r.status == s for r in results) for s in (RENDERED, UP_TO_DATE, FAILED)}
    if not live:
        report.info(
            f"rendered {counts[RENDERED]}, up to date {counts[UP_TO_DATE]}, failed {counts[FAILED]}"
        )
        return
    from rich import box
    from rich.table import Table

    table = Table(
        box=box.SIMPLE,
        show_header=False,
        caption=f"{len(results)} specs in {seconds:.1f} s",
        caption_justify="left",
    )
    table.add_column()
    table.add_column(justify="right")
    table.add_row("[green]rendered[/green]", str(counts[RENDERED]))
    table.add_row("up to date", str(counts[UP_TO_DATE]))
    failed = counts[FAILED]
    table.add_row("[red]failed[/red]" if failed else "failed", str(failed))
    report.out.print(table)


def run_batch(jobs: list, workers: int, force: bool, report: Reporter) -> list:
    """Run the jobs with a progress bar (terminal) or a plain line per spec."""
    import time

    from nnsvg.batch import FAILED, run_jobs

    live = len(jobs) > 1 and not report.quiet and report.out.is_terminal
    start = time.perf_counter()
    progress = task = None
    if live:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        # No refresh thread (auto_refresh=False): worker processes are forked, and
        # forking a process with threads is unsafe. Each result refreshes the bar.
        progress = Progress(
            TextColumn("rendering"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("{task.description}"),
            console=report.out,
            auto_refresh=False,
            transient=True,
        )
        task = progress.add_task("", total=len(jobs))
        progress.start()
        progress.refresh()

    def on_result(result) -> None:
        if progress is not None:
            if result.status == FAILED:
                spec = escape(display_path(result.spec))
                progress.console.print(f"[red]failed[/red] {spec}")
            progress.update(task, advance=1, description=escape(display_path(result.spec)))
            progress.refresh()
        else:
            report.info(result_line(result))
        print_notes(report, result)

    try:
        results = run_jobs(jobs, workers, force, on_result)
    except KeyboardInterrupt:
        if progress is not None:
            progress.stop()
        report.err.print("interrupted", markup=False)
        raise typer.Exit(130) from None
    if progress is not None:
        progress.stop()
    if len(jobs) > 1 and not report.quiet:
        summary(report, results, time.perf_counter() - start, live)
    for result in results:
        if result.status == FAILED:
            print_failure(report, result)
    return results
