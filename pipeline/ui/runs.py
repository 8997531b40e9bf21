"""Local runs as the engine leaves them: `$MLPIPE_HOME/runs/<id>/run.json` and `logs/<step>.log`.

The engine rewrites run.json before the first step and after each one (pipeline/engine/runner.py), with
the running process's pid: a run marked running whose process is gone was killed ("interrupted").
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.content_keys import display_name
from runtime.settings import model_name
from runtime.store.temp_files import process_alive

RUNS_FOLDER = "runs"
LOG_TAIL_BYTES = 64 * 1024  # what a page shows of a log; the whole file is one link away


@dataclass(frozen=True, kw_only=True)
class StepView:
    """One step of a run: how it ended (or that it is running), its duration, where its log is."""

    name: str
    type: str = ""
    status: str
    seconds: float | None = None
    failure: str = ""
    log_hint: str = ""  # AWS: where the job's logs are; locally the log is served by the UI
    job_name: str = ""  # AWS: the job's name as created, which names its log streams


@dataclass(frozen=True, kw_only=True)
class RunView:
    """One pipeline execution, local or on SageMaker."""

    run_id: str
    status: str  # running | succeeded | failed | interrupted | Executing | Succeeded | ...
    started: str = ""
    model: str = ""
    group: str = ""  # the model package group, which names the run's folder in the bucket
    train_file: str = ""  # the user's file name (display_name of the key)
    train_key: str = ""  # the TrainFile value itself (sha256/<digest>/<name>), to run on it again
    registered: list[int] = field(default_factory=list)
    steps: list[StepView] = field(default_factory=list)
    failure: str = ""
    pid: int | None = None

    @property
    def in_progress(self) -> bool:
        return self.status in {"running", "Executing", "Starting", "Stopping"}


def runs_folder(home: Path) -> Path:
    return home / RUNS_FOLDER


def _status(record: dict[str, Any], steps: list[StepView]) -> str:
    recorded = str(record.get("status", ""))
    if recorded == "running":
        return "running" if process_alive(record.get("pid")) else "interrupted"
    if recorded:
        return recorded
    # run.json written before the engine recorded a status: the steps tell the outcome.
    return "failed" if any(step.status == "failed" for step in steps) else "succeeded"


def _running_step(folder: Path, finished: set[str]) -> StepView | None:
    """The step whose log is being written and that has no record yet."""
    logs = [log for log in (folder / "logs").glob("*.log") if log.stem not in finished]
    if not logs:
        return None
    newest = max(logs, key=lambda log: log.stat().st_mtime)
    return StepView(name=newest.stem, status="running")


def read_run(folder: Path) -> RunView:
    """The run in `folder`; a folder without a readable run.json reads as interrupted."""
    try:
        record = json.loads((folder / "run.json").read_text())
    except (OSError, ValueError):
        return RunView(run_id=folder.name, status="interrupted", failure="run.json is missing or unreadable")
    steps = [
        StepView(
            name=str(step.get("name", "")),
            type=str(step.get("type", "")),
            status=str(step.get("status", "")),
            seconds=step.get("seconds"),
        )
        for step in record.get("steps", [])
    ]
    status = _status(record, steps)
    if status == "running":
        current = _running_step(folder, {step.name for step in steps})
        steps += [current] if current else []
    parameters = record.get("parameters", {})
    group = str(record.get("model_package_group", ""))
    return RunView(
        run_id=str(record.get("execution_id", folder.name)),
        status=status,
        started=str(record.get("started", "")),
        model=model_name(group),
        group=group,
        train_file=display_name(str(parameters.get("TrainFile", ""))),
        train_key=str(parameters.get("TrainFile", "")),
        registered=[int(v) for v in record.get("registered", [])],
        steps=steps,
        pid=record.get("pid"),
    )


def list_runs(home: Path) -> list[RunView]:
    """Every run folder, newest first (run ids start with their UTC start time)."""
    folder = runs_folder(home)
    if not folder.is_dir():
        return []
    return [read_run(path) for path in sorted(folder.iterdir(), reverse=True) if path.is_dir()]


def run_folder(home: Path, run_id: str) -> Path:
    """The folder of `run_id`; FileNotFoundError for an unknown id or one that would leave runs/."""
    folder = runs_folder(home) / run_id
    if "/" in run_id or run_id in {"", ".", ".."} or not folder.is_dir():
        raise FileNotFoundError(
            f"no run {run_id!r} in {runs_folder(home)}; list them with `mlpipe runs list`"
        )
    return folder


def read_log(home: Path, run_id: str, step: str, limit: int | None = LOG_TAIL_BYTES) -> str:
    """The step's log (its last `limit` bytes); "" when the step wrote none."""
    logs = run_folder(home, run_id) / "logs"
    path = logs / f"{step}.log"
    if path.parent != logs or not path.is_file():
        return ""
    data = path.read_bytes()
    if limit is not None and len(data) > limit:
        data = b"[...]\n" + data[-limit:]
    return data.decode("utf-8", errors="replace")
