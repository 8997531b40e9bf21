"""Issue 18 item 1: two `mlpipe run --train` of different files both named train.csv, started together on
one fresh MLPIPE_HOME, each train on their own file.

Before the fix both inputs were stored as data/train.csv: the second run's copy replaced the first's
before either Preprocess read it, and both versions recorded the same training-data SHA-256. Now each
file has its own content-addressed key (pipeline/content_keys.py) and each run reads only its own.
"""

from __future__ import annotations

import csv
import hashlib
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from runtime.registry.sqlite import SqliteModelRegistry
from runtime.settings import REGISTRY_FILE
from tests.integration.cli.conftest import TITANIC_CONFIG, TITANIC_TRAIN

pytestmark = pytest.mark.slow
MLPIPE = str(Path(sys.executable).parent / "mlpipe")
GROUP = "mlpipe-titanic"  # the Titanic example config's model name, as a model package group
# Flipped labels move the class balance; the gate's accuracy minimum must not refuse that model.
RUN_ARGS = ["-p", "NumRound=20", "-p", "MinAccuracy=0.5", "--config", str(TITANIC_CONFIG)]


def third_class_flipped(dest: Path) -> Path:
    """train.csv with Survived flipped for every third-class passenger: other labels, other model."""
    with TITANIC_TRAIN.open(newline="") as source:
        rows = list(csv.DictReader(source))
    for row in rows:
        if row["Pclass"] == "3":
            row["Survived"] = "1" if row["Survived"] == "0" else "0"
    dest.parent.mkdir(parents=True, exist_ok=True)
    with dest.open("w", newline="") as target:
        writer = csv.DictWriter(target, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return dest


def start(home: Path, train: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "MLPIPE_HOME": str(home), "MLPIPE_BACKEND": "local", "MODEL_PACKAGE_GROUP": ""}
    return subprocess.Popen(
        [MLPIPE, "run", "--train", str(train), *RUN_ARGS],
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def test_concurrent_runs_of_same_named_files_each_train_on_their_own(tmp_path: Path) -> None:
    # given: two different files, both named train.csv, and a state folder that does not exist yet
    files = [TITANIC_TRAIN, third_class_flipped(tmp_path / "flipped" / "train.csv")]
    home = tmp_path / "home"

    # when: both runs start together
    runs = [start(home, path) for path in files]
    outputs = [run.communicate(timeout=600) for run in runs]

    # then: each registered a version that records its own file and has its own metrics
    assert [run.returncode for run in runs] == [0, 0], outputs
    versions_by_run = [int(re.findall(r"registered version (\d+)", stdout)[0]) for stdout, _ in outputs]
    registry = SqliteModelRegistry(home / REGISTRY_FILE, GROUP)
    recorded = [registry.get_version(number) for number in versions_by_run]
    digests = [hashlib.sha256(path.read_bytes()).hexdigest() for path in files]
    assert [version.training_data_sha256 for version in recorded] == digests
    assert recorded[0].metrics != recorded[1].metrics
    stored = sorted(p.parent.name for p in (home / "s3" / "mlpipe-local" / "data").rglob("train.csv"))
    assert stored == sorted(digests)
