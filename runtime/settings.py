"""Runtime settings, read once from the environment, and the factories that open the chosen backends."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, cast

from runtime.aws import aws_client
from runtime.names import (
    BACKEND_ENV,
    HOME_ENV,
    MODEL_PACKAGE_GROUP_ENV,
    MODEL_REFRESH_SECONDS_ENV,
    MODEL_VERSION_ENV,
)
from runtime.registry.base import ModelRegistry
from runtime.store.base import ArtifactStore

Backend = Literal["local", "aws"]
BACKENDS: tuple[Backend, ...] = ("local", "aws")
DEFAULT_GROUP = "mlpipe-titanic"
DEFAULT_REFRESH_SECONDS = 5.0
REGISTRY_FILE = "registry.db"


class SettingsError(ValueError):
    """An environment variable holds a value the project cannot use."""


# A model's name becomes its model package group `mlpipe-<name>`: SageMaker's ModelPackageGroupName
# pattern ^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$ (botocore's service model, EntityName) bounds both.
GROUP_PREFIX = "mlpipe-"
MODEL_NAME = re.compile(rf"^[a-zA-Z0-9](-*[a-zA-Z0-9]){{0,{62 - len(GROUP_PREFIX)}}}$")


def model_group(name: str) -> str:
    """The model package group of a named model; SettingsError naming the rule for a bad name."""
    if not MODEL_NAME.fullmatch(name):
        raise SettingsError(
            f"model name {name!r} is not usable: letters, digits and inner hyphens only, at most "
            f"{63 - len(GROUP_PREFIX)} characters (it becomes the SageMaker group {GROUP_PREFIX}<name>)"
        )
    return GROUP_PREFIX + name


GROUP_NAME = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$")


def check_group(group: str, source: str = "MODEL_PACKAGE_GROUP") -> str:
    """`group` if it is a SageMaker ModelPackageGroupName (EntityName pattern above), else SettingsError.

    A name reaches JSON documents, URIs and SQL; the pattern leaves no quote, slash or space to inject."""
    if not GROUP_NAME.fullmatch(group):
        raise SettingsError(
            f"{source}={group!r} is not a model package group name: letters, digits and inner hyphens "
            "only, 1 to 63 characters (SageMaker's ModelPackageGroupName pattern)"
        )
    return group


def model_name(group: str) -> str:
    """The name a group stands for (`mlpipe-titanic` -> `titanic`); other groups keep their own name."""
    return group.removeprefix(GROUP_PREFIX)


@dataclass(frozen=True, kw_only=True)
class Settings:
    """What the environment variables of docs/architecture.md select."""

    backend: Backend = "local"
    home: Path = Path(".mlpipe")
    model_package_group: str = DEFAULT_GROUP
    model_version: int | None = None  # None: serve the latest Approved version
    model_refresh_seconds: float = DEFAULT_REFRESH_SECONDS


def load_settings(environ: Mapping[str, str] = os.environ) -> Settings:
    """Settings from the MLPIPE_* and MODEL_* variables; empty values mean the default."""
    backend = environ.get(BACKEND_ENV, "").strip() or "local"
    if backend not in BACKENDS:
        choices = " or ".join(BACKENDS)
        raise SettingsError(f"{BACKEND_ENV}={backend!r} is not a backend; set it to {choices}")
    home = Path(environ.get(HOME_ENV, "").strip() or ".mlpipe")
    return Settings(
        backend=cast(Backend, backend),
        home=home if home.is_absolute() else Path.cwd() / home,
        model_package_group=check_group(environ.get(MODEL_PACKAGE_GROUP_ENV, "").strip() or DEFAULT_GROUP),
        model_version=_model_version(environ.get(MODEL_VERSION_ENV, "").strip()),
        model_refresh_seconds=_refresh_seconds(environ.get(MODEL_REFRESH_SECONDS_ENV, "").strip()),
    )


def open_store(settings: Settings) -> ArtifactStore:
    """The artifact store of the selected backend: the local folder, or S3 with default credentials."""
    if settings.backend == "aws":
        from runtime.store.s3 import S3ArtifactStore  # noqa: PLC0415

        return S3ArtifactStore(aws_client("s3", request_path=True))
    from runtime.store.local import LocalArtifactStore  # noqa: PLC0415

    return LocalArtifactStore(settings.home)


def open_registry(settings: Settings, *, read_only: bool = False) -> ModelRegistry:
    """The model registry of the selected backend: `<home>/registry.db`, or the SageMaker group.

    `read_only`: for read commands; the local file is then opened without creating or writing anything."""
    if settings.backend == "aws":
        from runtime.registry.sagemaker import SageMakerModelRegistry  # noqa: PLC0415

        sagemaker = aws_client("sagemaker", request_path=True)
        return SageMakerModelRegistry(settings.model_package_group, sagemaker, store=open_store(settings))
    from runtime.registry.sqlite import SqliteModelRegistry  # noqa: PLC0415

    return SqliteModelRegistry(
        settings.home / REGISTRY_FILE, settings.model_package_group, read_only=read_only
    )


def _model_version(text: str) -> int | None:
    if not text:
        return None
    if not text.isdigit() or int(text) < 1:
        fix = "set a version >= 1 or leave it empty"
        message = f"{MODEL_VERSION_ENV}={text!r} is not a version number; {fix}"
        raise SettingsError(message)
    return int(text)


def _refresh_seconds(text: str) -> float:
    if not text:
        return DEFAULT_REFRESH_SECONDS
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1.0
    if not seconds >= 0:  # also rejects NaN
        raise SettingsError(f"{MODEL_REFRESH_SECONDS_ENV}={text!r} is not a number of seconds >= 0; e.g. 5")
    return seconds
