"""`mlpipe runs clean --keep N` deletes old runs' folders, never a run in progress nor one whose files a
registered version points to; `mlpipe runs list/show` read the run folders."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli.commands import app
from runtime.registry.base import Registration
from runtime.registry.sqlite import SqliteModelRegistry

BUCKET_RUNS = Path("s3") / "mlpipe-local" / "runs"
GROUP = "mlpipe-m"
# runs/<group>/<id>/ (pipeline/definition/layout.py), or runs/<id>/ for runs made before the group level.
LAYOUTS = {"grouped": Path(GROUP), "earlier": Path()}


def make_run(
    home: Path, run_id: str, *, status: str = "succeeded", pid: int | None = None, layout: str = "grouped"
) -> None:
    folder = home / "runs" / run_id
    (folder / "logs").mkdir(parents=True)
    (folder / "logs" / "Train.log").write_text("training\n")
    steps = [
        {
            "name": "Train",
            "type": "Training",
            "status": "failed" if status == "failed" else "succeeded",
            "seconds": 1.0,
        }
    ]
    record = {
        "execution_id": run_id,
        "status": status,
        "pid": pid,
        "model_package_group": "mlpipe-m",
        "steps": steps,
    }
    (folder / "run.json").write_text(json.dumps(record))
    outputs = home / BUCKET_RUNS / LAYOUTS[layout] / run_id / "train"
    outputs.mkdir(parents=True)
    (outputs / "model.tar.gz").write_bytes(b"model of " + run_id.encode())


def register(home: Path, run_id: str, layout: str = "grouped") -> None:
    SqliteModelRegistry(home / "registry.db", GROUP).register_version(
        Registration(
            artifact_uri=f"s3://mlpipe-local/runs/{(LAYOUTS[layout] / run_id).as_posix()}/train/model.tar.gz",
            sha256="0" * 64,
            metrics={"accuracy": 0.8},
            parameters={},
            input_schema={},
            output_schema={},
        )
    )


def mlpipe(home: Path, *args: str):
    env = {"MLPIPE_HOME": str(home), "MLPIPE_BACKEND": "local", "MODEL_PACKAGE_GROUP": ""}
    return CliRunner().invoke(app, list(args), env=env)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_clean_keeps_the_newest_the_running_and_the_registered_runs(tmp_path: Path, layout: str):
    home = tmp_path / "home"
    make_run(home, "20250101T000000Z-aaaaaa", layout=layout)  # old, registered a version
    make_run(home, "20250102T000000Z-bbbbbb", status="failed", layout=layout)  # old, failed: goes
    make_run(home, "20250103T000000Z-cccccc", status="running", pid=os.getpid(), layout=layout)  # running
    make_run(home, "20250104T000000Z-dddddd", status="running", pid=None, layout=layout)  # killed: goes
    make_run(home, "20250105T000000Z-eeeeee", layout=layout)  # newest
    register(home, "20250101T000000Z-aaaaaa", layout)

    result = mlpipe(home, "runs", "clean", "--keep", "1")

    assert result.exit_code == 0, result.output
    left = sorted(p.name for p in (home / "runs").iterdir())
    assert left == ["20250101T000000Z-aaaaaa", "20250103T000000Z-cccccc", "20250105T000000Z-eeeeee"]
    assert sorted(p.name for p in (home / BUCKET_RUNS / LAYOUTS[layout]).iterdir()) == left
    assert (home / BUCKET_RUNS / LAYOUTS[layout] / "20250101T000000Z-aaaaaa/train/model.tar.gz").is_file()
    assert "holds the artifact of mlpipe-m version 1" in result.output
    assert "in progress" in result.output


def test_dry_run_deletes_nothing(tmp_path: Path):
    home = tmp_path / "home"
    make_run(home, "20250101T000000Z-aaaaaa")
    make_run(home, "20250102T000000Z-bbbbbb")

    result = mlpipe(home, "runs", "clean", "--keep", "0", "--dry-run")

    assert result.exit_code == 0, result.output
    assert "would delete 2 run(s)" in result.output
    assert len(list((home / "runs").iterdir())) == 2


def test_list_and_show_report_failed_and_interrupted_runs(tmp_path: Path):
    home = tmp_path / "home"
    make_run(home, "20250102T000000Z-bbbbbb", status="failed")
    make_run(home, "20250104T000000Z-dddddd", status="running", pid=None)

    listed = json.loads(mlpipe(home, "runs", "list", "--json").stdout)
    shown = mlpipe(home, "runs", "show", "20250102T000000Z-bbbbbb")

    assert [(r["run_id"], r["status"]) for r in listed] == [
        ("20250104T000000Z-dddddd", "interrupted"),
        ("20250102T000000Z-bbbbbb", "failed"),
    ]
    assert shown.exit_code == 0 and "log of Train" in shown.stdout and "training" in shown.stdout
    assert mlpipe(home, "runs", "show", "nope").exit_code == 1


def test_runs_and_status_show_the_file_name_of_a_content_key(tmp_path: Path):
    home = tmp_path / "home"
    make_run(home, "20250101T000000Z-aaaaaa")
    key = f"sha256/{'ab' * 32}/titanic.csv"
    record_file = home / "runs" / "20250101T000000Z-aaaaaa" / "run.json"
    record_file.write_text(
        json.dumps({**json.loads(record_file.read_text()), "parameters": {"TrainFile": key}})
    )

    table = mlpipe(home, "runs", "list")
    [listed] = json.loads(mlpipe(home, "runs", "list", "--json").stdout)
    [status_run] = json.loads(mlpipe(home, "status", "--json").stdout)["runs"]

    assert table.exit_code == 0, table.output
    assert "titanic.csv" in table.output
    assert "sha256/" not in table.output
    # JSON keeps the key itself too: the value to train on the same data again.
    assert (listed["train_file"], listed["train_key"]) == ("titanic.csv", key)
    assert (status_run["train_file"], status_run["train_key"]) == ("titanic.csv", key)
