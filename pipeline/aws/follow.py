"""Follow a SageMaker pipeline execution to its end with a live step table; Ctrl-C offers to stop it."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from rich.console import Console
from rich.live import Live
from rich.markup import escape
from rich.prompt import Confirm
from rich.table import Table

from pipeline.aws.execution import StepState, execution_status, list_steps, stop_execution, with_job_name
from pipeline.cli.output import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_SUCCEEDED

TERMINAL_STATUSES = frozenset({"Succeeded", "Failed", "Stopped", "CompletedWithFailures"})
_STYLES = {
    "Succeeded": "green",
    "Failed": "red",
    "Stopped": "yellow",
    "Stopping": "yellow",
    "Executing": "cyan",
    "Starting": "cyan",
}


def render_steps(execution_arn: str, status: str, steps: list[StepState]) -> Table:
    """The live table: one row per step with its status, duration and failure reason."""
    table = Table(title=f"{execution_arn.rsplit('/', 1)[-1]}: [{_STYLES.get(status, 'white')}]{status}")
    for column in ("step", "status", "duration", "reason"):
        table.add_column(column)
    for step in steps:
        duration = f"{step.duration_s:.0f} s" if step.duration_s is not None else ""
        style = _STYLES.get(step.status, "white")
        table.add_row(
            escape(step.name), f"[{style}]{step.status}", duration, escape(step.failure_reason[:80])
        )
    return table


def report_failure(console: Console, status: str, reason: str, steps: list[StepState]) -> None:
    """Print why the execution ended badly: its reason, then each failed step's reason and logs."""
    console.print(f"[red]execution {status}[/red]" + (f": {escape(reason)}" if reason else ""))
    for step in steps:
        if step.status != "Failed":
            continue
        why = escape(step.failure_reason or "no reason given")
        console.print(f"[red]step {escape(step.name)} failed[/red]: {why}")
        if step.log_location():
            # soft_wrap keeps the command on one line, ready to copy.
            console.print(f"  logs: {step.log_location()}", soft_wrap=True, markup=False)
            console.print(f"  print them: {step.log_command()}", soft_wrap=True, markup=False)
        elif step.job_arn:
            console.print(f"  job {step.job_arn} could not be described; no log hint", markup=False)


def _poll_until_done(
    sagemaker: Any, execution_arn: str, console: Console, poll_seconds: float, sleep: Callable[[float], None]
) -> tuple[str, str, list[StepState]]:
    try:
        with Live(render_steps(execution_arn, "Starting", []), console=console, auto_refresh=False) as live:
            while True:
                status, reason = execution_status(sagemaker, execution_arn)
                steps = list_steps(sagemaker, execution_arn)
                live.update(render_steps(execution_arn, status, steps), refresh=True)
                if status in TERMINAL_STATUSES:
                    return status, reason, steps
                sleep(poll_seconds)
    finally:
        console.line()  # Live leaves the cursor at the end of the table's last line


def follow_execution(
    sagemaker: Any,
    execution_arn: str,
    *,
    console: Console,
    poll_seconds: float = 10.0,
    sleep: Callable[[float], None] = time.sleep,
    confirm: Callable[[str], bool] = Confirm.ask,
) -> int:
    """Poll until the execution ends; returns the exit code (0 succeeded, 1 failed or stopped, 130 Ctrl-C)."""
    try:
        status, reason, steps = _poll_until_done(sagemaker, execution_arn, console, poll_seconds, sleep)
    except KeyboardInterrupt:
        if confirm(f"Stop the execution {execution_arn.rsplit('/', 1)[-1]} on SageMaker?"):
            stop_execution(sagemaker, execution_arn)
            console.print("stop requested; running jobs are being stopped (see `mlpipe status`)")
        else:
            console.print("left running; follow it with `mlpipe status` or the SageMaker console")
        return EXIT_INTERRUPTED
    if status == "Succeeded":
        console.print(
            "[green]execution succeeded[/green]; list the new version with `mlpipe models list --backend aws`"
        )
        return EXIT_SUCCEEDED
    failed = [with_job_name(sagemaker, step) if step.status == "Failed" else step for step in steps]
    report_failure(console, status, reason, failed)
    return EXIT_FAILED
