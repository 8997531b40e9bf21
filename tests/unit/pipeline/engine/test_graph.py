"""Planning: dependencies from DependsOn and data references, branches, order, cycles, unknown steps."""

from __future__ import annotations

from typing import Any

import pytest

from pipeline.engine.errors import EngineError
from pipeline.engine.graph import plan_steps


def step(name: str, kind: str = "Processing", **extra: Any) -> dict[str, Any]:
    return {"Name": name, "Type": kind, "Arguments": {}, **extra}


def test_data_references_order_steps_even_when_listed_backwards() -> None:
    train = step(
        "Train", "Training", Arguments={"In": {"Get": "Steps.Prep.ProcessingOutputConfig.Outputs[0]"}}
    )
    plan = plan_steps({"Steps": [train, step("Prep")]})
    assert [s.name for s in plan] == ["Prep", "Train"]
    assert plan[1].depends_on == {"Prep"}


def test_depends_on_is_honoured() -> None:
    plan = plan_steps({"Steps": [step("B", DependsOn=["A"]), step("A")]})
    assert [s.name for s in plan] == ["A", "B"]


def test_branch_steps_follow_their_condition_and_know_their_branch() -> None:
    condition = step(
        "Check",
        "Condition",
        Arguments={
            "Conditions": [{"Type": "Equals", "LeftValue": {"Get": "Steps.A.X"}, "RightValue": 1}],
            "IfSteps": [step("Yes", "RegisterModel")],
            "ElseSteps": [step("No", "Fail")],
        },
    )
    plan = {s.name: s for s in plan_steps({"Steps": [condition, step("A")]})}
    assert list(plan) == ["A", "Check", "Yes", "No"]
    assert plan["Check"].depends_on == {"A"}
    assert (plan["Yes"].branch, plan["No"].branch) == (("Check", True), ("Check", False))
    assert "IfSteps" not in plan["Check"].definition["Arguments"]


def test_cycles_and_unknown_steps_and_duplicates_are_refused() -> None:
    with pytest.raises(EngineError, match="cycle"):
        plan_steps({"Steps": [step("A", DependsOn=["B"]), step("B", DependsOn=["A"])]})
    with pytest.raises(EngineError, match="unknown step"):
        plan_steps({"Steps": [step("A", DependsOn=["Ghost"])]})
    with pytest.raises(EngineError, match="repeated: A"):
        plan_steps({"Steps": [step("A"), step("A")]})
