"""`mlpipe models ...`: list (marking the live version), show (checking the artifact digest), approve, reject.

Stages tell the truth instead of being set by hand: locally, approving or rejecting moves the live
pointer (pipeline/deploy_local.py, recorded in `models history`; what serving loads) and sets its
stage to Production and the one it replaced to Archived; on AWS the promoter does the same when it
moves the serving alias. Hence no `models stage` command: a stage set by hand would say something
serving does not do.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

import pipeline.cli.deploy as deploy  # noqa: F401, PLR0402 - registers `models history` and `models rollback`
from pipeline import deploy_local
from pipeline.cli.app import models_app
from pipeline.cli.options import EXIT_FAILED, BackendOption, fail
from pipeline.cli.output import console, wide_console
from pipeline.cli.project import (
    ConfigOption,
    NameOption,
    announced_settings,
    local_state_exists,
    registered_settings,
)
from pipeline.cli.report import readable_location, report_uri
from promoter.rollout import Plan, parse_plan
from promoter.schema_guard import ACCEPTED, SCHEMA_CHANGE_ACCEPTED, describe_changes, schema_changes
from runtime.hashing import sha256_chunks
from runtime.registry.base import ModelRegistry, ModelVersion, RegistryError
from runtime.registry.sagemaker import SageMakerModelRegistry
from runtime.registry.sqlite import SqliteModelRegistry
from runtime.settings import Settings, model_name, open_registry, open_store
from runtime.store.base import ArtifactNotFound, ArtifactStore, StoreError

JsonOption = Annotated[bool, typer.Option("--json", help="print JSON instead of a table")]
ForceOption = Annotated[
    bool, typer.Option("--force", help="approve even when the input schema differs from the live version's")
]
CanaryOption = Annotated[
    str,
    typer.Option(
        "--canary",
        envvar="MLPIPE_CANARY",
        help='local: shift traffic in steps, "WEIGHT:MINUTES,..." e.g. 10:5,50:5 (default: all at once; '
        "serving rolls back on errors, docs/deploy.md); on AWS the stack's plan applies",
    ),
]
PRODUCTION, ARCHIVED = "Production", "Archived"
VersionArgument = Annotated[int, typer.Argument(min=1, help="version number, as `mlpipe models list` shows")]


def _registry(backend: BackendOption, name: str | None, config: Path | None) -> ModelRegistry:
    return open_registry(registered_settings(backend, name, config))


def live_version(versions: list[ModelVersion], registry: object = None) -> ModelVersion | None:
    """What serving answers with: the local registry's live pointer (pipeline/deploy_local.py), else the
    latest Approved version (on AWS the promoter pins the same one)."""
    pointer = getattr(registry, "live_version", None)
    if pointer is not None:
        live = pointer()
        return next((v for v in versions if live is not None and v.version == live.version), None)
    approved = [v for v in versions if v.status == "Approved"]
    return approved[-1] if approved else None


def _print_json(value: Any) -> None:
    typer.echo(json.dumps(value, indent=2, sort_keys=True))


def versions_table(versions: list[ModelVersion], live: ModelVersion | None) -> Table:
    table = Table("version", "live", "status", "stage", "created", "accuracy", "auc", "sha256")
    for v in versions:
        accuracy, auc = (f"{v.metrics[m]:.4f}" if m in v.metrics else "-" for m in ("accuracy", "auc"))
        marker = "live" if live is not None and v.version == live.version else ""
        table.add_row(str(v.version), marker, v.status, v.stage, v.created, accuracy, auc, v.sha256[:12])
    return table


@models_app.command("list")
def list_versions(
    as_json: JsonOption = False,
    name: NameOption = None,
    config: ConfigOption = None,
    backend: BackendOption = None,
) -> None:
    """List every registered version of the model, oldest first, marking the live one."""
    settings = announced_settings(backend, name, config, new=True)
    try:
        registry = open_registry(settings, read_only=True) if local_state_exists(settings) else None
        versions = registry.list_versions() if registry is not None else []
        live = live_version(versions, registry)
    except RegistryError as error:
        raise fail(str(error)) from None
    if as_json:
        _print_json(
            [{**v.to_json(), "live": live is not None and v.version == live.version} for v in versions]
        )
    elif versions:
        wide_console().print(versions_table(versions, live))
    else:
        console().print("no versions registered yet; train one with `mlpipe run`")


def artifact_check(store: ArtifactStore, version: ModelVersion) -> tuple[str, str | None]:
    """("ok" | "mismatch" | "missing", the artifact's actual SHA-256 when it could be read)."""
    try:
        actual = sha256_chunks(store.iter_chunks(version.artifact_uri))
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
def show(
    version: VersionArgument,
    as_json: JsonOption = False,
    name: NameOption = None,
    config: ConfigOption = None,
    backend: BackendOption = None,
) -> None:
    """Show one version and verify its artifact's SHA-256 against the registry."""
    settings = registered_settings(backend, name, config)
    try:
        found = open_registry(settings, read_only=True).get_version(version)
        check, actual = artifact_check(open_store(settings), found)
    except (RegistryError, StoreError) as error:
        raise fail(str(error)) from None
    report_at = readable_location(open_store(settings), report_uri(found)) if report_uri(found) else ""
    if as_json:
        _print_json(
            {**found.to_json(), "artifact_check": check, "artifact_sha256": actual, "report": report_at}
        )
    else:
        _print_details(found, check, report_at)
    if check != "ok":
        raise fail(_check_message(found, check, actual), EXIT_FAILED)


def _print_details(version: ModelVersion, check: str, report_at: str = "") -> None:
    table = Table("field", "value", show_header=False)
    for name in ("version", "group", "status", "stage", "created", "artifact_uri", "sha256"):
        table.add_row(name, str(getattr(version, name)))
    table.add_row("report", report_at or "none recorded")
    table.add_row("training data sha256", version.training_data_sha256 or "none recorded")
    for bundle, uri in sorted(version.code_version.items()):
        table.add_row(f"code {bundle}", uri)
    verdict = Text("SHA-256 verified", style="green") if check == "ok" else Text(check, style="red")
    table.add_row("artifact check", verdict)
    for metric, number in sorted(version.metrics.items()):
        table.add_row(f"metric {metric}", f"{number:.4f}")
    for parameter, text in sorted(version.parameters.items()):
        table.add_row(f"parameter {parameter}", text)
    wide_console().print(table)


def check_schema(registry: ModelRegistry, version: int) -> None:
    """Refuse to approve a version whose inputs differ from the live version's (promoter/schema_guard.py)."""
    candidate = registry.get_version(version)
    live = live_version(registry.list_versions(), registry)
    if live is None or live.version == version:
        return
    changes = describe_changes(schema_changes(live.input_schema, candidate.input_schema))
    if changes:
        raise fail(
            f"version {version} takes other inputs than live version {live.version} ({changes}); clients "
            "sending the live inputs would break. Approve anyway with --force, or register it under "
            "another --name",
            EXIT_FAILED,
        )


def sync_stages(registry: ModelRegistry) -> ModelVersion | None:
    """Production for the live version, Archived for a former Production one; returns the live version."""
    versions = registry.list_versions()
    live = live_version(versions, registry)
    for v in versions:
        if live is not None and v.version == live.version and v.stage != PRODUCTION:
            registry.set_stage(v.version, PRODUCTION)
        elif v.stage == PRODUCTION and (live is None or v.version != live.version):
            registry.set_stage(v.version, ARCHIVED)
    return live


def change_status(
    registry: ModelRegistry, version: int, status: str, plan: Plan = (), *, accept_schema_change: bool = False
) -> None:
    """Set the approval status; locally the live pointer and the deployment history move with it.

    On AWS `accept_schema_change` (approve --force) marks the package in the same UpdateModelPackage
    call, so the promoter, reading it from DescribeModelPackage, makes the version live despite a schema
    change (promoter/handler.py check_same_inputs)."""
    if isinstance(registry, SqliteModelRegistry):
        deploy_local.set_status(registry, version, status, plan)
    elif isinstance(registry, SageMakerModelRegistry) and accept_schema_change:
        registry.set_status(version, status, metadata={SCHEMA_CHANGE_ACCEPTED: ACCEPTED})
    else:
        registry.set_status(version, status)


def _change(
    registry: ModelRegistry,
    settings: Settings,
    version: int,
    status: str,
    plan: Plan = (),
    *,
    accept_schema_change: bool = False,
) -> None:
    try:
        change_status(registry, version, status, plan, accept_schema_change=accept_schema_change)
        # On AWS the promoter moves the stages when it moves the serving alias.
        live = sync_stages(registry) if settings.backend == "local" else None
        updated = registry.get_version(version)
    except RegistryError as error:
        raise fail(str(error)) from None
    typer.echo(f"version {updated.version}: status {updated.status}, stage {updated.stage}")
    if live is not None:
        typer.echo(f"live version of {model_name(settings.model_package_group)}: {live.version}")


@models_app.command()
def approve(
    version: VersionArgument,
    *,
    force: ForceOption = False,
    canary: CanaryOption = "",
    name: NameOption = None,
    config: ConfigOption = None,
    backend: BackendOption = None,
) -> None:
    """Approve a version: it becomes live (serving loads the latest approved one).

    With --canary it first takes the plan's share of requests, step by step, while `mlpipe serve`
    watches its error rate. Refused when its input schema differs from the live version's, unless --force
    (on AWS recorded on the version, so the promoter makes it live too).
    """
    settings = announced_settings(backend, name, config)
    plan = _canary_plan(canary, settings)
    _require_deployed(settings, name)
    registry = open_registry(settings)
    if not force:
        try:
            check_schema(registry, version)
        except RegistryError as error:
            raise fail(str(error)) from None
    _change(registry, settings, version, "Approved", plan, accept_schema_change=force)


def _require_deployed(settings: Settings, name: str | None) -> None:
    """On AWS a --name the deployed stacks do not serve fails before anything changes (cloud.py)."""
    if settings.backend == "aws":
        from pipeline.cli.cloud import require_deployed  # noqa: PLC0415 - AWS only

        require_deployed(name, settings.model_package_group)


def _canary_plan(text: str, settings: Settings) -> Plan:
    try:
        plan = parse_plan(text)
    except ValueError as error:
        raise fail(f"--canary: {error}") from None
    if plan and settings.backend == "aws":
        raise fail(
            "--canary is for the local backend; on AWS the promoter follows the stack's canary plan "
            "(stacks/config.py canary_plan)"
        )
    return plan


@models_app.command()
def reject(
    version: VersionArgument,
    name: NameOption = None,
    config: ConfigOption = None,
    backend: BackendOption = None,
) -> None:
    """Reject a version (serving falls back to the previous approved one)."""
    settings = announced_settings(backend, name, config)
    _require_deployed(settings, name)
    _change(open_registry(settings), settings, version, "Rejected")
