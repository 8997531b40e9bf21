"""Parameter values of one execution: the definition's declared parameters, overridden by text values.

The engine runs any definition (tests run small fake ones), so it types values by the definition's own
`Parameters`; what the values must be is the contract's business (runtime/parameters.py), checked by
the caller before the engine starts. Conversion and errors are the contract's, not a second copy.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from runtime.parameters import ParameterError, convert

ParameterValue = str | int | float | bool

_TRUE = {"true", "1", "yes"}
_FALSE = {"false", "0", "no"}


def _typed(name: str, kind: str, raw: str) -> ParameterValue:
    if kind == "Boolean":  # declared by pipeline definitions in general, not by this project's contract
        if raw.lower() in _TRUE | _FALSE:
            return raw.lower() in _TRUE
        raise ValueError(f"is Boolean; got {raw!r} (use true or false)")
    try:
        return convert(kind, raw)
    except ValueError as error:
        raise ValueError(f"{error}; set it with --param {name}=VALUE") from None


def _default(parameter: Mapping[str, Any]) -> ParameterValue | None:
    if "DefaultValue" in parameter:
        default: ParameterValue = parameter["DefaultValue"]
        return default
    # The SDK leaves DefaultValue out for an empty string default.
    return "" if parameter.get("Type", "String") == "String" else None


def resolve_parameters(
    declared: list[dict[str, Any]], overrides: Mapping[str, str]
) -> dict[str, ParameterValue]:
    """Values of every declared parameter; raises ParameterError listing every problem at once."""
    types = {parameter["Name"]: parameter.get("Type", "String") for parameter in declared}
    problems: list[str] = []
    unknown = sorted(set(overrides) - set(types))
    if unknown:
        problems.append(f"unknown parameter(s) {', '.join(unknown)}; valid names: {', '.join(sorted(types))}")
    values: dict[str, ParameterValue] = {}
    for parameter in declared:
        name = parameter["Name"]
        try:
            value = _typed(name, types[name], overrides[name]) if name in overrides else _default(parameter)
        except ValueError as error:
            problems.append(f"parameter {name} {error}")
            continue
        if value is None:
            problems.append(f"parameter {name} has no default; give it with --param {name}=VALUE")
        else:
            values[name] = value
    if problems:
        raise ParameterError(problems)
    return values
