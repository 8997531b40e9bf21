"""`mlpipe models ...`: list, show (with an artifact digest check), approve, reject, stage."""

from __future__ import annotations

import hashlib
import json
from enum import StrEnum
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from pipeline.cli.app import models_app
from pipeline.cli.options import EXIT_FAILED, BackendOption, fail, settings_for
from pipeline.cli.output import console, wide_console
from runtime.registry.base import ModelRegistry, ModelVersion, RegistryError
from runtime.settings import open_registry, open_store
from runtime.store.base import ArtifactNotFound, ArtifactStore, StoreError

JsonOption = Annotated[bool, typer.Option("--json", help="print JSON instead of a table")]
VersionArgument = Annotated[int, typer.Argument(min=1, help="version number, as `mlpipe models list` shows")]


class Stage(StrEnum):
    Staging = "Staging"
    Production = "Production"
    Archived = "Archived"


def _registry(backend: BackendOption) -> ModelRegistry:
    return open_registry(settings_for(backend))


def _print_json(value: Any) -> None:
    typer.echo(json.dumps(value, indent=2, sort_keys=True))


def versions_table(versions: list[ModelVersion]) -> Table:
    table = Table("version", "status", "stage", "created", "accuracy", "auc", "sha256")
    for v in versions:
        accuracy, auc = (f"{v.metrics[m]:.4f}" if m in v.metrics else "-" for m in ("accuracy", "auc"))
        table.add_row(str(v.version), v.status, v.stage, v.created, accuracy, auc, v.sha256[:12])
    return table


@models_app.command("list")
def list_versions(as_json: JsonOption = False, backend: BackendOption = None) -> None:
    """List every registered version, oldest first."""
    try:
        versions = _registry(backend).list_versions()
    except RegistryError as error:
        raise fail(str(error)) from None
    if as_json:
        _print_json([version.to_json() for version in versions])
    elif versions:
        wide_console().print(versions_table(versions))
    else:
        console().print("no versions registered yet; train one with `mlpipe run`")


def artifact_check(store: ArtifactStore, version: ModelVersion) -> tuple[str, str | None]:
    """("ok" | "mismatch" | "missing", the artifact's actual SHA-256 when it could be read)."""
    try:
        actual = hashlib.sha256(store.get_bytes(version.artifact_uri)).hexdigest()
    except ArtifactNotFound:
        return "missing", None
    return ("ok" if actual == version.sha256 else "mismatch"), actual


def _check_message(version: ModelVersion, check: str, actual: str | None) -> str:
    if check == "missing":
        return f"version {version.version}: artifact {version.artifact_uri} is missing; retrain: `mlpipe run`"
    return (
        f"version {version.version}: artifact {version.artifact_uri} has SHA-256 {actual}, but the registry "
        f"recorded {version.sha256}; the file was changed after registration, do not serve it"
    )


@models_app.command()
def show(version: VersionArgument, as_json: JsonOption = False, backend: BackendOption = None) -> None:
    """Show one version and verify its artifact's SHA-256 against the registry."""
    settings = settings_for(backend)
    try:
        found = open_registry(settings).get_version(version)
        check, actual = artifact_check(open_store(settings), found)
    except (RegistryError, StoreError) as error:
        raise fail(str(error)) from None
    if as_json:
        _print_json({**found.to_json(), "artifact_check": check, "artifact_sha256": actual})
    else:
        _print_details(found, check)
    if check != "ok":
        raise fail(_check_message(found, check, actual), EXIT_FAILED)


def _print_details(version: ModelVersion, check: str) -> None:
    table = Table("field", "value", show_header=False)
    for name in ("version", "group", "status", "stage", "created", "artifact_uri", "sha256"):
        table.add_row(name, str(getattr(version, name)))
    verdict = Text("SHA-256 verified", style="green") if check == "ok" else Text(check, style="red")
    table.add_row("artifact check", verdict)
    for metric, number in sorted(version.metrics.items()):
        table.add_row(f"metric {metric}", f"{number:.4f}")
    for parameter, text in sorted(version.parameters.items()):
        table.add_row(f"parameter {parameter}", text)
    wide_console().print(table)


def _change(version: int, backend: BackendOption, **change: str) -> None:
    registry = _registry(backend)
    try:
        if "status" in change:
            updated = registry.set_status(version, change["status"])
        else:
            updated = registry.set_stage(version, change["stage"])
    except RegistryError as error:
        raise fail(str(error)) from None
    typer.echo(f"version {updated.version}: status {updated.status}, stage {updated.stage}")


@models_app.command()
def approve(version: VersionArgument, backend: BackendOption = None) -> None:
    """Approve a version (serving picks up the latest approved one)."""
    _change(version, backend, status="Approved")


@models_app.command()
def reject(version: VersionArgument, backend: BackendOption = None) -> None:
    """Reject a version (serving falls back to the previous approved one)."""
    _change(version, backend, status="Rejected")


@models_app.command()
def stage(
    version: VersionArgument,
    to: Annotated[Stage, typer.Argument(help="lifecycle stage", metavar="Staging|Production|Archived")],
    backend: BackendOption = None,
) -> None:
    """Move a version to a lifecycle stage."""
    _change(version, backend, stage=to.value)
