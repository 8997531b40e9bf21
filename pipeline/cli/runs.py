"""`mlpipe runs list | show RUN | clean --keep N`: the local pipeline runs in the state folder."""

from __future__ import annotations

import json
from dataclasses import asdict, replace
from typing import Annotated

import typer
from rich.table import Table

from pipeline.cli.app import app
from pipeline.cli.options import EXIT_FAILED, EXIT_USAGE, fail, settings_for
from pipeline.cli.output import console, wide_console
from pipeline.cli.project import registered_groups
from pipeline.ui.clean import apply_clean, folder_bytes, plan_clean
from pipeline.ui.runs import list_runs, read_log, read_run, run_folder
from runtime.registry.base import ModelVersion, RegistryError
from runtime.settings import Settings, open_registry

runs_app = typer.Typer(
    help="List, inspect and clean the local pipeline runs (MLPIPE_HOME/runs).", no_args_is_help=True
)
app.add_typer(runs_app, name="runs")
JsonOption = Annotated[bool, typer.Option("--json", help="print JSON instead of a table")]


def _local() -> Settings:
    settings = settings_for(None, discover_group=False)
    if settings.backend != "local":
        raise fail(
            "`mlpipe runs` reads the local state folder; on AWS use `mlpipe ui --backend aws`", EXIT_USAGE
        )
    console(stderr=True).print(f"state folder: {settings.home} (MLPIPE_HOME)", soft_wrap=True)
    return settings


@runs_app.command("list")
def list_command(as_json: JsonOption = False) -> None:
    """Every run, newest first, failed and interrupted ones included."""
    runs = list_runs(_local().home)
    if as_json:
        typer.echo(json.dumps([asdict(run) for run in runs], indent=2))
        return
    table = Table("run", "status", "model", "started", "data", "registered")
    for run in runs:
        registered = ", ".join(str(v) for v in run.registered) or "-"
        table.add_row(run.run_id, run.status, run.model or "-", run.started, run.train_file, registered)
    wide_console().print(table)


@runs_app.command()
def show(
    run: Annotated[str, typer.Argument(help="run id, as `mlpipe runs list` shows")],
    as_json: JsonOption = False,
) -> None:
    """One run: each step's status and duration, and the log of a failed or running step."""
    home = _local().home
    try:
        view = read_run(run_folder(home, run))
    except FileNotFoundError as error:
        raise fail(str(error), EXIT_FAILED) from None
    if as_json:
        typer.echo(json.dumps(asdict(view), indent=2))
        return
    out = wide_console()
    out.print(f"run {view.run_id}: {view.status} (model {view.model or '-'}, data {view.train_file or '-'})")
    table = Table("step", "status", "seconds", "log")
    for step in view.steps:
        seconds = f"{step.seconds:.1f}" if step.seconds is not None else "-"
        table.add_row(
            step.name, step.status, seconds, str(run_folder(home, run) / "logs" / f"{step.name}.log")
        )
    out.print(table)
    for step in view.steps:
        if step.status in {"failed", "running"}:
            out.print(f"--- log of {step.name} (last lines) ---")
            out.print(read_log(home, run, step.name, limit=4096))


def _all_versions(settings: Settings) -> list[ModelVersion]:
    try:
        return [
            version
            for group in registered_groups(settings)
            for version in open_registry(replace(settings, model_package_group=group)).list_versions()
        ]
    except RegistryError as error:
        raise fail(f"cannot read the registry, so nothing is deleted: {error}", EXIT_FAILED) from None


@runs_app.command()
def clean(
    keep: Annotated[int, typer.Option("--keep", min=0, help="how many of the newest runs to keep")] = 10,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="say what would be deleted, delete nothing")
    ] = False,
) -> None:
    """Delete old runs' folders (MLPIPE_HOME/runs/<id> and the run's files in the local bucket).

    Always kept: the newest --keep runs, any run in progress, and any run whose files a registered
    version points to (its model artifact, report or code), whatever its age or status.
    """
    settings = _local()
    plan = plan_clean(settings.home, keep, _all_versions(settings))
    for run, reason in plan.kept.items():
        if not reason.startswith("one of the newest"):
            console().print(f"kept {run}: {reason}")
    freed = sum(folder_bytes(folders) for folders in plan.delete.values())
    verb = "would delete" if dry_run else "deleted"
    for run in plan.delete:
        console().print(f"{verb} {run}")
    if not dry_run:
        apply_clean(plan)
    console().print(f"{verb} {len(plan.delete)} run(s), {freed / 1e6:.1f} MB; kept {len(plan.kept)}")
