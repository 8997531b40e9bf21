"""`mlpipe run`: execute the training pipeline on a CSV and register the model if it passes the gate."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from pipeline.cli.app import app
from pipeline.cli.champion import champion_line, with_champion
from pipeline.cli.options import EXIT_FAILED, EXIT_USAGE, BackendName, BackendOption, fail, settings_for
from pipeline.cli.output import console
from pipeline.cli.project import ConfigOption, NameOption, model_settings, project_or_fail, say_state_folder
from pipeline.cli.report import locations_in, readable_location, run_report_uri
from pipeline.engine import EngineError, ParameterError, PipelineFailed, RichProgress, RunResult
from pipeline.local_run import InputError, run_locally
from pipeline.parameters import parameters_help, parse_assignments
from runtime.registry.base import RegistryError
from runtime.settings import REGISTRY_FILE, model_name, open_registry, open_store
from runtime.store.base import StoreError
from runtime.store.local import LOCAL_BUCKET

NOTHING_REGISTERED = "nothing was registered"


def metrics_table(metrics: dict[str, float]) -> Table:
    """Metric name and value, one row each."""
    table = Table("metric", "value")
    for name, value in sorted(metrics.items()):
        table.add_row(name, f"{value:.4f}")
    return table


def _report(result: RunResult, out: Console) -> None:
    if not result.registered:
        out.print(f"run {result.execution_id} finished; its definition registers no model")
        return
    for version in result.registered:
        out.print(f"registered version {version.version} of {version.group} ({version.status})")
        out.print(metrics_table(version.metrics))
        out.print(
            f"approve it with: mlpipe models approve {version.version} --name {model_name(version.group)}"
        )
    out.print(f"run folder: {result.run_dir}", soft_wrap=True)


def cached_steps_line(result: RunResult) -> str:
    """Which steps reused earlier outputs ("" when every step ran): `mlpipe run --no-cache` runs them."""
    cached = [f"{step.name} (run {step.cached_from})" for step in result.steps if step.cached_from]
    return f"from the cache: {', '.join(cached)}; --no-cache runs every step" if cached else ""


@app.command(epilog=parameters_help())
def run(
    *,
    train: Annotated[
        Path | None,
        typer.Option(help="labelled training CSV (stored as the TrainFile parameter); required locally"),
    ] = None,
    test: Annotated[
        Path | None, typer.Option(help="optional labelled CSV to evaluate on; default: the validation split")
    ] = None,
    param: Annotated[
        list[str] | None,
        typer.Option(
            "--param", "-p", help="override a pipeline parameter as Name=Value, e.g. MaxDepth=5; repeatable"
        ),
    ] = None,
    target: Annotated[
        str | None, typer.Option(help="binary (0/1) label column; default: mlpipe.toml's target")
    ] = None,
    name: NameOption = None,
    config: ConfigOption = None,
    backend: BackendOption = None,
    no_wait: Annotated[
        bool, typer.Option("--no-wait", help="AWS only: start the execution and return without following it")
    ] = False,
    no_cache: Annotated[
        bool,
        typer.Option(
            "--no-cache",
            help="locally: run every step, even those whose arguments, data and code are unchanged",
        ),
    ] = False,
) -> None:
    """Run the pipeline (preprocess, train, evaluate, gate, register) and print the new version's metrics.

    Unchanged steps reuse the outputs of an earlier run (step caching, 30 days); the output says which.
    With --backend aws the deployed SageMaker pipeline runs instead: upload inputs first with
    `mlpipe data upload`, then pass the key it prints, `--param TrainFile=sha256/<digest>/<name>`.
    """
    project = project_or_fail(config)
    from_config = {**project.parameters, **({"Target": target} if target is not None else {})}
    if settings_for(backend, discover_group=False).backend == BackendName.aws.value:
        if no_cache:
            raise fail("--no-cache is local only: on AWS the deployed definition sets caching", EXIT_USAGE)
        assignments = [f"{key}={value}" for key, value in from_config.items()] + (param or [])
        from pipeline.cli.cloud import run_on_aws  # noqa: PLC0415 - boto3 only for AWS runs

        # The config's name too: a penguins mlpipe.toml must not train into the deployed titanic group.
        raise typer.Exit(run_on_aws(assignments, wait=not no_wait, name=name or project.name))
    if train is None:
        raise fail("give the labelled training CSV with --train FILE.csv", EXIT_USAGE)
    settings = model_settings(backend, name, project, new=True)
    say_state_folder(settings)
    try:
        overrides = {**from_config, **parse_assignments(param or [])}
        # Read-only, and only when a registry exists: looking up the champion must neither create state
        # before the inputs are checked nor need disk space (issue 18 item 11).
        has_registry = (settings.home / REGISTRY_FILE).exists()
        registry = open_registry(settings, read_only=True) if has_registry else None
        overrides, live = with_champion(overrides, registry)
        console().print(champion_line(live))
        result = run_locally(
            settings,
            train=train,
            test=test,
            overrides=overrides,
            progress=RichProgress(),
            use_cache=not no_cache,
        )
    except (ParameterError, InputError) as error:
        raise fail(str(error), EXIT_USAGE) from None
    except PipelineFailed as failed:
        reports = "".join(
            f"\nreport: {where}" for where in locations_in(failed.message, open_store(settings))
        )
        raise fail(f"step {failed.step}: {failed.message}{reports}") from None
    except (EngineError, StoreError, RegistryError) as error:
        raise fail(f"{error}\n{NOTHING_REGISTERED}", EXIT_FAILED) from None
    if cached_steps_line(result):
        console().print(cached_steps_line(result), highlight=False, soft_wrap=True)
    _report(result, console())
    report_uri = run_report_uri(LOCAL_BUCKET, settings.model_package_group, result.execution_id)
    console().print(f"report: {readable_location(open_store(settings), report_uri)}", soft_wrap=True)
