"""Parameter overrides: typed against the definition, unknown names listed, all before running."""

from __future__ import annotations

from typing import Any

import pytest

from pipeline.engine.params import resolve_parameters
from pipeline.parameters import parse_assignments
from runtime.parameters import ParameterError

DECLARED: list[dict[str, Any]] = [
    {"Name": "MaxDepth", "Type": "Integer", "DefaultValue": 4},
    {"Name": "Eta", "Type": "Float", "DefaultValue": 0.05},
    {"Name": "Target", "Type": "String", "DefaultValue": "Survived"},
    {"Name": "TestFile", "Type": "String"},
    {"Name": "Shuffle", "Type": "Boolean", "DefaultValue": False},
]


def test_defaults_apply_and_an_absent_string_default_is_empty() -> None:
    values = resolve_parameters(DECLARED, {})
    assert values == {"MaxDepth": 4, "Eta": 0.05, "Target": "Survived", "TestFile": "", "Shuffle": False}


def test_overrides_are_converted_to_the_declared_type() -> None:
    values = resolve_parameters(DECLARED, {"MaxDepth": "6", "Eta": "0.1", "Target": "y", "Shuffle": "true"})
    assert (values["MaxDepth"], values["Eta"], values["Target"], values["Shuffle"]) == (6, 0.1, "y", True)


def test_unknown_names_are_listed_with_the_valid_ones() -> None:
    with pytest.raises(ParameterError, match=r"unknown parameter\(s\) Depth; valid names: Eta, MaxDepth"):
        resolve_parameters(DECLARED, {"Depth": "3"})


@pytest.mark.parametrize(
    ("name", "raw"), [("MaxDepth", "4.5"), ("MaxDepth", "deep"), ("Eta", "fast"), ("Shuffle", "maybe")]
)
def test_wrong_types_name_the_parameter_and_its_type(name: str, raw: str) -> None:
    with pytest.raises(ParameterError, match=f"parameter {name} is"):
        resolve_parameters(DECLARED, {name: raw})


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(ParameterError) as error:
        resolve_parameters(DECLARED, {"Depth": "3", "MaxDepth": "deep", "Eta": "fast"})
    assert len(error.value.problems) == 3


def test_a_parameter_without_default_must_be_given() -> None:
    with pytest.raises(ParameterError, match="--param Seed=VALUE"):
        resolve_parameters([{"Name": "Seed", "Type": "Integer"}], {})


def test_assignments_split_on_the_first_equals_sign() -> None:
    assert parse_assignments(["A=1", "B=x=y", "C="]) == {"A": "1", "B": "x=y", "C": ""}


@pytest.mark.parametrize("bad", ["MaxDepth", "=3"])
def test_assignments_without_a_name_are_refused(bad: str) -> None:
    with pytest.raises(ParameterError, match="not Name=Value"):
        parse_assignments([bad])
