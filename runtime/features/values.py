"""Coercion of raw values (CSV strings, JSON numbers, NumPy arrays) into numbers and category keys."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any, Union

import numpy as np

from runtime.features.errors import FeatureError

# A column as callers hand it over: a list from JSON records or an array from a CSV reader.
ColumnValues = Union[Sequence[Any], np.ndarray]  # noqa: UP007 (runtime alias must work on Python 3.10)

_PLAIN_NUMBER_TYPES = frozenset({int, float, type(None)})
_FLOAT32_MAX = float(np.finfo(np.float32).max)


def column_values(columns: Mapping[str, ColumnValues], name: str, n_rows: int) -> ColumnValues:
    """The column's values; a column the caller left out is all missing, not an error."""
    if name not in columns:
        return [None] * n_rows
    values = columns[name]
    if isinstance(values, np.ndarray) and values.ndim != 1:
        raise FeatureError(name, f"expected a one-dimensional column, got shape {values.shape}")
    if len(values) != n_rows:
        raise FeatureError(name, f"has {len(values)} values but the input has {n_rows} rows")
    return values


def is_missing(value: object) -> bool:
    """None, an empty or blank string and NaN are missing values."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, (float, np.floating)):
        return math.isnan(value)
    return False


def to_numbers(values: ColumnValues, column: str) -> np.ndarray:
    """Float64 array of the values, NaN where missing; FeatureError for anything that is not a number."""
    if isinstance(values, np.ndarray) and values.dtype.kind in "fiu":
        result = values.astype(np.float64)
    else:
        items = values.tolist() if isinstance(values, np.ndarray) else list(values)
        try:
            if set(map(type, items)) <= _PLAIN_NUMBER_TYPES:
                result = np.array(items, dtype=np.float64).reshape(len(items))
            else:
                result = np.fromiter((_number(v, column) for v in items), dtype=np.float64, count=len(items))
        except OverflowError:  # a JSON integer with hundreds of digits
            result = np.array([np.inf])
    # The model matrix is float32: a larger magnitude would silently become infinite there.
    if not (np.abs(result) <= _FLOAT32_MAX).all(where=~np.isnan(result)):
        raise FeatureError(
            column, "contains an infinite or too large value; send a finite number or leave the field out"
        )
    return result


def _number(value: object, column: str) -> float:
    if isinstance(value, (bool, np.bool_)):
        raise FeatureError(column, f"expected a number, got the boolean {value}; send a number instead")
    if isinstance(value, (int, float, np.integer, np.floating)):
        return float(value)
    if value is None:
        return math.nan
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return math.nan
        try:
            return float(text)
        except ValueError:
            raise FeatureError(
                column, f"cannot read {value!r} as a number; send a number or leave it out"
            ) from None
    raise FeatureError(
        column, f"expected a number, got {type(value).__name__}; send a number or leave it out"
    )


def category_key(value: object, column: str) -> str | None:
    """The category a value stands for: 3, 3.0 and "3" are the same category; None when missing."""
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        if math.isnan(value):
            return None
        return str(int(value)) if float(value).is_integer() else repr(float(value))
    if value is None:
        return None
    raise FeatureError(column, f"expected a string or a number, got {type(value).__name__}")


def category_keys(values: ColumnValues, column: str) -> list[str | None]:
    items = values.tolist() if isinstance(values, np.ndarray) else values
    if set(map(type, items)) <= {str}:  # the common case, without a type dispatch per value
        return [v.strip() or None for v in items]
    return [category_key(v, column) for v in items]


def category_index(vocabulary: Sequence[str]) -> dict[str, float]:
    """Category -> code; built once per spec (rebuilding it per request made 330k categories 49x slower)."""
    return {category: float(i) for i, category in enumerate(vocabulary)}


def category_codes(
    keys: Sequence[str | None], index: Mapping[str, float], fallback: str | None
) -> np.ndarray:
    """Code (`category_index`) of each key; unknown keys get the fallback's code (or NaN), missing NaN."""
    unknown = index.get(fallback, math.nan) if fallback is not None else math.nan
    codes = (math.nan if key is None else index.get(key, unknown) for key in keys)
    return np.fromiter(codes, dtype=np.float64, count=len(keys))
