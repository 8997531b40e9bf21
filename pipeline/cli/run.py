"""`mlpipe run`: execute the training pipeline on a CSV and register the model if it passes the gate."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from pipeline.cli.app import app
from pipeline.cli.cloud import run_on_aws
from pipeline.cli.options import EXIT_FAILED, EXIT_USAGE, BackendName, BackendOption, fail, settings_for
from pipeline.cli.output import console
from pipeline.engine import EngineError, ParameterError, PipelineFailed, RichProgress, RunResult
from pipeline.engine.params import parse_assignments
from pipeline.local_run import InputError, run_locally
from runtime.registry.base import RegistryError
from runtime.store.base import StoreError

DEFAULT_TRAIN = Path("data/titanic/train.csv")
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
        out.print(f"approve it with: mlpipe models approve {version.version}")
    out.print(f"run folder: {result.run_dir}", soft_wrap=True)


@app.command()
def run(
    train: Annotated[Path, typer.Option(help="labelled training CSV (stored as the TrainFile parameter)")] = (
        DEFAULT_TRAIN
    ),
    test: Annotated[
        Path | None, typer.Option(help="optional labelled CSV to evaluate on; default: the validation split")
    ] = None,
    param: Annotated[
        list[str] | None,
        typer.Option(
            "--param", "-p", help="override a pipeline parameter as Name=Value, e.g. MaxDepth=5; repeatable"
        ),
    ] = None,
    backend: BackendOption = None,
    no_wait: Annotated[
        bool, typer.Option("--no-wait", help="AWS only: start the execution and return without following it")
    ] = False,
) -> None:
    """Run the pipeline (preprocess, train, evaluate, gate, register) and print the new version's metrics.

    With --backend aws the deployed SageMaker pipeline runs instead: upload inputs first with
    `mlpipe data upload`, then pass `--param TrainFile=<name>`.
    """
    settings = settings_for(backend, discover_group=False)
    if settings.backend == BackendName.aws.value:
        raise typer.Exit(run_on_aws(param or [], wait=not no_wait))
    try:
        overrides = parse_assignments(param or [])
        result = run_locally(settings, train=train, test=test, overrides=overrides, progress=RichProgress())
    except (ParameterError, InputError) as error:
        raise fail(str(error), EXIT_USAGE) from None
    except PipelineFailed as failed:
        raise fail(f"step {failed.step}: {failed.message}") from None
    except (EngineError, StoreError, RegistryError) as error:
        raise fail(f"{error}\n{NOTHING_REGISTERED}", EXIT_FAILED) from None
    _report(result, console())
