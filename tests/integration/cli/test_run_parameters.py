"""Issue 11 item 3: `mlpipe run` checks every parameter once, before any step or AWS call, all at once."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
BAD = ["-p", "Target=Survived", "-p", "NumRound=0", "-p", "MinAccuracy=1.5", "-p", "MaxDepth=-3"]


@pytest.mark.parametrize("backend", [["--name", "titanic"], ["--backend", "aws"]])
def test_three_bad_values_are_reported_together_in_about_a_second(tmp_path: Path, backend: list[str]) -> None:
    # given no AWS credentials at all: an AWS call would fail with a different message
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env |= {"MLPIPE_HOME": str(tmp_path / "home"), "AWS_SHARED_CREDENTIALS_FILE": os.devnull}
    command = [
        str(Path(sys.executable).with_name("mlpipe")),
        "run",
        *backend,
        "--train",
        "data/titanic/train.csv",
        *BAD,
    ]

    started = time.perf_counter()
    result = subprocess.run(
        command, cwd=REPO, env=env, capture_output=True, text=True, timeout=60, check=False
    )
    seconds = time.perf_counter() - started

    assert result.returncode == 2, result.stderr
    for problem in ("NumRound=0 must be in", "MinAccuracy=1.5 must be in", "MaxDepth=-3 must be in"):
        assert problem in result.stderr
    assert "3 parameter problems" in result.stderr
    assert not (tmp_path / "home" / "runs").exists()  # nothing ran
    # Measured here: 0.6 s; the bound leaves room for a busy two-core machine.
    assert seconds < 3, seconds
