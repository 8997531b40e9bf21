"""Cold init and warm handler latency of both stacks, measured in the same run, interleaved."""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.config import LAMBDA_BUNDLE, ORIGINAL_BUNDLE, WORK_DIR, BenchConfig
from bench.emulator import dockerfile_environment
from bench.isolated import run_isolated
from bench.original.environment import ORIGINAL_DIR
from bench.stats import percentile, summarize
from pipeline.serve import http_api_event

PROBE = Path(__file__).resolve().parent / "probe.py"
# One passenger as a client would send it (test.csv, PassengerId 892), through the HTTP API route.
PASSENGER: dict[str, Any] = {
    "Pclass": 3, "Name": "Kelly, Mr. James", "Sex": "male", "Age": 34.5, "SibSp": 0, "Parch": 0,
    "Ticket": "330911", "Fare": 7.8292, "Embarked": "Q",
}  # fmt: skip


@dataclass(frozen=True)
class Stack:
    """How to start one stack's handler in an isolated interpreter."""

    name: str
    paths: list[Path]
    module: str
    env: dict[str, str]
    distributions: list[str] = field(default_factory=list)

    @property
    def pycache(self) -> Path:
        return WORK_DIR / "pycache" / self.name


def ours(home: Path) -> Stack:
    """This project: the Lambda bundle (dependencies + code, as the image lays it out), with the image's
    environment (lambda_inference/Dockerfile's ENV lines) but the local backend."""
    env = {**dockerfile_environment(), "MLPIPE_BACKEND": "local", "MLPIPE_HOME": str(home)}
    return Stack(
        "ours", [LAMBDA_BUNDLE], "lambda_inference.handler", env,
        ["numpy"],  # trees scored in NumPy: no xgboost, no scipy; stdlib logging (issue 17)
    )  # fmt: skip


FLOOR_DIR = Path(__file__).resolve().parent / "floor"


def floors() -> list[Stack]:
    """The floor under the emulator: a handler importing nothing, and one importing only numpy from our
    bundle with the image's environment. Ours minus the second is what our code and model load cost."""
    env = dockerfile_environment()
    return [
        Stack("floor", [FLOOR_DIR], "bare_handler", env),
        Stack("floor_numpy", [LAMBDA_BUNDLE, FLOOR_DIR], "numpy_handler", env, ["numpy"]),
    ]


def original(model_path: Path) -> Stack:
    """The original style: its own bundle, bench/original/handler.py, a joblib model."""
    return Stack(
        "original", [ORIGINAL_BUNDLE, ORIGINAL_DIR], "handler", {"MODEL_PATH": str(model_path)},
        ["pandas", "scikit-learn", "xgboost", "numpy", "joblib", "scipy"],
    )  # fmt: skip


def prediction_event() -> dict[str, Any]:
    body = json.dumps({"instances": [PASSENGER]})
    return http_api_event(body, {"content-type": "application/json"}, "bench")


def probe(stack: Stack, *, warm_calls: int = 0, bytecode: bool = True) -> dict[str, Any]:
    """One fresh interpreter: cold init, then `warm_calls` timed calls. Without bytecode nothing is cached."""
    args = ["--module", stack.module, "--event", json.dumps(prediction_event())]
    args += ["--warm-calls", str(warm_calls)]
    for folder in stack.paths:
        args += ["--path", str(folder)]
    for name in stack.distributions:
        args += ["--dist", name]
    if bytecode:
        return run_isolated(PROBE, args, pycache=stack.pycache, env=stack.env)
    with tempfile.TemporaryDirectory(prefix="bench-nopyc-") as empty_cache:
        return run_isolated(PROBE, args, pycache=Path(empty_cache), write_bytecode=False, env=stack.env)


def warm_percentiles(latencies_ns: list[int]) -> tuple[float, float]:
    """p50 and p99 in milliseconds."""
    millis = [value / 1e6 for value in latencies_ns]
    return percentile(millis, 50), percentile(millis, 99)


RawRuns = dict[str, dict[str, list[float]]]


def measure_stack_runs(stacks: list[Stack], config: BenchConfig) -> tuple[RawRuns, dict[str, Any]]:
    """Raw measurements and library versions per stack; the stacks alternate so both see the same load."""
    raw: RawRuns = {s.name: {"cold": [], "cold_no_bytecode": [], "p50": [], "p99": []} for s in stacks}
    # Warm-up, not counted: compiles the bytecode cache and fills the page cache.
    versions = {stack.name: probe(stack)["versions"] for stack in stacks}
    for repeat in range(config.cold_repeats):
        for stack in stacks:
            warm_calls = config.warm_calls if repeat < config.warm_runs else 0
            result = probe(stack, warm_calls=warm_calls)
            raw[stack.name]["cold"].append(result["cold_init_s"])
            if warm_calls:
                p50, p99 = warm_percentiles(result["warm_ns"])
                raw[stack.name]["p50"].append(p50)
                raw[stack.name]["p99"].append(p99)
    for _ in range(config.cold_no_bytecode_repeats):
        for stack in stacks:
            raw[stack.name]["cold_no_bytecode"].append(probe(stack, bytecode=False)["cold_init_s"])
    return raw, versions


def measure_serving(ours_stack: Stack, original_stack: Stack, config: BenchConfig) -> dict[str, Any]:
    """The serving figures of both stacks (JSON keys of the issue) plus their library versions."""
    raw, versions = measure_stack_runs([ours_stack, original_stack], config)
    figures: dict[str, Any] = {}
    for stack, prefix in ((ours_stack, ""), (original_stack, "original_")):
        runs = raw[stack.name]
        figures[f"{prefix}cold_init_s"] = summarize(runs["cold"])
        figures[f"{prefix}cold_init_no_bytecode_s"] = summarize(runs["cold_no_bytecode"])
        figures[f"{prefix}warm_p50_ms"] = summarize(runs["p50"])
        figures[f"{prefix}warm_p99_ms"] = summarize(runs["p99"])
    figures["versions"] = versions
    return figures
