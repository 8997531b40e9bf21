from __future__ import annotations

from pathlib import Path

import pytest

from bench.pipeline_runs import _projection, measure_scaling, mlpipe_environment
from bench.stats import summarize


def test_projection_is_linear_from_the_largest_size_measured() -> None:
    scaling = {"10000": summarize([8.0]), "100000": summarize([20.0])}
    assert _projection(scaling, 1_000_000) == 200.0
    assert _projection({}, 1_000_000) == 0.0


def test_a_size_projected_past_the_budget_is_skipped_with_the_reason(tmp_path: Path) -> None:
    # Nothing measured yet projects 0 s, so a negative budget is what makes the first size skip.
    result = measure_scaling(tmp_path, (10_000,), repeats=1, seconds_left=lambda: -1.0)
    assert result["pipeline_scaling"] == {}
    assert "exceeds" in result["pipeline_scaling_skipped"]["10000"]


def test_mlpipe_environment_points_the_cli_at_the_bench_state(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MODEL_VERSION", "7")
    monkeypatch.setenv("MLPIPE_BACKEND", "aws")
    env = mlpipe_environment(Path("/state"))
    assert env["MLPIPE_HOME"] == "/state"
    assert env["MLPIPE_BACKEND"] == "local"
    assert "MODEL_VERSION" not in env
