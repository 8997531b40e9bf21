"""Runtime settings, read once from the environment, and the factories that open the chosen backends."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, cast

from runtime.registry.base import ModelRegistry
from runtime.store.base import ArtifactStore

Backend = Literal["local", "aws"]
BACKENDS: tuple[Backend, ...] = ("local", "aws")
DEFAULT_GROUP = "mlpipe-titanic"
DEFAULT_REFRESH_SECONDS = 5.0
REGISTRY_FILE = "registry.db"
# Bounded retries and timeouts: the serving loader refreshes on the request path, inside the Lambda
# timeout, where botocore's defaults (legacy mode, 60 s connect and read timeouts) could hold one
# request for minutes. Standard mode backs off on throttling and 5xx, never retries AccessDenied.
AWS_CLIENT_CONFIG: dict[str, object] = {
    "retries": {"mode": "standard", "total_max_attempts": 3},
    "connect_timeout": 2,
    "read_timeout": 3,
}


class SettingsError(ValueError):
    """An environment variable holds a value the project cannot use."""


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
    backend = environ.get("MLPIPE_BACKEND", "").strip() or "local"
    if backend not in BACKENDS:
        choices = " or ".join(BACKENDS)
        raise SettingsError(f"MLPIPE_BACKEND={backend!r} is not a backend; set it to {choices}")
    home = Path(environ.get("MLPIPE_HOME", "").strip() or ".mlpipe")
    return Settings(
        backend=cast(Backend, backend),
        home=home if home.is_absolute() else Path.cwd() / home,
        model_package_group=environ.get("MODEL_PACKAGE_GROUP", "").strip() or DEFAULT_GROUP,
        model_version=_model_version(environ.get("MODEL_VERSION", "").strip()),
        model_refresh_seconds=_refresh_seconds(environ.get("MODEL_REFRESH_SECONDS", "").strip()),
    )


def open_store(settings: Settings) -> ArtifactStore:
    """The artifact store of the selected backend: the local folder, or S3 with default credentials."""
    if settings.backend == "aws":
        from runtime.store.s3 import S3ArtifactStore  # noqa: PLC0415

        return S3ArtifactStore(_aws_client("s3"))
    from runtime.store.local import LocalArtifactStore  # noqa: PLC0415

    return LocalArtifactStore(settings.home)


def open_registry(settings: Settings) -> ModelRegistry:
    """The model registry of the selected backend: `<home>/registry.db`, or the SageMaker group."""
    if settings.backend == "aws":
        from runtime.registry.sagemaker import SageMakerModelRegistry  # noqa: PLC0415

        return SageMakerModelRegistry(
            settings.model_package_group, _aws_client("sagemaker"), store=open_store(settings)
        )
    from runtime.registry.sqlite import SqliteModelRegistry  # noqa: PLC0415

    return SqliteModelRegistry(settings.home / REGISTRY_FILE, settings.model_package_group)


def _aws_client(service: str) -> Any:
    """A boto3 client with the default credential chain and AWS_CLIENT_CONFIG."""
    import boto3  # noqa: PLC0415 - boto3 is imported only when AWS is selected
    from botocore.config import Config  # noqa: PLC0415

    return boto3.client(service, config=Config(**AWS_CLIENT_CONFIG))


def _model_version(text: str) -> int | None:
    if not text:
        return None
    if not text.isdigit() or int(text) < 1:
        message = f"MODEL_VERSION={text!r} is not a version number; set a version >= 1 or leave it empty"
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
        raise SettingsError(f"MODEL_REFRESH_SECONDS={text!r} is not a number of seconds >= 0; e.g. 5")
    return seconds
