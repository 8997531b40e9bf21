"""Condition evaluation: comparisons (numbers arriving as text too), In, Not, Or, unknown types."""

from __future__ import annotations

from typing import Any

import pytest

from pipeline.engine.conditions import evaluate, evaluate_all
from pipeline.engine.errors import EngineError


def identity(value: Any) -> Any:
    return value


@pytest.mark.parametrize(
    ("kind", "left", "right", "expected"),
    [
        ("GreaterThanOrEqualTo", 0.8, 0.75, True),
        ("GreaterThanOrEqualTo", 0.75, 0.75, True),
        ("GreaterThanOrEqualTo", 0.7, 0.75, False),
        ("GreaterThan", 0.75, 0.75, False),
        ("LessThan", 1, 2, True),
        ("LessThanOrEqualTo", 3, 2, False),
        ("Equals", "a", "a", True),
        ("GreaterThanOrEqualTo", "0.8", 0.75, True),
    ],
)
def test_comparisons(kind: str, left: Any, right: Any, expected: bool) -> None:
    assert evaluate({"Type": kind, "LeftValue": left, "RightValue": right}, identity) is expected


def test_in_not_or() -> None:
    assert evaluate({"Type": "In", "QueryValue": 2, "Values": [1, 2]}, identity)
    assert evaluate(
        {"Type": "Not", "Condition": {"Type": "Equals", "LeftValue": 1, "RightValue": 2}}, identity
    )
    either = {
        "Type": "Or",
        "Conditions": [
            {"Type": "Equals", "LeftValue": 1, "RightValue": 2},
            {"Type": "Equals", "LeftValue": 2, "RightValue": 2},
        ],
    }
    assert evaluate(either, identity)


def test_all_conditions_must_hold() -> None:
    holds = {"Type": "Equals", "LeftValue": 1, "RightValue": 1}
    fails = {"Type": "Equals", "LeftValue": 1, "RightValue": 2}
    assert evaluate_all([holds, holds], identity)
    assert not evaluate_all([holds, fails], identity)


def test_values_go_through_the_resolver() -> None:
    values = {"accuracy": 0.9, "minimum": 0.75}
    condition = {"Type": "GreaterThanOrEqualTo", "LeftValue": "accuracy", "RightValue": "minimum"}
    assert evaluate(condition, values.__getitem__)


def test_number_against_text_is_an_error() -> None:
    with pytest.raises(EngineError, match="cannot compare"):
        evaluate({"Type": "GreaterThan", "LeftValue": "high", "RightValue": 0.5}, identity)


def test_unknown_condition_type_lists_the_supported_ones() -> None:
    with pytest.raises(EngineError, match=r"unsupported condition type 'Between'.*GreaterThanOrEqualTo"):
        evaluate({"Type": "Between"}, identity)
