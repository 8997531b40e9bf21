"""`mlpipe models history` and `mlpipe models rollback`, on both backends (docs/deploy.md).

Rollback rejects the version it leaves (and any Approved version newer than the target), with the reason:
on AWS the promoter serves the newest Approved version, so a version left Approved would come back at
the next approval event; rejecting keeps the registry and serving saying the same on both backends.
Re-approve a rolled-back version to roll forward.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.table import Table

from pipeline import deploy_local
from pipeline.cli.app import models_app
from pipeline.cli.options import EXIT_FAILED, BackendOption, fail
from pipeline.cli.output import console, wide_console
from pipeline.cli.project import ConfigOption, NameOption, local_state_exists, model_settings, project_or_fail
from promoter import history as aws_history
from runtime.registry.base import RegistryError
from runtime.registry.sqlite import SqliteModelRegistry
from runtime.settings import Settings, open_registry, open_store
from runtime.store.base import StoreError, join_uri

JsonOption = Annotated[bool, typer.Option("--json", help="print JSON instead of a table")]
ToOption = Annotated[
    int | None,
    typer.Option("--to", min=1, help="version to serve (default: the newest Approved one older than live)"),
]
ReasonOption = Annotated[str, typer.Option("--reason", help="why; recorded in the history and the registry")]
COLUMNS = ("at", "actor", "action", "from_version", "to_version", "weight", "step", "outcome", "reason")


def history_entries(settings: Settings) -> list[dict[str, Any]]:
    """The deployment history, oldest first: the local registry's table, or the promoter's S3 objects."""
    if settings.backend == "aws":
        from pipeline.aws.outputs import load_deployed_stack  # noqa: PLC0415 - AWS only

        store = open_store(settings)
        prefix = join_uri(
            load_deployed_stack().artifact_bucket, aws_history.history_prefix(settings.model_package_group)
        )
        return [aws_history.decode(store.get_bytes(uri)) for uri in sorted(store.list_uris(prefix))]
    if not local_state_exists(settings):
        return []
    registry = open_registry(settings, read_only=True)
    assert isinstance(registry, SqliteModelRegistry)
    return [{name: getattr(entry, name) for name in COLUMNS} for entry in registry.deployment_history()]


@models_app.command("history")
def history(
    as_json: JsonOption = False,
    name: NameOption = None,
    config: ConfigOption = None,
    backend: BackendOption = None,
) -> None:
    """Every change of what is live: approvals, canary steps, automatic and manual rollbacks."""
    settings = model_settings(backend, name, project_or_fail(config), new=True)
    try:
        entries = history_entries(settings)
    except (RegistryError, StoreError, ValueError) as error:
        raise fail(f"cannot read the deployment history: {error}") from None
    if as_json:
        typer.echo(json.dumps(entries, indent=2))
        return
    if not entries:
        console().print("no deployments yet; approve a version with `mlpipe models approve VERSION`")
        return
    table = Table(*COLUMNS)
    for entry in entries:
        table.add_row(*("" if entry[column] is None else str(entry[column]) for column in COLUMNS))
    wide_console().print(table)


@models_app.command("rollback")
def rollback(
    to: ToOption = None,
    reason: ReasonOption = "",
    name: NameOption = None,
    config: ConfigOption = None,
    backend: BackendOption = None,
) -> None:
    """Serve an older Approved version now; the versions it replaces are rejected with the reason."""
    settings = model_settings(backend, name, project_or_fail(config))
    if settings.backend == "local" and not local_state_exists(settings):
        raise fail(f"nothing is registered in {settings.home}; train a model with `mlpipe run`", EXIT_FAILED)
    if settings.backend == "aws":  # a --name the deployed stacks do not serve: fail before any change
        from pipeline.cli.cloud import require_deployed  # noqa: PLC0415 - AWS only

        require_deployed(name, settings.model_package_group)
    registry = open_registry(settings)
    try:
        if isinstance(registry, SqliteModelRegistry):
            change = deploy_local.rollback(registry, to, reason)
            target = change.pointer.live if change.pointer else to
            rejected = [version for version, _ in change.statuses]
        else:
            target, rejected = rollback_aws(registry, to, reason)
    except RegistryError as error:
        raise fail(str(error), EXIT_FAILED) from None
    typer.echo(f"live version: {target}; rejected: {', '.join(map(str, rejected)) or 'none'}")
    if settings.backend == "aws":
        typer.echo(
            "the promoter moves the serving alias on the rejection events (seconds); see `models history`"
        )


def rollback_aws(registry: Any, to: int | None, reason: str) -> tuple[int, list[int]]:
    """Reject every Approved version newer than the target, with the reason as ApprovalDescription."""
    approved = sorted(v.version for v in registry.list_versions() if v.status == "Approved")
    if not approved:
        raise RegistryError("no version is Approved, so nothing is live to roll back")
    live = approved[-1]
    target = to if to is not None else next(iter(reversed(approved[:-1])), None)
    if target is None or target not in approved or target >= live:
        raise RegistryError(
            f"cannot roll back to v{target}: pick an Approved version older than live v{live} "
            f"(Approved: {approved}); approve it first if it was rejected"
        )
    why = reason or f"rolled back to v{target}"
    newer = [version for version in approved if version > target]
    for version in newer:  # live last: until then the promoter's newest Approved version stays live
        registry.set_status(version, "Rejected", reason=why)
    return target, newer
