from __future__ import annotations

from pathlib import Path

import pytest

from bench.config import LAMBDA_BUNDLE
from bench.emulator import (
    INIT_REPORT,
    INVOKE_REPORT,
    EmulatorError,
    dockerfile_environment,
    dockerfile_handler,
)
from bench.report_tables import floor_table, serving_table
from bench.serving import floors, ours

# Lines as aws-lambda-rie (aws-sam-cli 1.170.0) logged them for the serving bundle (dates cut).
EMULATOR_LOG = """\
29 Nov 2026 22:31:15,467 [INFO] (rapid) INIT START(type: on-demand, phase: init)
29 Nov 2026 22:31:16,349 [INFO] (rapid) INIT REPORT(durationMs: 881.635000)
22:31:16,350 [INFO] (rapid) INVOKE RTDONE(status: success, produced bytes: 0, duration: 1.584000ms)
REPORT RequestId: 427e47ef	Init Duration: 0.02 ms	Duration: 883.39 ms	Billed Duration: 884 ms
22:31:16,354 [INFO] (rapid) INVOKE RTDONE(status: success, produced bytes: 0, duration: 0.958000ms)
"""


def test_the_init_and_invoke_durations_come_from_the_emulators_own_lines() -> None:
    init = INIT_REPORT.search(EMULATOR_LOG)

    assert init is not None and float(init[1]) == 881.635
    # Not the REPORT line: it says 0.02 ms of init and counts the init inside the first Duration.
    assert [float(ms) for ms in INVOKE_REPORT.findall(EMULATOR_LOG)] == [1.584, 0.958]


def test_the_handler_is_the_dockerfiles_last_cmd(tmp_path: Path) -> None:
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text('FROM x\nCMD ["old.handler"]\nFROM y\nCMD ["app.main.lambda_handler"]\n')

    assert dockerfile_handler(dockerfile) == "app.main.lambda_handler"
    assert dockerfile_handler() == "lambda_inference.handler.lambda_handler"


def test_our_bundle_runs_with_the_image_environment_but_the_local_backend(tmp_path: Path) -> None:
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text("FROM x\nENV A=1\nRUN true\nENV B=two=2\n")

    assert dockerfile_environment(dockerfile) == {"A": "1", "B": "two=2"}
    env = ours(tmp_path).env
    assert env["OPENBLAS_NUM_THREADS"] == "1"  # as the image sets it (lambda_inference/Dockerfile)
    assert env["MLPIPE_BACKEND"] == "local" and env["MLPIPE_HOME"] == str(tmp_path)


def test_a_dockerfile_without_cmd_says_what_lambda_needs(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text("FROM x\n")

    with pytest.raises(EmulatorError, match="needs the handler"):
        dockerfile_handler(tmp_path / "Dockerfile")


def test_the_serving_table_shows_the_emulator_rows_when_measured() -> None:
    figure = {"median": 2.0, "min": 1.0, "max": 3.0, "runs": 3}
    keys = ("serving_bundle_mb", "cold_init_s", "cold_init_no_bytecode_s", "warm_p50_ms", "warm_p99_ms")
    results = dict.fromkeys(keys, figure) | {f"original_{k.replace('serving_', '')}": figure for k in keys}

    assert "Lambda emulator" not in serving_table(results)
    results |= dict.fromkeys(("rie_init_ms", "original_rie_init_ms"), figure)
    results |= dict.fromkeys(("rie_first_invoke_ms", "original_rie_first_invoke_ms"), figure)
    assert "init under the Lambda emulator (RIE)" in serving_table(results)


def test_the_floor_table_shows_how_far_ours_is_above_a_handler_importing_only_numpy() -> None:
    def figure(median: float) -> dict[str, float]:
        return {"median": median, "min": median, "max": median, "runs": 3}

    results = {"floor_rie_init_ms": figure(21.0), "floor_numpy_rie_init_ms": figure(75.0)}

    assert floor_table({}) == ""  # a results file from before the floor was measured
    text = floor_table(results | {"rie_init_ms": figure(98.5)})
    assert "| ours above the numpy floor (medians) | 23.5 ms |" in text
    assert "21.0 ms" in text or "21 ms" in text


def test_the_floor_handlers_answer_like_a_function_and_the_numpy_one_imports_numpy() -> None:
    bare, with_numpy = floors()
    assert with_numpy.paths[0] == LAMBDA_BUNDLE and "numpy" in with_numpy.distributions
    assert with_numpy.env["OPENBLAS_NUM_THREADS"] == "1"  # the image's environment, as ours runs with
    for stack in (bare, with_numpy):
        source = (stack.paths[-1] / f"{stack.module}.py").read_text()
        assert "def lambda_handler(" in source
    assert "import numpy" in (with_numpy.paths[-1] / f"{with_numpy.module}.py").read_text()
    assert "import numpy" not in (bare.paths[-1] / f"{bare.module}.py").read_text()
