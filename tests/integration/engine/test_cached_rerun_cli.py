"""`mlpipe run` on the real definition: a gate-only change reuses Preprocess and Train and says so;
`--no-cache` runs every step (issue 17, "Re-runs that skip unchanged work")."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.integration.cli.conftest import TITANIC_TRAIN, Mlpipe

pytestmark = pytest.mark.slow
FAST = ("-p", "NumRound=20")


@pytest.fixture
def mlpipe(tmp_path: Path) -> Mlpipe:
    return Mlpipe(tmp_path / "home")


def last_steps(home: Path) -> dict[str, Any]:
    record = json.loads(sorted((home / "runs").glob("*/run.json"))[-1].read_text())
    return {step["name"]: step.get("cached_from", "") for step in record["steps"]}


def test_a_min_accuracy_rerun_reuses_preprocess_and_train_and_no_cache_runs_all(mlpipe: Mlpipe) -> None:
    first = mlpipe("run", "--train", str(TITANIC_TRAIN), *FAST)
    first_run = sorted((mlpipe.home / "runs").iterdir())[-1].name

    rerun = mlpipe("run", "--train", str(TITANIC_TRAIN), *FAST, "-p", "MinAccuracy=0.7")
    rerun_steps = last_steps(mlpipe.home)
    forced = mlpipe("run", "--train", str(TITANIC_TRAIN), *FAST, "-p", "MinAccuracy=0.7", "--no-cache")

    assert [first.exit_code, rerun.exit_code, forced.exit_code] == [0, 0, 0], rerun.output
    assert "from the cache" not in first.output
    assert f"from the cache: Preprocess (run {first_run}), Train (run {first_run})" in rerun.output
    assert {name for name, reused in rerun_steps.items() if reused} == {"Preprocess", "Train"}
    assert "from the cache" not in forced.output
    assert not any(last_steps(mlpipe.home).values())
