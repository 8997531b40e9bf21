"""What `mlpipe run` and `mlpipe models` share: the --backend option, settings, error exits."""

from __future__ import annotations

import os
from enum import StrEnum
from typing import Annotated

import typer

from pipeline.aws.errors import CloudError
from pipeline.aws.outputs import load_deployed_stack
from pipeline.cli.output import EXIT_FAILED, EXIT_USAGE, fail
from runtime.names import BACKEND_ENV, MODEL_PACKAGE_GROUP_ENV
from runtime.settings import Settings, SettingsError, load_settings

__all__ = ["EXIT_FAILED", "EXIT_USAGE", "BackendName", "BackendOption", "fail", "settings_for"]


class BackendName(StrEnum):
    local = "local"
    aws = "aws"


BackendOption = Annotated[
    BackendName | None,
    typer.Option(
        "--backend",
        envvar=BACKEND_ENV,
        show_envvar=True,
        help="where the store and registry live: local (MLPIPE_HOME folder) or aws  [default: local]",
    ),
]


def settings_for(backend: BackendName | None, *, discover_group: bool = True) -> Settings:
    """Settings from the environment, with --backend (when given) taking precedence over MLPIPE_BACKEND.

    On AWS with no MODEL_PACKAGE_GROUP set, the group is read from the deployed stack unless the caller
    has no use for it (`discover_group=False`, e.g. a pipeline run, which validates before any AWS call).
    """
    environ = dict(os.environ)
    if backend is not None:
        environ[BACKEND_ENV] = backend.value
    try:
        settings = load_settings(environ)
    except SettingsError as error:
        raise fail(str(error), EXIT_USAGE) from None
    on_aws = settings.backend == BackendName.aws.value
    if discover_group and on_aws and not environ.get(MODEL_PACKAGE_GROUP_ENV):
        environ[MODEL_PACKAGE_GROUP_ENV] = deployed_model_group()
        settings = load_settings(environ)
    return settings


def deployed_model_group() -> str:
    """The deployed stack's model package group, so AWS commands need no MODEL_PACKAGE_GROUP by hand."""
    try:
        return load_deployed_stack().model_package_group
    except CloudError as error:
        message = f"{error}\nor set MODEL_PACKAGE_GROUP to the model package group's name"
        raise fail(message, EXIT_USAGE) from None
