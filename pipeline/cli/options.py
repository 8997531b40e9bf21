"""What `mlpipe run` and `mlpipe models` share: the --backend option, settings, error exits."""

from __future__ import annotations

import os
from enum import StrEnum
from typing import Annotated

import typer
from rich.console import Console

from pipeline.settings import Settings, SettingsError, load_settings

EXIT_FAILED = 1
EXIT_USAGE = 2


class BackendName(StrEnum):
    local = "local"
    aws = "aws"


BackendOption = Annotated[
    BackendName | None,
    typer.Option(
        "--backend",
        envvar="MLPIPE_BACKEND",
        show_envvar=True,
        help="where the store and registry live: local (MLPIPE_HOME folder) or aws  [default: local]",
    ),
]


def fail(message: str, code: int = EXIT_FAILED) -> typer.Exit:
    """Print `message` as an error on stderr; raise the returned Exit to stop with `code`."""
    Console(stderr=True).print(f"[red]error:[/red] {message}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


def settings_for(backend: BackendName | None) -> Settings:
    """Settings from the environment, with --backend (when given) taking precedence over MLPIPE_BACKEND."""
    environ = dict(os.environ)
    if backend is not None:
        environ["MLPIPE_BACKEND"] = backend.value
    try:
        return load_settings(environ)
    except SettingsError as error:
        raise fail(str(error), EXIT_USAGE) from None
