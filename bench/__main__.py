"""`python -m bench` (`make bench`): every figure -> bench/results/latest.json, docs/benchmarks.md, plots.

`python -m bench --report-only` redraws the plots and the page from the committed latest.json (after
editing bench/analysis.md, say) without measuring anything.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench import report
from bench.batch import measure_batch
from bench.config import (
    DOC_PATH,
    LAMBDA_BUNDLE,
    PLOTS_DIR,
    REPO_ROOT,
    RESULTS_PATH,
    WORK_DIR,
    BenchConfig,
    config_from_environment,
)
from bench.emulator_figures import measure_emulator
from bench.http_load import measure_http
from bench.isolated import BenchError
from bench.machine import git_commit, host_versions, machine_description, now_utc
from bench.method import METHOD
from bench.original.environment import install_original_bundle, train_original_model
from bench.pipeline_runs import measure_pipeline, measure_scaling
from bench.plots import draw_plots
from bench.profile_imports import import_profile
from bench.quality import measure_quality
from bench.serving import Stack, measure_serving, original, ours
from bench.sizes import folder_size_mb
from bench.stats import summarize
from bench.targets import check_targets, missing_keys
from lambda_inference.model_loader import ModelLoader
from lambda_inference.served_model import SERVICE_LOGGER, ScoresRecords
from runtime.settings import load_settings, open_registry, open_store


def say(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def fresh_folder(path: Path) -> Path:
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


def serving_bundle_mb() -> float:
    """Size of `make lambda-bundle`'s folder; builds it first when missing (e.g. `python -m bench` alone)."""
    if not LAMBDA_BUNDLE.is_dir():
        say("building the Lambda bundle (scripts/lambda_bundle.sh)")
        env = {**os.environ, "PY": sys.executable}
        subprocess.run(["bash", "scripts/lambda_bundle.sh"], cwd=REPO_ROOT, env=env, check=True)
    return folder_size_mb(LAMBDA_BUNDLE)


def served_predictor(home: Path) -> ScoresRecords:
    logging.getLogger(SERVICE_LOGGER).setLevel(logging.WARNING)  # keep "model loaded" out of the output
    settings = load_settings({"MLPIPE_HOME": str(home), "MLPIPE_BACKEND": "local"})
    return ModelLoader(open_registry(settings), open_store(settings)).current().predictor


def measure_sizes(results: dict[str, Any]) -> Stack:
    """Both bundles' sizes; returns the original stack, installed and with its model trained."""
    results["serving_bundle_mb"] = summarize([serving_bundle_mb()])
    say("installing the original stack and training its model")
    original_sizes = install_original_bundle()
    results["original_bundle_mb"] = summarize([original_sizes["stripped_mb"]])
    results["original_bundle_unstripped_mb"] = summarize([original_sizes["unstripped_mb"]])
    return original(train_original_model())


def measure_serving_side(
    results: dict[str, Any], home: Path, original_stack: Stack, config: BenchConfig
) -> None:
    say("cold init and warm latency, both stacks")
    serving = measure_serving(ours(home), original_stack, config)
    results["versions"] = {**serving.pop("versions"), "host": host_versions()}
    results.update(serving)
    results["import_profile_ms"] = {s.name: import_profile(s) for s in (ours(home), original_stack)}
    say("cold start under the Lambda Runtime Interface Emulator, both stacks")
    results.update(measure_emulator(ours(home), original_stack, config))
    say("batch prediction")
    results["batch_rows_per_s"] = measure_batch(served_predictor(home), config)
    say("HTTP serving")
    results.update(measure_http(home, config.http_runs, config.http_seconds))


def measure_everything(config: BenchConfig, started: float) -> dict[str, Any]:
    results: dict[str, Any] = {"quick": config.quick, "date": now_utc(), "machine": machine_description()}
    results["git_commit"] = git_commit(REPO_ROOT)
    original_stack = measure_sizes(results)
    home = fresh_folder(WORK_DIR / "home")
    say(f"pipeline on train.csv x{config.pipeline_repeats}")
    results.update(measure_pipeline(home, config.pipeline_repeats))
    measure_serving_side(results, home, original_stack, config)
    say("5x5 cross-validation")
    results.update(measure_quality(config.cv_split_seeds))
    say(f"pipeline scaling {config.scaling_sizes}")

    def seconds_left() -> float:
        return config.budget_seconds - (time.monotonic() - started)

    scaling_home = fresh_folder(WORK_DIR / "home-scaling")
    results.update(measure_scaling(scaling_home, config.scaling_sizes, config.scaling_repeats, seconds_left))
    results["method"] = METHOD
    results["bench_seconds"] = round(time.monotonic() - started, 1)
    return results


def write_report(results: dict[str, Any]) -> None:
    """The plots and docs/benchmarks.md (also `python -m bench --report-only`, from latest.json)."""
    draw_plots(results, PLOTS_DIR)
    DOC_PATH.write_text(report.render(results, PLOTS_DIR.relative_to(DOC_PATH.parent).as_posix()))


def main(argv: list[str]) -> int:
    if argv == ["--report-only"]:
        write_report(json.loads(RESULTS_PATH.read_text()))
        say(f"rewrote {DOC_PATH.relative_to(REPO_ROOT)} and its plots from the committed results")
        return 0
    started = time.monotonic()
    config = config_from_environment()
    say(f"mode: {'quick' if config.quick else 'full'}")
    try:
        results = measure_everything(config, started)
    except BenchError as error:
        say(f"failed: {error}")
        return 1
    missing = missing_keys(results)
    if missing:
        say(f"results lack {', '.join(missing)}")
        return 1
    RESULTS_PATH.parent.mkdir(parents=True, exist_ok=True)
    RESULTS_PATH.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    write_report(results)
    for check in check_targets(results):
        verdict = {True: "met", False: "MISSED", None: "not measured"}[check.met]
        say(f"{check.figure:38} {check.value!s:>10}  target {check.target:22} {verdict}")
    written = f"{RESULTS_PATH.relative_to(REPO_ROOT)} and {DOC_PATH.relative_to(REPO_ROOT)}"
    say(f"wrote {written} in {results['bench_seconds']} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
