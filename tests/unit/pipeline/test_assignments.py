"""pipeline/assignments.py: the one Name=Value parser behind --param and --instance."""

from __future__ import annotations

import pytest

from pipeline.assignments import parse_name_values
from pipeline.batch_predict import BatchInputError, parse_instance
from pipeline.parameters import ParameterError, parse_assignments


def test_names_are_stripped_values_kept_and_the_last_assignment_wins() -> None:
    parsed, problems = parse_name_values(
        [" Age =22", "Sex=male", "Age=a=b", "Note= "], "--instance", "Age=22"
    )

    assert parsed == {"Age": "a=b", "Sex": "male", "Note": " "}
    assert problems == []


def test_every_malformed_assignment_is_one_problem() -> None:
    parsed, problems = parse_name_values(["MaxDepth", "=5", " =1", "Eta=0.1"], "--param", "MaxDepth=5")

    assert parsed == {"Eta": "0.1"}
    assert problems == [
        "--param 'MaxDepth' is not Name=Value; example: --param MaxDepth=5",
        "--param '=5' is not Name=Value; example: --param MaxDepth=5",
        "--param ' =1' is not Name=Value; example: --param MaxDepth=5",
    ]


def test_param_reports_all_problems_in_one_parameter_error() -> None:
    with pytest.raises(ParameterError) as raised:
        parse_assignments(["MaxDepth", "Eta"])

    assert "'MaxDepth'" in str(raised.value) and "'Eta'" in str(raised.value)


def test_instance_problems_are_batch_input_errors() -> None:
    with pytest.raises(
        BatchInputError, match=r"--instance 'Age' is not Name=Value; example: --instance Age=22"
    ):
        parse_instance(["Age"])
    with pytest.raises(BatchInputError, match="no --instance given"):
        parse_instance([])
    assert parse_instance(["Age=22"]) == {"Age": "22"}
