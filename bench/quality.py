"""Model quality of the default configuration: bench.cv's 5x5 repeated stratified CV, several fold draws."""

from __future__ import annotations

from typing import Any

from bench.cv import cross_validate
from bench.stats import summarize


def measure_quality(split_seeds: tuple[int, ...]) -> dict[str, Any]:
    """`cv_accuracy` and `cv_auc`: median/min/max of the 25-fold means over the fold draws `split_seeds`."""
    runs = [cross_validate(split_seed=seed) for seed in split_seeds]
    return {
        "cv_accuracy": summarize([run["accuracy_mean"] for run in runs]),
        "cv_auc": summarize([run["auc_mean"] for run in runs]),
        "cv_runs": [
            {key: run[key] for key in ("split_seed", "accuracy_mean", "accuracy_std", "auc_mean", "auc_std")}
            for run in runs
        ],
    }
