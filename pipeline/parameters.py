"""Tooling's side of the parameter contract (runtime/parameters.py): `--param` text in, checked values out.

`mlpipe run` validates here, locally and with `--backend aws`, before any step runs or any AWS call,
every problem in one error.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from pipeline.assignments import parse_name_values
from runtime.parameters import PARAMETERS, PARAMETERS_BY_NAME, ParameterError, Value, resolve

__all__ = [
    "PARAMETERS",
    "PARAMETERS_BY_NAME",
    "ParameterError",
    "parameters_help",
    "parse_assignments",
    "validated",
    "with_exact_test_file",
]


def parse_assignments(assignments: Iterable[str]) -> dict[str, str]:
    """Split `Name=Value` strings (the CLI's repeated `--param`) into a mapping."""
    parsed, problems = parse_name_values(assignments, "--param", "MaxDepth=5")
    if problems:
        raise ParameterError(problems)
    return parsed


def validated(overrides: Mapping[str, str]) -> dict[str, Value]:
    """Every parameter's value with `overrides` applied; ParameterError lists every problem at once."""
    return resolve(overrides)


def with_exact_test_file(values: Mapping[str, str]) -> dict[str, str]:
    """`values` with TestFile set to TrainFile's name when it is empty or not given.

    Preprocess downloads exactly `data/<TestFile>` through its own processing input, and the
    definition cannot leave an input out at run time (Std:Join only concatenates; condition branches
    cannot rejoin, aws/sagemaker-python-sdk#3565). An empty TestFile would make that input the whole
    `data/` prefix; TrainFile's name is one object that exists, and preprocess reads it as "evaluate
    on the validation split", which is what an empty TestFile means.
    """
    train_file = values.get("TrainFile") or str(PARAMETERS_BY_NAME["TrainFile"].default)
    return {**values, "TestFile": values.get("TestFile") or train_file}


def parameters_help() -> str:
    """The parameter list for `mlpipe run --help`: name, type, default and help, one line each."""
    lines = ["Pipeline parameters (--param Name=Value):", ""]
    for parameter in PARAMETERS:
        default = repr(parameter.default) if parameter.type == "String" else str(parameter.default)
        lines.append(f"{parameter.name} ({parameter.type}, default {default}): {parameter.help}")
    return "\n\n".join(lines[:1] + lines[2:])
