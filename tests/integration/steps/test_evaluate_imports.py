"""The Evaluate step's process imports neither scikit-learn nor pandas (nor matplotlib).

The step re-runs on every `mlpipe run`, even when only a gate threshold changed (its arguments carry
them), and those imports were most of its time: `import sklearn.metrics` 0.96 s, `import pandas` 0.26 s,
and xgboost imports scikit-learn when it can (0.85 s of its 1.07 s). The step runs in a fresh process, as
the local engine runs it, under a small runpy wrapper that lists sys.modules once the step has exited, so
modules imported lazily inside functions count too. (`-X importtime` would not do: it also logs an import
that a None entry in sys.modules refuses.)
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline import bundles
from tests.integration.steps.test_step_scripts import REPO, flat_bundle
from tests.unit.model_helpers import TINY_CSV, pack_model, train_tiny

HEAVY = {"sklearn", "pandas", "matplotlib"}
LOADED = "loaded packages: "
# Runs `python3 <script> ARGS...` (sys.path[0] is the script's folder) or `python3 -m <module> ARGS...`
# (sys.path[0] is the working folder), then prints the top-level packages loaded and exits with its code.
WRAPPER = f"""
import os, runpy, sys
kind, target, *arguments = sys.argv[1:]
sys.argv = [target, *arguments]
status = 0
try:
    if kind == "script":
        sys.path[0] = os.path.dirname(target)
        runpy.run_path(target, run_name="__main__")
    else:
        runpy.run_module(target, run_name="__main__", alter_sys=True)
except SystemExit as exit:
    status = exit.code
print({LOADED!r} + ",".join(sorted({{n.split(".")[0] for n, m in sys.modules.items() if m is not None}})))
sys.exit(status)
"""


def loaded_packages(stdout: str) -> set[str]:
    line = next(line for line in stdout.splitlines() if line.startswith(LOADED))
    return set(line.removeprefix(LOADED).split(","))


@pytest.fixture(scope="module")
def step_inputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The step's input folders: a packed model and an evaluation split."""
    work = tmp_path_factory.mktemp("inputs")
    booster, spec, _, _ = train_tiny()
    shutil.move(pack_model(work / "train", booster, booster, spec), work / "model")
    (work / "evaluation").mkdir()
    shutil.copy(TINY_CSV, work / "evaluation" / "evaluation.csv")
    return work


def step_arguments(inputs: Path, output: Path) -> list[str]:
    return [
        f"--model-dir={inputs / 'model'}",
        f"--evaluation-dir={inputs / 'evaluation'}",
        f"--output-dir={output}",
        "--target=Survived",
        "--min-accuracy=0.5",
    ]


@pytest.mark.slow
@pytest.mark.parametrize("launch", ["bundle script", "module"])
def test_the_evaluate_step_imports_neither_scikit_learn_nor_pandas(
    launch: str, step_inputs: Path, tmp_path: Path
) -> None:
    # given the step as the container and the local engine run it (`python3 <bundle>/evaluate.py`), or
    # as a module from the repository
    if launch == "bundle script":
        bundle = flat_bundle(tmp_path / "code", bundles.build_processing_bundle)
        program, cwd = ["script", str(bundle / "evaluate.py")], tmp_path
    else:
        program, cwd = ["module", "processing.evaluate"], REPO

    # when it runs to the end
    done = subprocess.run(
        [sys.executable, "-c", WRAPPER, *program, *step_arguments(step_inputs, tmp_path / "out")],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
        check=False,
    )

    # then it scored with xgboost, wrote its outputs, and never loaded the heavy packages
    assert done.returncode == 0, done.stderr[-2000:]
    assert "evaluate: quality gate passed" in done.stdout
    assert (tmp_path / "out" / "evaluation" / "evaluation.json").is_file()
    loaded = loaded_packages(done.stdout)
    assert "xgboost" in loaded
    assert not loaded & HEAVY, sorted(loaded & HEAVY)
