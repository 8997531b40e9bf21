"""Which columns feed the model when the project config leaves it open: the generic defaults, in one place.

Preprocess (on the whole training file) and training (on train + validation, the same rows) both call
these, so they cannot disagree. An empty parameter means "decide from the data"; an explicit JSON list,
even `[]`, is taken as given. Column names are exact: a JSON list keeps commas and spaces in names.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence

from runtime.features.errors import FeatureError
from runtime.features.values import ColumnValues, is_missing

AUTO = ""


def parse_column_list(text: str, parameter: str) -> tuple[str, ...] | None:
    """None for AUTO; a JSON list of strings exactly as written; else the legacy "a,b" form (stripped)."""
    if not text.strip():
        return None
    if text.lstrip().startswith("["):
        try:
            names = json.loads(text)
        except ValueError as error:
            raise FeatureError(parameter, f"is not a JSON list of column names ({error})") from None
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise FeatureError(parameter, 'must be a JSON list of strings, e.g. ["Age", "Sex"]')
        return tuple(dict.fromkeys(names))
    return tuple(name for name in (part.strip() for part in text.split(",")) if name)


def default_features(header: Sequence[str], *, target: str, id_column: str) -> tuple[str, ...]:
    """Every column except the target and the id column."""
    return tuple(name for name in header if name not in (target, id_column))


def is_numeric_column(values: ColumnValues) -> bool:
    """True when every present value reads as a finite number (a column of only missing values too)."""
    for value in values.tolist() if hasattr(values, "tolist") else values:
        if is_missing(value):
            continue
        try:
            number = float(value)
        except (TypeError, ValueError):
            return False
        if not math.isfinite(number):
            return False
    return True


def default_categorical(columns: Mapping[str, ColumnValues], features: Sequence[str]) -> tuple[str, ...]:
    """The features whose values are not all numbers."""
    return tuple(name for name in features if name in columns and not is_numeric_column(columns[name]))


def complete_columns(columns: Mapping[str, ColumnValues], names: Sequence[str]) -> tuple[str, ...]:
    """The columns of `names` with no missing value: the default required features of a model."""
    return tuple(name for name in names if name in columns and not any(map(is_missing, columns[name])))


def resolve_columns(
    columns: Mapping[str, ColumnValues],
    *,
    target: str,
    id_column: str,
    feature_columns: str,
    categorical_columns: str,
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(features, categorical): the parameters as given, or the generic defaults decided on `columns`."""
    features = parse_column_list(feature_columns, "FeatureColumns")
    if features is None:
        features = default_features(list(columns), target=target, id_column=id_column)
    categorical = parse_column_list(categorical_columns, "CategoricalColumns")
    if categorical is None:
        categorical = default_categorical(columns, features)
    return features, categorical
