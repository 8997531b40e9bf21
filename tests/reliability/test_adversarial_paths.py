"""/opt/ml/ inside a parameter value (issue 18, item 10): the local engine remaps container paths only in
the definition's own strings, never inside user values (the old engine rewrote `--target=/opt/ml/x` to
`--target=./x`). SageMaker passes ContainerArguments to the container as they are
(https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_AppSpecification.html)."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

from pipeline.engine.resolve import resolve
from pipeline.engine.steps.processing import command_line
from pipeline.local_run import DEFINITION_PATH

VALUE = "/opt/ml/processing/output/not-a-path"


def preprocess_command(overrides: dict[str, str]) -> list[str]:
    definition = json.loads(DEFINITION_PATH.read_text())
    defaults = {p["Name"]: str(p.get("DefaultValue", "")) for p in definition["Parameters"]}
    context: Any = SimpleNamespace(parameters=defaults | overrides)
    step = next(s for s in definition["Steps"] if s["Name"] == "Preprocess")
    return command_line(step["Arguments"]["AppSpecification"], lambda node: resolve(node, context))


def test_a_parameter_value_holding_opt_ml_reaches_the_script_unchanged() -> None:
    command = preprocess_command({"Target": VALUE, "FeatureColumns": f"a,{VALUE}"})

    assert f"--target={VALUE}" in command
    assert f"--feature-columns=a,{VALUE}" in command


def test_the_definitions_own_container_paths_are_still_remapped() -> None:
    command = preprocess_command({})

    assert "--input-dir=./processing/input/data" in command
    assert "--output-dir=./processing/output" in command
    assert "/opt/ml/" not in command[2]  # the `sh -c` script
