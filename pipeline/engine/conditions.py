"""Evaluate a Condition step's conditions (comparisons, In, Not, Or) on resolved values."""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

from pipeline.engine.errors import EngineError

Resolver = Callable[[Any], Any]

_COMPARISONS: dict[str, Callable[[Any, Any], bool]] = {
    "Equals": operator.eq,
    "GreaterThan": operator.gt,
    "GreaterThanOrEqualTo": operator.ge,
    "LessThan": operator.lt,
    "LessThanOrEqualTo": operator.le,
}


def _comparable(left: Any, right: Any) -> tuple[Any, Any]:
    """Numbers compare as numbers even when one side arrives as text (a JSON value or a parameter)."""
    numeric = (int, float)
    if (
        isinstance(left, numeric) == isinstance(right, numeric)
        or isinstance(left, bool)
        or isinstance(right, bool)
    ):
        return left, right
    try:
        return float(left), float(right)
    except (TypeError, ValueError):
        raise EngineError(
            f"cannot compare {left!r} with {right!r}: one is a number, the other is not"
        ) from None


def evaluate(condition: dict[str, Any], resolve: Resolver) -> bool:
    """True when `condition` holds; `resolve` turns expressions into values."""
    kind = condition.get("Type")
    if kind in _COMPARISONS:
        left, right = _comparable(resolve(condition["LeftValue"]), resolve(condition["RightValue"]))
        try:
            return bool(_COMPARISONS[kind](left, right))
        except TypeError:
            raise EngineError(f"{kind}: cannot compare {left!r} with {right!r}") from None
    if kind == "In":
        query = resolve(condition["QueryValue"])
        return any(_equal(query, resolve(value)) for value in condition["Values"])
    if kind == "Not":
        return not evaluate(condition["Condition"], resolve)
    if kind == "Or":
        return any(evaluate(inner, resolve) for inner in condition["Conditions"])
    raise EngineError(
        f"unsupported condition type {kind!r}; supported: {', '.join([*_COMPARISONS, 'In', 'Not', 'Or'])}"
    )


def evaluate_all(conditions: list[dict[str, Any]], resolve: Resolver) -> bool:
    """A Condition step's outcome: every listed condition must hold."""
    return all(evaluate(condition, resolve) for condition in conditions)


def _equal(left: Any, right: Any) -> bool:
    left, right = _comparable(left, right)
    return bool(left == right)
