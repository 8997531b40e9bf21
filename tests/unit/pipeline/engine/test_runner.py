"""The runner with control-flow steps only: branch choice, skipping, Fail, unsupported types."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

import pytest

from pipeline.engine import EngineError, PipelineFailed, run_definition
from runtime.registry.base import ModelRegistry
from runtime.store.local import LocalArtifactStore


def gate(left: Any) -> dict[str, Any]:
    return {
        "Parameters": [{"Name": "Min", "Type": "Float", "DefaultValue": 0.5}],
        "Steps": [
            {
                "Name": "Check",
                "Type": "Condition",
                "Arguments": {
                    "Conditions": [
                        {
                            "Type": "GreaterThanOrEqualTo",
                            "LeftValue": left,
                            "RightValue": {"Get": "Parameters.Min"},
                        }
                    ],
                    "IfSteps": [{"Name": "Fine", "Type": "Condition", "Arguments": {"Conditions": []}}],
                    "ElseSteps": [
                        {
                            "Name": "TooLow",
                            "Type": "Fail",
                            "Arguments": {
                                "ErrorMessage": {
                                    "Std:Join": {"On": " ", "Values": ["below", {"Get": "Parameters.Min"}]}
                                }
                            },
                        }
                    ],
                },
            }
        ],
    }


def run(definition: dict[str, Any], tmp_path: Path, **overrides: str) -> Any:
    return run_definition(
        definition,
        store=LocalArtifactStore(tmp_path),
        registry=cast(ModelRegistry, None),
        run_dir=tmp_path / "run",
        execution_id="e",
        overrides=overrides,
    )


def test_the_taken_branch_runs_and_the_other_is_skipped(tmp_path: Path) -> None:
    result = run(gate(0.9), tmp_path)
    assert [(s.name, s.status) for s in result.steps] == [
        ("Check", "succeeded"),
        ("Fine", "succeeded"),
        ("TooLow", "skipped"),
    ]


def test_the_else_branch_fail_step_raises_its_resolved_message(tmp_path: Path) -> None:
    with pytest.raises(PipelineFailed, match=r"^below 0\.95$"):
        run(gate(0.9), tmp_path, Min="0.95")
    assert (tmp_path / "run" / "run.json").is_file()


def test_an_unsupported_step_type_names_the_step_and_the_type(tmp_path: Path) -> None:
    definition = {"Steps": [{"Name": "Lambda1", "Type": "Lambda", "Arguments": {}}]}
    with pytest.raises(EngineError, match=r"step Lambda1 has type 'Lambda'.*supported types: Processing"):
        run(definition, tmp_path)
