"""The `mlpipe` Typer application object that every command module registers on."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="mlpipe",
    help="Train, register and serve a tabular classifier, locally or on AWS.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
models_app = typer.Typer(help="Inspect and manage versions in the model registry.", no_args_is_help=True)
app.add_typer(models_app, name="models")
