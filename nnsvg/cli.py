"""The ``nnsvg`` command: a thin typer app over the public API.

This is the only place that turns an :class:`~nnsvg.errors.NnsvgError` into a
printed ``file:line:col: message`` line and an exit code: 0 all good, 1 some
figure failed, 2 a usage error. Heavy modules are imported inside commands so
that ``nnsvg --help`` stays fast.
"""

from __future__ import annotations

import glob
import os
import sys
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from nnsvg._version import __version__

__all__ = ["app", "main"]

app = typer.Typer(
    name="nnsvg",
    help="Publication-quality neural-network schematics (SVG, PNG, PDF) from a spec file.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
themes_app = typer.Typer(
    help="List the built-in themes, or print one.",
    invoke_without_command=True,
    add_completion=False,
)
app.add_typer(themes_app, name="themes")

SPEC_SUFFIXES = (".yaml", ".yml", ".json")
EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def _console(stderr: bool = False):
    from rich.console import Console

    plain = bool(os.environ.get("CI")) or os.environ.get("NO_COLOR") is not None
    return Console(
        stderr=stderr,
        highlight=False,
        soft_wrap=True,
        no_color=plain,
        force_terminal=False if plain else None,
    )


class _Reporter:
    """Prints results and errors; remembers whether anything failed."""

    def __init__(self, debug: bool = False, quiet: bool = False) -> None:
        self.out = _console()
        self.err = _console(stderr=True)
        self.debug = debug
        self.quiet = quiet
        self.failures = 0

    def info(self, message: str) -> None:
        if not self.quiet:
            self.out.print(message, markup=False)

    def error(self, err: BaseException) -> None:
        from nnsvg.errors import NnsvgError

        self.failures += 1
        if isinstance(err, NnsvgError):
            for line in str(err).splitlines():
                self.err.print(f"[red]error[/red]: {_escape(line)}")
        else:
            self.err.print(
                f"[red]internal error[/red]: {_escape(type(err).__name__)}: {_escape(str(err))} "
                "(this is a bug in nnsvg; run with --debug for a traceback and report it)"
            )
        if self.debug:
            import traceback

            self.err.print(_escape("".join(traceback.format_exception(err))), markup=False)


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)


def _usage(message: str) -> NoReturn:
    _console(stderr=True).print(f"[red]usage error[/red]: {_escape(message)}")
    raise typer.Exit(EXIT_USAGE)


def _collect_specs(args: list[str]) -> list[Path]:
    """Spec files from arguments: files, folders (searched for spec files) and globs."""
    found: list[Path] = []
    for arg in args:
        path = Path(arg)
        if any(ch in arg for ch in "*?[") and not path.exists():
            matches = sorted(glob.glob(arg, recursive=True))
            if not matches:
                _usage(f"no file matches '{arg}'")
            found.extend(Path(m) for m in matches if Path(m).is_file())
        elif path.is_dir():
            # The folder's own spec files; subfolders (themes, weights...) are not searched:
            # a glob such as 'figures/**/*.yaml' reaches them.
            files = sorted(
                p for p in path.iterdir() if p.suffix.lower() in SPEC_SUFFIXES and p.is_file()
            )
            if not files:
                _usage(f"no spec files (.yaml, .yml, .json) in folder '{arg}'")
            found.extend(files)
        else:
            found.append(path)  # a missing file is reported per spec, as a failure
    unique: list[Path] = []
    for p in found:
        if p not in unique:
            unique.append(p)
    return unique


def _check_theme_and_style(theme: str | None, style: str | None) -> None:
    """--theme and --style are checked once, before any spec: a bad one is a usage error."""
    from nnsvg.errors import NnsvgError

    if style is not None:
        from nnsvg.spec.model import STYLES

        if style not in STYLES:
            _usage(f"--style: unknown style '{style}' (must be one of {', '.join(STYLES)})")
    if theme is not None:
        from nnsvg.theme import load_theme

        try:
            load_theme(theme)
        except NnsvgError as err:
            _usage(f"--theme: {err}")


def _parse_formats(text: str | None) -> list[str] | None:
    from nnsvg.export import FORMATS

    if text is None:
        return None
    formats = [f.strip().lower() for f in text.split(",") if f.strip()]
    for f in formats:
        if f not in FORMATS:
            _usage(f"--format: unknown format '{f}' (must be one of {', '.join(FORMATS)})")
    if not formats:
        _usage("--format: give at least one of svg, png, pdf")
    return list(dict.fromkeys(formats))


def _outputs(
    specs: list[Path], output: Path | None, out_dir: Path | None, formats: list[str] | None
) -> list[list[tuple[Path, str]]]:
    """For each spec, the (path, format) pairs to write."""
    from nnsvg.errors import NnsvgError
    from nnsvg.export import infer_format

    if output is not None and len(specs) != 1:
        _usage("-o/--output takes one spec; use --out-dir for several")
    if output is not None and out_dir is not None:
        _usage("give either -o/--output or --out-dir, not both")
    plans: list[list[tuple[Path, str]]] = []
    seen: dict[Path, Path] = {}
    for spec in specs:
        if output is not None:
            if formats is None:
                try:
                    formats_here = [infer_format(output)]
                except NnsvgError as err:
                    _usage(str(err))
                plan = [(output, formats_here[0])]
            elif len(formats) == 1 and output.suffix.lower() in (".svg", ".png", ".pdf"):
                if output.suffix.lower() != "." + formats[0]:
                    _usage(
                        f"-o {output} has a .{output.suffix.lower()[1:]} suffix but --format is "
                        f"{formats[0]}; make them agree"
                    )
                plan = [(output, formats[0])]
            else:
                plan = [(output.with_suffix("." + f), f) for f in formats]
        else:
            folder = out_dir if out_dir is not None else spec.parent
            plan = [(folder / f"{spec.stem}.{f}", f) for f in (formats or ["svg"])]
        for path, _fmt in plan:
            key = path.resolve()
            if key in seen and seen[key] != spec:
                _usage(f"'{seen[key]}' and '{spec}' would both write {path}; rename one")
            seen[key] = spec
        plans.append(plan)
    return plans


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"nnsvg {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version_callback, is_eager=True, help="Print the version."
        ),
    ] = False,
) -> None:
    """Publication-quality neural-network schematics (SVG, PNG, PDF) from a spec file."""


@app.command()
def render(
    specs: Annotated[
        list[str], typer.Argument(help="Spec files, folders or globs.", show_default=False)
    ],
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Output file (one spec only).")
    ] = None,
    out_dir: Annotated[
        Path | None, typer.Option("--out-dir", help="Folder for the outputs (created if missing).")
    ] = None,
    fmt: Annotated[
        str | None,
        typer.Option("--format", "-f", help="svg, png or pdf; a comma list for several (svg,png)."),
    ] = None,
    theme: Annotated[
        str | None, typer.Option("--theme", "-t", help="Built-in theme name or theme file.")
    ] = None,
    style: Annotated[
        str | None,
        typer.Option("--style", help="Engine: fcnn, lenet or alexnet (overrides the spec)."),
    ] = None,
    width: Annotated[
        str | None, typer.Option("--width", help="Printed figure width, e.g. 3.5in, 89mm.")
    ] = None,
    dpi: Annotated[float | None, typer.Option("--dpi", help="PNG resolution.")] = None,
    scale: Annotated[float | None, typer.Option("--scale", help="PNG pixels per unit.")] = None,
    elide: Annotated[
        bool | None,
        typer.Option("--elide/--no-elide", help="Elide wide layers (default: as the spec says)."),
    ] = None,
    seed: Annotated[int | None, typer.Option("--seed", help="Seed for demo weights.")] = None,
    max_edges: Annotated[
        int, typer.Option("--max-edges", help="Refuse figures with more edges.")
    ] = 2_000_000,
    max_nodes: Annotated[
        int, typer.Option("--max-nodes", help="Refuse figures with more nodes.")
    ] = 100_000,
    allow_outside: Annotated[
        bool,
        typer.Option("--allow-outside", help="Let specs read images outside their folder."),
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print errors only.")] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks.")] = False,
) -> None:
    """Render spec files to SVG, PNG or PDF."""
    formats = _parse_formats(fmt)
    for name, value in (("--dpi", dpi), ("--scale", scale)):
        if value is not None and not (0 < value < 100_000):
            _usage(f"{name} must be a positive number, got {value}")
    if max_edges < 1 or max_nodes < 1:
        _usage("--max-edges and --max-nodes must be positive")
    if seed is not None and seed < 0:
        _usage("--seed must be a non-negative integer")
    _check_theme_and_style(theme, style)
    if width is not None:
        from nnsvg.errors import NnsvgError
        from nnsvg.units import parse_length

        try:
            parse_length(width, field="--width")
        except NnsvgError as err:
            _usage(str(err))
    spec_paths = _collect_specs(specs)
    plans = _outputs(spec_paths, output, out_dir, formats)
    report = _Reporter(debug=debug, quiet=quiet)
    if out_dir is not None:
        try:
            out_dir.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            _usage(f"cannot create --out-dir {out_dir}: {err.strerror}")

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
    )
    for spec_path, plan in zip(spec_paths, plans):
        _render_one(spec_path, plan, options, dpi, scale, report)
    if report.failures:
        report.err.print(f"{report.failures} of {len(spec_paths)} spec(s) failed", markup=False)
        raise typer.Exit(EXIT_FAILED)


def _render_one(spec_path, plan, options, dpi, scale, report: _Reporter) -> None:
    from nnsvg.errors import NnsvgError

    try:
        from nnsvg.export import export
        from nnsvg.pipeline import build_scene, load_spec
        from nnsvg.render.svg import render_svg

        svg = render_svg(build_scene(load_spec(spec_path), options))
        for path, fmt in plan:
            export(svg, path, fmt, dpi=dpi, scale=scale)
            report.info(f"wrote {path}")
    except NnsvgError as err:
        if err.location is None and err.field is None:
            from nnsvg.errors import Location

            err.location = Location(str(spec_path))  # say which spec of a batch failed
        report.error(err)
    except KeyboardInterrupt:
        raise
    except RecursionError as err:
        report.error(NnsvgError(f"{spec_path}: the spec is nested too deeply to draw ({err})"))
    except Exception as err:  # a bug: still one line, never a traceback unless --debug
        report.error(err)


@app.command()
def validate(
    specs: Annotated[
        list[str], typer.Argument(help="Spec files, folders or globs.", show_default=False)
    ],
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print errors only.")] = False,
) -> None:
    """Check spec files (syntax, keys, values, theme, weights) without rendering."""
    from nnsvg.errors import NnsvgError
    from nnsvg.pipeline import build_scene, load_spec

    report = _Reporter(debug=debug, quiet=quiet)
    paths = _collect_specs(specs)
    for path in paths:
        try:
            build_scene(load_spec(path))  # layout too: limits and weights are checked
            report.info(f"{path}: ok")
        except NnsvgError as err:
            report.error(err)
        except Exception as err:
            report.error(err)
    if report.failures:
        raise typer.Exit(EXIT_FAILED)


@themes_app.callback()
def themes_list(ctx: typer.Context) -> None:
    """List the built-in themes."""
    if ctx.invoked_subcommand is not None:
        return
    from rich.table import Table

    from nnsvg.errors import NnsvgError
    from nnsvg.theme import builtin_theme_names, load_theme

    table = Table("theme", "description", box=None, show_edge=False, pad_edge=False)
    for name in builtin_theme_names():
        try:
            table.add_row(name, load_theme(name).description)
        except NnsvgError as err:  # pragma: no cover - built-in themes are tested
            table.add_row(name, f"(invalid: {err})")
    _console().print(table)


@themes_app.command("show")
def themes_show(
    name: Annotated[str, typer.Argument(help="A built-in theme name or a theme file.")],
) -> None:
    """Print a theme with everything it inherits, as a theme file."""
    import yaml

    from nnsvg.errors import NnsvgError
    from nnsvg.theme import load_theme, theme_to_data

    try:
        theme = load_theme(name)
    except NnsvgError as err:
        _Reporter().error(err)
        raise typer.Exit(EXIT_FAILED) from None
    data = theme_to_data(theme)
    data = {
        "name": data.pop("name"),
        "description": data.pop("description"),
        "extends": None,
        **data,
    }
    typer.echo(yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100), nl=False)


@app.command()
def schema(
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Write to a file.")] = None,
) -> None:
    """Print the JSON Schema of spec files (for editor completion and checks)."""
    import json

    from nnsvg.spec.schema import spec_schema

    text = json.dumps(spec_schema(), indent=2, ensure_ascii=False) + "\n"
    if output is None:
        typer.echo(text, nl=False)
        return
    from nnsvg.atomic import write_atomic
    from nnsvg.errors import NnsvgError

    try:
        write_atomic(output, text)
    except NnsvgError as err:
        _Reporter().error(err)
        raise typer.Exit(EXIT_FAILED) from None
    typer.echo(f"wrote {output}")


@app.command()
def init(
    path: Annotated[Path, typer.Argument(help="Where to write the starter spec.")] = Path(
        "network.yaml"
    ),
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Write a commented starter spec to edit."""
    from nnsvg.atomic import write_atomic
    from nnsvg.errors import NnsvgError
    from nnsvg.starter import STARTER_SPEC

    if path.exists() and not force:
        _usage(f"{path} exists; use --force to overwrite it")
    try:
        write_atomic(path, STARTER_SPEC)
    except NnsvgError as err:
        _Reporter().error(err)
        raise typer.Exit(EXIT_FAILED) from None
    typer.echo(f"wrote {path}; render it with: nnsvg render {path}")


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        sys.exit(130)
    except Exception as err:  # a bug outside any command's own handling
        if "--debug" in sys.argv:
            raise
        sys.stderr.write(
            f"internal error: {type(err).__name__}: {err} "
            "(this is a bug in nnsvg; run with --debug for a traceback and report it)\n"
        )
        sys.exit(EXIT_FAILED)
