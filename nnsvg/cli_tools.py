"""The ``nnsvg`` commands around rendering: ``validate``, ``themes``, ``schema``, ``init``
and ``import``; :func:`register` adds them to the app (:mod:`nnsvg.cli`)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from nnsvg.cli_common import (
    EXIT_FAILED,
    DebugOpt,
    Reporter,
    SpecsArg,
    collect_specs,
    make_console,
    usage,
)
from nnsvg.errors import display_path

__all__ = ["register"]


def validate(
    specs: SpecsArg,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print errors only.")] = False,
) -> None:
    """Check spec files (syntax, keys, values, theme, weights) without rendering."""
    from nnsvg.errors import NnsvgError
    from nnsvg.pipeline import RenderOptions, build_scene, load_spec
    from nnsvg.project import find_project

    report = Reporter(debug=debug, quiet=quiet)
    paths = collect_specs(specs)
    # Files a spec names may come from the project folder, as they may when rendering.
    project = find_project()
    options = RenderOptions(project_dir=project.resolve().parent if project else None)
    for path in paths:
        try:
            build_scene(load_spec(path), options)  # layout too: limits and weights are checked
            report.info(f"{display_path(path)}: ok")
        except NnsvgError as err:
            report.error(err)
        except Exception as err:
            report.error(err)
    if report.failures:
        raise typer.Exit(EXIT_FAILED)


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
    make_console().print(table)


def themes_show(
    name: Annotated[
        str, typer.Argument(help="A built-in theme name or a theme file.", metavar="NAME|FILE")
    ],
) -> None:
    """Print a theme with everything it inherits, as a theme file."""
    import yaml

    from nnsvg.errors import NnsvgError
    from nnsvg.theme import load_theme, theme_to_data

    try:
        theme = load_theme(name)
    except NnsvgError as err:
        Reporter().error(err)
        raise typer.Exit(EXIT_FAILED) from None
    data = theme_to_data(theme)
    data = {
        "name": data.pop("name"),
        "description": data.pop("description"),
        "extends": None,
        **data,
    }
    typer.echo(yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100), nl=False)


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
        Reporter().error(err)
        raise typer.Exit(EXIT_FAILED) from None
    typer.echo(f"wrote {output}")


def init(
    path: Annotated[
        Path, typer.Argument(help="Where to write the starter spec.", metavar="PATH")
    ] = Path("network.yaml"),
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Write a commented starter spec to edit."""
    from nnsvg.atomic import write_atomic
    from nnsvg.errors import NnsvgError
    from nnsvg.starter import STARTER_SPEC

    if path.exists() and not force:
        usage(f"{display_path(path)} exists; use --force to overwrite it")
    try:
        write_atomic(path, STARTER_SPEC)
    except NnsvgError as err:
        Reporter().error(err)
        raise typer.Exit(EXIT_FAILED) from None
    typer.echo(f"wrote {display_path(path)}; render it with: nnsvg render {display_path(path)}")


def import_(
    model: Annotated[
        Path,
        typer.Argument(
            help="A model file (.onnx, .keras, .json, .h5, .pt2) or torch:package.module:factory.",
            metavar="MODEL",
        ),
    ],
    output: Annotated[Path, typer.Option("-o", "--output", help="The spec file to write.")],
    style: Annotated[
        str | None,
        typer.Option(
            "--style", help="fcnn, lenet, alexnet or blocks (default: chosen for the model)."
        ),
    ] = None,
    input_shape: Annotated[
        str | None,
        typer.Option(
            "--input-shape",
            help="The input's shape, batch first, in the model's layout (1,3,224,224).",
        ),
    ] = None,
    weights: Annotated[
        Path | None,
        typer.Option(
            "--weights",
            help="Also write the dense layers' weights to this .npz (an FCNN figure's edges).",
        ),
    ] = None,
    no_collapse: Annotated[
        bool,
        typer.Option(
            "--no-collapse", help="Write every repeated block (blocks style: no repeat groups)."
        ),
    ] = False,
    activations: Annotated[
        Path | None,
        typer.Option(
            "--activations",
            help="Run the model (PyTorch; ONNX with onnxruntime) on this sample (.npy, "
            ".png) and show each layer's feature maps (written beside the spec; lenet style).",
            metavar="SAMPLE",
        ),
    ] = None,
    trust: Annotated[
        bool,
        typer.Option(
            "--trust", help="Load a pickled PyTorch model (.pt, .pth): this runs code from it."
        ),
    ] = False,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
    debug: DebugOpt = False,
) -> None:
    """Write an editable spec for a model (ONNX, Keras, PyTorch)."""
    from nnsvg.atomic import write_atomic
    from nnsvg.errors import NnsvgError
    from nnsvg.importers import import_model, parse_input_shape

    if output.exists() and model.exists() and output.resolve() == model.resolve():
        usage(f"{display_path(output)} is the model itself; write the spec to another file")
    if output.exists() and not force:
        usage(f"{display_path(output)} exists; use --force to overwrite it")
    ref = None
    if weights is not None:
        if weights.suffix.lower() != ".npz":
            usage(f"--weights: {display_path(weights)} must be an .npz file")
        if weights.exists() and not force:
            usage(f"{display_path(weights)} exists; use --force to overwrite it")
        if weights.exists() and model.exists() and weights.resolve() == model.resolve():
            usage(f"{display_path(weights)} is the model itself; write the weights elsewhere")
        ref = os.path.relpath(weights.absolute(), output.absolute().parent)
    maps_dir = output.parent / f"{output.stem}-activations"
    if activations is not None and maps_dir.exists() and not force:
        usage(f"{display_path(maps_dir)} exists; use --force to overwrite it")
    report = Reporter(debug=debug)
    try:
        result = import_model(
            model,
            style=style,
            input_shape=parse_input_shape(input_shape),
            weights=ref,
            collapse=not no_collapse,
            trust=trust,
            activations=activations,
            maps_folder=maps_dir.name,
        )
        if weights is not None and result.npz is not None:
            write_atomic(weights, result.npz)
        if result.maps:
            maps_dir.mkdir(parents=True, exist_ok=True)
            for name, data in result.maps.items():
                write_atomic(output.parent / name, data)
        write_atomic(output, result.text)
    except NnsvgError as err:
        report.error(err)
        raise typer.Exit(EXIT_FAILED) from None
    except Exception as err:  # a model file no importer foresaw: a bug, said as one
        report.error(err)
        raise typer.Exit(EXIT_FAILED) from None
    typer.echo(
        f"wrote {display_path(output)} ({result.layers} layers, style {result.style}); "
        f"render it with: nnsvg render {display_path(output)}"
    )


def register(app: typer.Typer, themes_app: typer.Typer) -> None:
    """Add these commands to the app, after render, check and watch."""
    app.command()(validate)
    themes_app.callback()(themes_list)
    themes_app.command("show")(themes_show)
    app.command()(schema)
    app.command()(init)
    app.command("import")(import_)
