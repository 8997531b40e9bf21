"""`mlpipe monitor`: the drift table of the live version and its HTML report; `monitor labels FILE`:
live accuracy/AUC from delayed ground truth, next to the evaluation's figures (docs/monitoring.md)."""

from __future__ import annotations

import csv
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from pipeline.aws.errors import CloudError
from pipeline.aws.outputs import load_deployed_stack
from pipeline.cli.app import app
from pipeline.cli.options import EXIT_FAILED, BackendOption, fail
from pipeline.cli.output import wide_console
from pipeline.cli.project import ConfigOption, NameOption, local_state_exists, model_settings, project_or_fail
from pipeline.cli.report import readable_location
from runtime.monitoring.check import NothingToCheck, live_version, run_drift_check, write_report
from runtime.monitoring.labels import REQUEST_ID, join_labels, live_quality
from runtime.monitoring.report import HEADERS, cells
from runtime.monitoring.window import read_window
from runtime.registry.base import RegistryError
from runtime.settings import Settings, model_name, open_registry, open_store
from runtime.store.base import StoreError
from runtime.store.local import LOCAL_BUCKET

monitor_app = typer.Typer(help="Drift of the live model against its training baseline; live accuracy.")
app.add_typer(monitor_app, name="monitor")
HoursOption = Annotated[float, typer.Option("--hours", min=0.001, help="window: the last HOURS of captures")]


def _bucket(settings: Settings) -> str:
    if settings.backend == "local":
        return LOCAL_BUCKET
    try:
        return load_deployed_stack().artifact_bucket
    except CloudError as error:
        raise fail(str(error)) from None


def _settings(name: str | None, config: Path | None, backend: BackendOption) -> Settings:
    settings = model_settings(backend, name, project_or_fail(config))
    if not local_state_exists(settings):
        raise fail(f"nothing is registered in {settings.home}; train a model with `mlpipe run`", EXIT_FAILED)
    return settings


@monitor_app.callback(invoke_without_command=True)
def monitor(
    ctx: typer.Context,
    name: NameOption = None,
    config: ConfigOption = None,
    backend: BackendOption = None,
    hours: HoursOption = 24.0,
) -> None:
    """Compare the last HOURS of captured requests with the live version's baseline; write the report."""
    if ctx.invoked_subcommand is not None:
        return
    settings = _settings(name, config, backend)
    store = open_store(settings)
    try:
        check = run_drift_check(
            open_registry(settings),
            store,
            bucket=_bucket(settings),
            name=model_name(settings.model_package_group),
            end=datetime.now(UTC),
            hours=hours,
        )
        uri = write_report(store, check)
    except NothingToCheck as nothing:
        raise fail(str(nothing)) from None
    except (RegistryError, StoreError, ValueError) as error:
        raise fail(str(error)) from None
    table = Table(
        *HEADERS, title=f"{check.name} v{check.version.version}: {check.report.rows} captured records"
    )
    for column in [*check.report.columns, *([check.report.prediction] if check.report.prediction else [])]:
        table.add_row(*cells(column), style="red" if column.drifted else None)
    out = wide_console()
    out.print(table)
    if not check.report.enough_rows:
        out.print(f"too few records for a verdict (at least {check.report.thresholds.min_rows})")
    out.print(f"report: {readable_location(store, uri)}", soft_wrap=True)


@monitor_app.command("labels")
def labels(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="CSV of delayed ground truth")],
    *,
    key: Annotated[
        str, typer.Option("--key", help="join column: request_id (with instance), or a captured input")
    ] = REQUEST_ID,
    label: Annotated[str | None, typer.Option("--label", help="truth column  [default: the target]")] = None,
    name: NameOption = None,
    config: ConfigOption = None,
    backend: BackendOption = None,
    hours: HoursOption = 24.0 * 30,
) -> None:
    """Join FILE's labels to the captured predictions; live accuracy and AUC against the evaluation."""
    project = project_or_fail(config)
    settings = _settings(name, config, backend)
    truth_column = label or project.parameters.get("Target") or "label"
    try:
        version = live_version(open_registry(settings), model_name(settings.model_package_group))
        end = datetime.now(UTC)
        window = read_window(
            open_store(settings),
            _bucket(settings),
            model_name(settings.model_package_group),
            start=end - timedelta(hours=hours),
            end=end,
        )
        with file.open(newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        quality = live_quality(*join_labels(window.records, rows, label=truth_column, key=key))
    except (NothingToCheck, RegistryError, StoreError, ValueError) as error:
        raise fail(str(error)) from None
    table = Table("metric", "live", f"evaluation (v{version.version})")
    evaluated = version.metrics
    table.add_row("accuracy", f"{quality.accuracy:.4f}", _figure(evaluated.get("accuracy")))
    table.add_row(
        "auc", "n/a" if quality.auc is None else f"{quality.auc:.4f}", _figure(evaluated.get("auc"))
    )
    out = wide_console()
    out.print(table)
    out.print(f"{quality.joined} labels joined, {quality.unmatched_labels} unmatched (key {key!r})")


def _figure(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.4f}"
