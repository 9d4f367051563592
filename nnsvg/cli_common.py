"""What every ``nnsvg`` command shares: the consoles, the reporter that prints errors as
``file:line:col: message`` lines, usage errors (exit 2), and reading the spec arguments.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from nnsvg.errors import message_lines, printable

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
BUG_HINT = "(this is a bug in nnsvg; run with --debug for a traceback and report it)"


def make_console(stderr: bool = False):
    from rich.console import Console

    plain = bool(os.environ.get("CI")) or os.environ.get("NO_COLOR") is not None
    return Console(
        stderr=stderr,
        highlight=False,
        emoji=False,  # a file named 'a:smile:.yaml' is printed as it is named
        soft_wrap=True,
        no_color=plain,
        force_terminal=False if plain else None,
    )


class Reporter:
    """Prints results and errors; remembers whether anything failed."""

    def __init__(self, debug: bool = False, quiet: bool = False) -> None:
        self.debug = debug
        self.quiet = quiet
        self.failures = 0

    # The rich consoles are made when first needed: importing rich costs 20 ms, a
    # tenth of a small render, and a render that succeeds prints plain lines only.
    @functools.cached_property
    def out(self):
        return make_console()

    @functools.cached_property
    def err(self):
        return make_console(stderr=True)

    def error_line(self, line: str, internal: bool = False) -> None:
        """One ``error: ...`` line on stderr; an ``internal error`` (a bug) says so. The
        line is made printable here too, whatever it quotes, so it stays one line."""
        line = printable(line)
        if internal:
            self.err.print(f"[red]internal error[/red]: {escape(line)} {BUG_HINT}")
        else:
            self.err.print(f"[red]error[/red]: {escape(line)}")

    def note_line(self, line: str) -> None:
        """One ``note: ...`` line on stderr (a key the style set aside)."""
        if not self.quiet:
            self.err.print(f"[yellow]note[/yellow]: {escape(printable(line))}")

    def info(self, message: str) -> None:
        if not self.quiet:
            print(printable(message), flush=True)  # no markup, no colour, one line

    def error(self, err: BaseException) -> None:
        from nnsvg.errors import NnsvgError

        self.failures += 1
        if isinstance(err, NnsvgError):
            for line in message_lines(err):
                self.error_line(line)
        else:
            self.error_line(f"{type(err).__name__}: {err}", internal=True)
        if self.debug:
            import traceback

            self.err.print(escape("".join(traceback.format_exception(err))), markup=False)


def escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)


def usage(message: str) -> NoReturn:
    make_console(stderr=True).print(f"[red]usage error[/red]: {escape(printable(message))}")
    raise typer.Exit(EXIT_USAGE)


def collect_specs(args: list[str], strict: bool = True) -> list[Path]:
    """Spec files from arguments (see :mod:`nnsvg.spec_paths`); ``strict=False`` (watch's
    rescans) skips a glob or folder that finds nothing instead of ending the command."""
    from nnsvg.spec_paths import NothingFound, collect_specs

    try:
        return collect_specs(args, strict)
    except NothingFound as err:
        usage(str(err))


def check_theme_and_style(theme: str | None, style: str | None) -> None:
    """--theme and --style are checked once, before any spec: a bad one is a usage error."""
    from nnsvg.errors import NnsvgError

    if style is not None:
        from nnsvg.spec.model import STYLES

        if style not in STYLES:
            usage(f"--style: unknown style '{style}' (must be one of {', '.join(STYLES)})")
    if theme is not None:
        from nnsvg.theme import load_theme

        try:
            load_theme(theme)
        except NnsvgError as err:
            usage(f"--theme: {err}")


def parse_formats(text: str | None) -> list[str] | None:
    from nnsvg.render.writers import WRITERS

    if text is None:
        return None
    formats = [f.strip().lower() for f in text.split(",") if f.strip()]
    for f in formats:
        if f not in WRITERS:
            usage(f"--format: unknown format '{f}' (must be one of {', '.join(WRITERS)})")
    if not formats:
        usage(f"--format: give at least one of {', '.join(WRITERS)}")
    return list(dict.fromkeys(formats))


SpecsArg = Annotated[
    list[str],
    typer.Argument(help="Spec files, folders or globs.", show_default=False, metavar="SPEC..."),
]
DebugOpt = Annotated[bool, typer.Option("--debug", help="Show tracebacks.")]
