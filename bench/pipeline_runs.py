"""Local pipeline wall time (`mlpipe run`, end to end) on train.csv and on synthetic data of growing size."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.config import TRAIN_CSV, WORK_DIR
from bench.isolated import BenchError
from bench.stats import Summary, summarize
from bench.synthetic import write_synthetic_csv
from runtime.settings import load_settings, open_registry

RUN_TIMEOUT_SECONDS = 3600
TITANIC_CONFIG = Path(__file__).resolve().parents[1] / "examples" / "titanic" / "mlpipe.toml"
# Variables of the user's shell that would point the CLI elsewhere than the benchmark's own state.
OVERRIDDEN = (
    "MLPIPE_HOME",
    "MLPIPE_BACKEND",
    "MODEL_VERSION",
    "MODEL_PACKAGE_GROUP",
    "MODEL_REFRESH_SECONDS",
)


def mlpipe_environment(home: Path) -> dict[str, str]:
    """This process's environment with the local backend and `home` as the state folder."""
    env = {name: value for name, value in os.environ.items() if name not in OVERRIDDEN}
    return {**env, "MLPIPE_HOME": str(home), "MLPIPE_BACKEND": "local"}


def run_pipeline(home: Path, train_csv: Path, *extra: str) -> tuple[float, dict[str, float]]:
    """Wall seconds of one `mlpipe run --train train_csv` (a new process, as a user runs it) and its steps.

    `extra` goes to the command line; "--no-cache" measures every step (pipeline_wall_s), as a first run.
    """
    mlpipe = Path(sys.executable).with_name("mlpipe")
    # Models have names, and train.csv's settings live in the Titanic example config (issue 12); the
    # synthetic files are Titanic-shaped (bench/synthetic.py), so the same config describes them.
    config = ["--config", str(TITANIC_CONFIG)]
    started = time.perf_counter()
    completed = subprocess.run(
        [str(mlpipe), "run", "--train", str(train_csv), *config, *extra],
        env=mlpipe_environment(home),
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT_SECONDS,
        check=False,
    )
    wall = time.perf_counter() - started
    if completed.returncode != 0:
        raise BenchError(f"mlpipe run --train {train_csv.name} failed: {completed.stderr.strip()[-2000:]}")
    return wall, latest_step_seconds(home)


def latest_step_seconds(home: Path) -> dict[str, float]:
    """Seconds per executed step of the newest run (its run.json in the run folder)."""
    steps = latest_steps(home)
    return {step["name"]: round(step["seconds"], 3) for step in steps if step["status"] == "succeeded"}


def latest_steps(home: Path) -> list[dict[str, Any]]:
    """The step records of the newest run (its run.json in the run folder)."""
    runs = sorted((home / "runs").glob("*/run.json"))
    if not runs:
        raise BenchError(f"no run.json under {home / 'runs'}; did mlpipe run write its run folder?")
    return list(json.loads(runs[-1].read_text())["steps"])


def measure_cached_rerun(home: Path, repeats: int = 1) -> dict[str, Any]:
    """Issue 17: re-runs with only MinAccuracy changed, after a full run in `home` (wall seconds, and
    which steps reused the cache or ran; Evaluate takes the gate's thresholds, so it runs again). Each
    repeat sets another value, so each is a re-run with one parameter changed, never a full cache hit."""
    walls = []
    for repeat in range(repeats):
        wall, _ = run_pipeline(home, TRAIN_CSV, "--param", f"MinAccuracy={0.7 - repeat / 100:g}")
        walls.append(wall)
    steps = {
        step["name"]: "cached" if step.get("cached_from") else step["status"] for step in latest_steps(home)
    }
    return {"pipeline_cached_rerun_s": summarize(walls), "pipeline_cached_rerun_steps": steps}


def approve_latest(home: Path) -> int:
    """Approve the newest registered version in `home`'s registry, so the server and handler serve it."""
    registry = open_registry(load_settings({"MLPIPE_HOME": str(home), "MLPIPE_BACKEND": "local"}))
    versions = registry.list_versions()
    if not versions:
        raise BenchError(f"no model version registered in {home}; the pipeline run registered nothing")
    registry.set_status(versions[-1].version, "Approved")
    return versions[-1].version


def measure_pipeline(home: Path, repeats: int) -> dict[str, Any]:
    """`pipeline_wall_s` on train.csv, every step run (`--no-cache`), then the cached re-run; the last
    registered model is approved for the serving benchmarks."""
    walls, steps = [], []
    for _ in range(repeats):
        wall, step_seconds = run_pipeline(home, TRAIN_CSV, "--no-cache")
        walls.append(wall)
        steps.append(step_seconds)
    rerun = measure_cached_rerun(home, repeats)
    approve_latest(home)
    step_names = steps[0].keys()
    return {
        "pipeline_wall_s": summarize(walls),
        "pipeline_steps_s": {name: summarize([s[name] for s in steps]) for name in step_names},
        **rerun,
    }


def measure_scaling(
    home: Path, sizes: tuple[int, ...], repeats: int, seconds_left: Callable[[], float]
) -> dict[str, Any]:
    """`pipeline_scaling`: rows -> wall seconds; sizes projected (linearly) past the budget are skipped."""
    scaling: dict[str, Summary] = {}
    steps: dict[str, dict[str, float]] = {}
    skipped: dict[str, str] = {}
    for n_rows in sizes:
        projected = _projection(scaling, n_rows) * repeats
        if projected > seconds_left():
            skipped[str(n_rows)] = (
                f"projected {projected:.0f} s from the smaller sizes exceeds the "
                f"{seconds_left():.0f} s left in the time budget"
            )
            continue
        csv_path = write_synthetic_csv(WORK_DIR / "synthetic" / f"synthetic-{n_rows}.csv", n_rows)
        size_home = home / str(n_rows)
        size_home.mkdir(parents=True, exist_ok=True)
        runs = [run_pipeline(size_home, csv_path, "--no-cache") for _ in range(repeats)]
        scaling[str(n_rows)] = summarize([wall for wall, _ in runs])
        steps[str(n_rows)] = runs[0][1]
    return {
        "pipeline_scaling": scaling,
        "pipeline_scaling_steps_s": steps,
        "pipeline_scaling_skipped": skipped,
    }


def _projection(scaling: dict[str, Summary], n_rows: int) -> float:
    """Linear extrapolation from the largest size measured so far (0 when nothing is measured yet)."""
    if not scaling:
        return 0.0
    largest = max(scaling, key=int)
    return scaling[largest]["median"] * n_rows / int(largest)
