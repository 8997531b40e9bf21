"""Where the benchmark reads and writes, and how many repeats it takes (BENCH_QUICK=1: fewer)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
WORK_DIR = REPO_ROOT / "bench" / ".work"
LAMBDA_BUNDLE = WORK_DIR / "lambda-bundle"
ORIGINAL_BUNDLE = WORK_DIR / "original-bundle"
RESULTS_PATH = REPO_ROOT / "bench" / "results" / "latest.json"
DOC_PATH = REPO_ROOT / "docs" / "benchmarks.md"
PLOTS_DIR = REPO_ROOT / "docs" / "benchmarks"
TRAIN_CSV = REPO_ROOT / "data" / "titanic" / "train.csv"
TEST_CSV = REPO_ROOT / "data" / "titanic" / "test.csv"


@dataclass(frozen=True, kw_only=True)
class BenchConfig:
    """Repeat counts and time bounds of one benchmark run."""

    quick: bool
    cold_repeats: int
    cold_no_bytecode_repeats: int
    warm_runs: int
    warm_calls: int
    batch_repeats: dict[int, int]
    http_runs: int
    http_seconds: float
    pipeline_repeats: int
    scaling_sizes: tuple[int, ...]
    scaling_repeats: int
    cv_split_seeds: tuple[int, ...]
    # Once the run has taken this long, the largest scaling sizes are skipped (and the JSON says so).
    budget_seconds: float = 13 * 60


FULL = BenchConfig(
    quick=False,
    cold_repeats=7,
    cold_no_bytecode_repeats=3,
    warm_runs=5,
    warm_calls=3000,
    batch_repeats={1: 200, 100: 50, 10_000: 5, 100_000: 3},
    http_runs=3,
    http_seconds=5.0,
    pipeline_repeats=3,
    scaling_sizes=(10_000, 100_000, 1_000_000),
    scaling_repeats=1,
    cv_split_seeds=(42, 7, 2024),
)

QUICK = BenchConfig(
    quick=True,
    cold_repeats=3,
    cold_no_bytecode_repeats=1,
    warm_runs=1,
    warm_calls=2000,
    batch_repeats={1: 50, 100: 20, 10_000: 3, 100_000: 1},
    http_runs=1,
    http_seconds=2.0,
    pipeline_repeats=1,
    scaling_sizes=(10_000, 100_000),
    scaling_repeats=1,
    cv_split_seeds=(42,),
)


def config_from_environment(environ: Mapping[str, str] = os.environ) -> BenchConfig:
    """BENCH_QUICK=1 (or true/yes) picks the quick configuration; anything else the full one."""
    return QUICK if environ.get("BENCH_QUICK", "").strip().lower() in {"1", "true", "yes"} else FULL
