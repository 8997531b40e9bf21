"""`mlpipe runs clean --keep N`: which local run folders may go, and which must stay and why.

A run writes two folders: its work folder `$MLPIPE_HOME/runs/<id>/` (step work copies, logs, run.json)
and its prefix in the local bucket `$MLPIPE_HOME/s3/mlpipe-local/runs/<group>/<id>/` (split data, model,
report; `runs/<id>/` for runs made before the group level, pipeline/definition/layout.py). Registered
versions point into the second one (artifact, report), so a run whose prefix holds anything a registered
version points to is kept whole, as is a run in progress.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.definition.layout import RUNS_FOLDER, STEP_FOLDERS
from pipeline.ui.runs import RunView, list_runs, runs_folder
from runtime.registry.base import ModelVersion
from runtime.settings import GROUP_NAME
from runtime.store.base import StoreError
from runtime.store.local import LOCAL_BUCKET, LocalArtifactStore


@dataclass(kw_only=True)
class CleanPlan:
    """Run ids to delete with their folders, and run ids kept with the reason."""

    delete: dict[str, list[Path]] = field(default_factory=dict)
    kept: dict[str, str] = field(default_factory=dict)


def referenced_paths(home: Path, versions: Iterable[ModelVersion]) -> dict[Path, str]:
    """Local files registered versions point to (artifact, report, code) -> which version."""
    store = LocalArtifactStore(home)
    found: dict[Path, str] = {}
    for version in versions:
        owner = f"{version.group} version {version.version}"
        uris = [version.artifact_uri, version.report_uri, *version.code_version.values()]
        for uri in uris:
            if uri.startswith(f"s3://{LOCAL_BUCKET}/"):
                try:
                    found[store.path_for(uri)] = owner
                except StoreError:
                    continue
    return found


def _owner_inside(folders: list[Path], referenced: dict[Path, str]) -> str:
    for path, owner in referenced.items():
        if any(path.is_relative_to(folder) for folder in folders):
            return owner
    return ""


def run_folders(home: Path, run: RunView) -> list[Path]:
    """The run's work folder and its folder in the local bucket, in either layout."""
    bucket_runs = home / "s3" / LOCAL_BUCKET / RUNS_FOLDER
    earlier = bucket_runs / run.run_id
    # Only a folder holding step outputs is a run's: never a model's folder named like the run.
    is_run = earlier.is_dir() and any((earlier / step).is_dir() for step in STEP_FOLDERS)
    folders = [runs_folder(home) / run.run_id, *([earlier] if is_run else [])]
    # run.json is a file anyone can edit: a group that is not a group name never names a folder to delete.
    grouped = [bucket_runs / run.group / run.run_id] if GROUP_NAME.fullmatch(run.group) else []
    return folders + grouped


def plan_clean(home: Path, keep: int, versions: Iterable[ModelVersion]) -> CleanPlan:
    """Keep the newest `keep` runs, runs in progress and runs holding a registered version's files."""
    home = home.resolve()
    referenced = referenced_paths(home, versions)
    plan = CleanPlan()
    for index, run in enumerate(list_runs(home)):
        folders = run_folders(home, run)
        owner = _owner_inside(folders, referenced)
        if index < keep:
            plan.kept[run.run_id] = f"one of the newest {keep}"
        elif run.in_progress:
            plan.kept[run.run_id] = f"in progress (pid {run.pid})"
        elif owner:
            plan.kept[run.run_id] = f"holds the artifact of {owner}"
        else:
            plan.delete[run.run_id] = [folder for folder in folders if folder.exists()]
    return plan


def folder_bytes(folders: Iterable[Path]) -> int:
    return sum(p.stat().st_size for folder in folders for p in folder.rglob("*") if p.is_file())


def apply_clean(plan: CleanPlan) -> None:
    for folders in plan.delete.values():
        for folder in folders:
            shutil.rmtree(folder)
