"""`mlpipe status` on the local backend: the state folder, each model with its live version, the last runs.

Read-only: a state folder that does not exist is reported, never created.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

from pipeline.content_keys import display_name
from runtime.registry.base import ModelVersion
from runtime.settings import Settings, model_name, open_registry


def _live(versions: list[ModelVersion]) -> int | None:
    approved = [v.version for v in versions if v.status == "Approved"]
    return approved[-1] if approved else None


def _run_summary(run_file: Path) -> dict[str, Any]:
    try:
        record = json.loads(run_file.read_text())
    except (OSError, ValueError):
        return {"execution_id": run_file.parent.name, "status": "unreadable"}
    steps = record.get("steps", [])
    failed = [step["name"] for step in steps if step.get("status") == "failed"]
    registered = record.get("registered", [])
    status = f"failed at {failed[0]}" if failed else ("registered" if registered else "finished")
    train_key = str(record.get("parameters", {}).get("TrainFile", ""))
    return {
        "execution_id": record.get("execution_id", run_file.parent.name),
        "status": status,
        "train_file": display_name(train_key),  # the content key's file name, as the user named it
        "train_key": train_key,
    }


def local_status(settings: Settings, groups: list[str], runs: int) -> dict[str, Any]:
    """What `mlpipe status --json` prints locally."""
    models = []
    for group in groups:
        versions = open_registry(replace(settings, model_package_group=group)).list_versions()
        models.append(
            {"name": model_name(group), "group": group, "versions": len(versions), "live": _live(versions)}
        )
    run_files = sorted((settings.home / "runs").glob("*/run.json"), reverse=True)[:runs]
    return {
        "backend": "local",
        "state_folder": str(settings.home),
        "exists": settings.home.is_dir(),
        "models": models,
        "runs": [_run_summary(path) for path in run_files],
    }
