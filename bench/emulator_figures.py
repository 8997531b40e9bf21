"""Cold start of both stacks under AWS's Lambda Runtime Interface Emulator, as their images would run.

Per run: a fresh emulator, one HTTP API event, the emulator's own figures: the init duration (handler
module imported, model loaded: both stacks load it at init) and the first invoke's duration. The stacks
alternate; one uncounted run each first compiles their bytecode cache (as bench.serving does).

`python -m bench.emulator_figures` measures these figures alone (the same run as `make bench`'s, on the
bundles and model that the benchmark builds under bench/.work): `BENCH_QUICK=1` for fewer repeats.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from bench.config import LAMBDA_BUNDLE, TRAIN_CSV, WORK_DIR, BenchConfig, config_from_environment
from bench.emulator import RuntimeEmulator, dockerfile_handler
from bench.isolated import BenchError
from bench.pipeline_runs import approve_latest, run_pipeline
from bench.serving import Stack, floors, ours, prediction_event
from bench.stats import summarize


def emulated_handler(stack: Stack) -> str:
    """Ours: the image's CMD, as Lambda reads it. The original: its handler module's `lambda_handler`."""
    return dockerfile_handler() if stack.paths == [LAMBDA_BUNDLE] else f"{stack.module}.lambda_handler"


def emulated_cold_start(stack: Stack) -> tuple[float, float]:
    """(init ms, first invoke ms) of one fresh emulator; the task root is the stack's last folder."""
    *extra_paths, task_root = stack.paths
    with RuntimeEmulator(
        task_root, emulated_handler(stack), stack.env, extra_paths=extra_paths, pycache=stack.pycache
    ) as emulator:
        status, envelope = emulator.invoke(prediction_event())
        if status != 200 or envelope.get("statusCode") != 200:
            raise BenchError(
                f"{stack.name} under the emulator answered {status} {envelope}:\n{emulator.log()}"
            )
        init_ms, (first_invoke_ms,) = emulator.reports(1)
    return init_ms, first_invoke_ms


def measure_emulator(ours_stack: Stack, original_stack: Stack, config: BenchConfig) -> dict[str, Any]:
    """`rie_init_ms` and `rie_first_invoke_ms` of both stacks (original ones prefixed `original_`), and of
    the floor handlers (`floor_`, `floor_numpy_`), all alternating in the same minutes."""
    stacks = [(ours_stack, ""), (original_stack, "original_")]
    stacks += [(floor, f"{floor.name}_") for floor in floors()]
    runs: dict[str, list[float]] = {}
    for stack, _ in stacks:
        emulated_cold_start(stack)  # warm-up: bytecode cache and page cache, not counted
    for _ in range(config.cold_repeats):
        for stack, prefix in stacks:
            init_ms, first_invoke_ms = emulated_cold_start(stack)
            runs.setdefault(f"{prefix}rie_init_ms", []).append(init_ms)
            runs.setdefault(f"{prefix}rie_first_invoke_ms", []).append(first_invoke_ms)
    return {key: summarize(values) for key, values in runs.items()}


def main() -> int:
    from bench.__main__ import measure_sizes, say  # here: `python -m bench` imports this module

    original_stack = measure_sizes({})
    home = WORK_DIR / "home-emulator"
    if not (home / "registry.db").is_file():
        say("training a model for our stack (mlpipe run on train.csv)")
        run_pipeline(home, TRAIN_CSV)
        approve_latest(home)
    say("cold start under the Lambda Runtime Interface Emulator, both stacks")
    figures = measure_emulator(ours(home), original_stack, config_from_environment())
    print(json.dumps(figures, indent=2, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
