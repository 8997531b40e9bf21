"""`mlpipe run` under concurrency, a kill in the middle of Train, bad data, and a changed artifact.

Broken files already covered by tests/integration/cli/test_run.py (no target column, a non-numeric
Age, an empty file) are not repeated here.
"""

from __future__ import annotations

import csv
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import pytest

from lambda_inference.handler import handle_event
from lambda_inference.model_loader import ModelLoader
from runtime.settings import REGISTRY_FILE
from tests.integration.cli.conftest import TITANIC_CONFIG, TITANIC_TRAIN, Mlpipe

pytestmark = pytest.mark.slow
# The console script next to this interpreter: the command a user runs.
MLPIPE = [str(Path(sys.executable).parent / "mlpipe")]
FAST = ["-p", "NumRound=20"]


def start_run(home: Path, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "MLPIPE_HOME": str(home), "MLPIPE_BACKEND": "local", "MODEL_PACKAGE_GROUP": ""}
    # The Titanic example config names the model and its target, as `make demo` does.
    command = [*MLPIPE, "run", "--config", str(TITANIC_CONFIG), "--train", str(TITANIC_TRAIN), *args]
    # Own process group: a kill reaches the step processes too, as a Ctrl-C or an OOM kill would.
    return subprocess.Popen(
        command, env=env, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True
    )


def integrity(home: Path) -> str:
    with closing(sqlite3.connect(home / REGISTRY_FILE)) as connection:
        return str(connection.execute("PRAGMA integrity_check").fetchone()[0])


class SharedHome(Mlpipe):
    """`mlpipe` on one MLPIPE_HOME, with the output of the two concurrent runs that filled it."""

    outputs: list[str]


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> SharedHome:
    """Two runs started at the same moment on one MLPIPE_HOME."""
    mlpipe = SharedHome(tmp_path_factory.mktemp("concurrent") / "home")
    runs = [start_run(mlpipe.home, *FAST) for _ in range(2)]
    outputs = [run.communicate(timeout=300) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    mlpipe.outputs = [stdout for stdout, _ in outputs]
    return mlpipe


def test_two_concurrent_runs_register_distinct_versions(shared: SharedHome) -> None:
    assert [version["version"] for version in shared.versions()] == [1, 2]
    announced = sorted(
        line for out in shared.outputs for line in out.splitlines() if "registered version" in line
    )
    assert [line.split()[2] for line in announced] == ["1", "2"]
    assert integrity(shared.home) == "ok"


def test_a_run_killed_during_train_leaves_nothing_and_the_rerun_succeeds(shared: Mlpipe) -> None:
    before = shared.versions()
    run = start_run(shared.home)  # the default 300 rounds: Train lasts long enough to be interrupted
    deadline = time.monotonic() + 120
    while not list(shared.home.glob("runs/*/logs/Train.log")) or run.poll() is not None:
        assert time.monotonic() < deadline and run.poll() is None, run.communicate()
        time.sleep(0.1)
    os.killpg(run.pid, signal.SIGKILL)
    run.wait(timeout=30)

    assert shared.versions() == before
    assert integrity(shared.home) == "ok"
    rerun = start_run(shared.home, *FAST)
    stdout, stderr = rerun.communicate(timeout=300)
    assert rerun.returncode == 0, stderr
    assert f"registered version {len(before) + 1}" in stdout


def _broken_copy(kind: str, folder: Path) -> Path:
    with TITANIC_TRAIN.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    fields = [name for name in rows[0] if not (kind == "no_fare" and name == "Fare")]
    changes = {
        "one_class": lambda i, row: {**row, "Survived": "1"},
        "three_classes": lambda i, row: {**row, "Survived": str(i % 3)},
        "text_target": lambda i, row: {**row, "Survived": "yes" if row["Survived"] == "1" else "no"},
    }
    rows = (
        [] if kind == "header_only" else [changes.get(kind, lambda i, r: r)(i, r) for i, r in enumerate(rows)]
    )
    path = folder / f"{kind}.csv"
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("one_class", "target 'Survived' has 0 row(s) of class 0; each class needs at least 2 row(s)"),
        ("three_classes", "line 4 has '2'; the target must be 0/1 or true/false in every row"),
        ("text_target", "line 2 has 'no'; the target must be 0/1 or true/false in every row"),
        ("no_fare", "column(s) 'Fare' missing from no_fare.csv"),
        ("header_only", "header_only.csv has a header but no data rows"),
    ],
)
def test_bad_data_stops_at_preprocess_and_registers_nothing(
    shared: Mlpipe, tmp_path: Path, kind: str, message: str
) -> None:
    before = shared.versions()

    result = shared("run", "--train", str(_broken_copy(kind, tmp_path)), *FAST)

    assert result.exit_code == 1
    assert "step Preprocess failed" in result.stderr and message in result.stderr
    assert "nothing was registered" in result.stderr
    assert shared.versions() == before


def test_a_changed_artifact_is_refused_by_serving_and_flagged_by_show(
    shared: Mlpipe, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert shared("models", "approve", "1").exit_code == 0
    artifact = shared.home / "s3" / shared.versions()[0]["artifact_uri"].removeprefix("s3://")
    data = bytearray(artifact.read_bytes())
    data[-20] ^= 0x01
    artifact.write_bytes(bytes(data))
    monkeypatch.setenv("MLPIPE_HOME", str(shared.home))
    monkeypatch.setenv("MLPIPE_BACKEND", "local")
    monkeypatch.delenv("MODEL_PACKAGE_GROUP", raising=False)
    monkeypatch.delenv("MODEL_VERSION", raising=False)

    response = handle_event({"instances": [{"Age": 3}]}, ModelLoader.from_environment(), "tampered")
    shown = shared("models", "show", "1")

    assert response["statusCode"] == 503
    assert "model version 1 refused" in json.loads(response["body"])["error"]["message"]
    assert shown.exit_code == 1
    assert "was changed after registration" in shown.stderr
