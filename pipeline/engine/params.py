"""Pipeline parameter values: the definition's defaults, overridden by validated `Name=Value` strings."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pipeline.engine.errors import ParameterError

ParameterValue = str | int | float | bool

_TRUE = {"true", "1", "yes"}
_FALSE = {"false", "0", "no"}


def parse_assignments(assignments: Iterable[str]) -> dict[str, str]:
    """Split `Name=Value` strings (the CLI's repeated `--param`) into a mapping."""
    parsed: dict[str, str] = {}
    for assignment in assignments:
        name, separator, value = assignment.partition("=")
        if not separator or not name.strip():
            raise ParameterError(f"--param {assignment!r} is not Name=Value; example: --param MaxDepth=5")
        parsed[name.strip()] = value
    return parsed


def _convert(name: str, kind: str, raw: str) -> ParameterValue:
    """Parse `raw` as the parameter's declared type, or say what a valid value looks like."""
    try:
        if kind == "Integer":
            return int(raw)
        if kind == "Float":
            return float(raw)
    except ValueError:
        example = "5" if kind == "Integer" else "0.1"
        raise ParameterError(
            f"parameter {name} is {kind}; got {raw!r} (example: --param {name}={example})"
        ) from None
    if kind == "Boolean":
        if raw.lower() in _TRUE | _FALSE:
            return raw.lower() in _TRUE
        raise ParameterError(f"parameter {name} is Boolean; got {raw!r} (use true or false)")
    return raw


def resolve_parameters(
    declared: list[dict[str, Any]], overrides: Mapping[str, str]
) -> dict[str, ParameterValue]:
    """Values of every declared parameter; raises ParameterError listing the valid names on a bad override."""
    types = {parameter["Name"]: parameter.get("Type", "String") for parameter in declared}
    unknown = sorted(set(overrides) - set(types))
    if unknown:
        raise ParameterError(
            f"unknown parameter(s) {', '.join(unknown)}; valid names: {', '.join(sorted(types))}"
        )
    values: dict[str, ParameterValue] = {}
    for parameter in declared:
        name = parameter["Name"]
        if name in overrides:
            values[name] = _convert(name, types[name], overrides[name])
        elif "DefaultValue" in parameter:
            values[name] = parameter["DefaultValue"]
        elif types[name] == "String":
            # The SDK leaves DefaultValue out for an empty string default.
            values[name] = ""
        else:
            raise ParameterError(f"parameter {name} has no default; give it with --param {name}=VALUE")
    return values
