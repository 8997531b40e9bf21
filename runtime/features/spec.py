"""The feature spec: which columns feed the model and how, fitted on training data, applied everywhere.

Training, evaluation and serving all turn raw values into the model matrix through `FeatureSpec`, so
they cannot drift apart. NumPy and the standard library only: this runs in Lambda without pandas.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import numpy as np

from runtime.features.columns import complete_columns
from runtime.features.derived import DerivedFeature, parse_columns, parse_derived_features
from runtime.features.errors import FeatureError
from runtime.features.schema import input_schema, output_schema
from runtime.features.spec_checks import check_spec_document, check_spec_limits
from runtime.features.values import (
    ColumnValues,
    category_codes,
    category_index,
    category_keys,
    column_values,
    to_numbers,
)

__all__ = [
    "SPEC_FORMAT",
    "DerivedFeature",
    "FeatureError",
    "FeatureSpec",
    "check_feature_parameters",
    "fit_feature_spec",
    "parse_columns",
    "parse_derived_features",
]

SPEC_FORMAT = "mlpipe.feature-spec/1"
RARE = "Rare"
RARE_MIN_COUNT = 10  # derived categories seen fewer times than this in training fold into RARE


@dataclass(frozen=True)
class FeatureSpec:
    """Numeric columns, categorical columns with their vocabularies (raw and derived), derived features."""

    target: str
    numeric: tuple[str, ...]
    categorical: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    derived: tuple[DerivedFeature, ...] = ()
    # The serving contract (runtime/features/contract.py): inputs a request must carry, and the other
    # columns of the training data (target, id, unused), which are known fields rather than typos.
    required: tuple[str, ...] = ()
    known: tuple[str, ...] = ()
    _codes: Mapping[str, Mapping[str, float]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        """Check the limits and build each category lookup once, not on every request."""
        categorical_derived = (d.name for d in self.derived if d.categorical)
        check_spec_limits(self.feature_names, self.categorical, categorical_derived)
        codes = {name: category_index(vocabulary) for name, vocabulary in self.categorical.items()}
        object.__setattr__(self, "_codes", codes)

    @property
    def raw_categorical(self) -> tuple[str, ...]:
        derived_names = {d.name for d in self.derived}
        return tuple(c for c in self.categorical if c not in derived_names)

    @property
    def feature_names(self) -> tuple[str, ...]:
        """Matrix column order: numeric, then raw categorical, then derived features."""
        return self.numeric + self.raw_categorical + tuple(d.name for d in self.derived)

    @property
    def input_columns(self) -> tuple[str, ...]:
        """Raw columns a caller may send (features and the sources of derived features)."""
        names = self.numeric + self.raw_categorical + tuple(s for d in self.derived for s in d.sources)
        return tuple(dict.fromkeys(names))

    def transform_columns(self, columns: Mapping[str, ColumnValues], n_rows: int) -> np.ndarray:
        """Float32 (n_rows, len(feature_names)) matrix; absent columns and missing values become NaN."""
        matrix = np.empty((n_rows, len(self.feature_names)), dtype=np.float32)
        position = 0
        for name in self.numeric:
            matrix[:, position] = to_numbers(column_values(columns, name, n_rows), name)
            position += 1
        for name in self.raw_categorical:
            keys = category_keys(column_values(columns, name, n_rows), name)
            matrix[:, position] = category_codes(keys, self._codes[name], fallback=None)
            position += 1
        for feature in self.derived:
            values = feature.compute(columns, n_rows)
            if feature.categorical:
                index = self._codes[feature.name]
                fallback = RARE if RARE in index else None
                values = category_codes(cast("list[str | None]", values), index, fallback=fallback)
            matrix[:, position] = values
            position += 1
        return matrix

    def transform_records(self, records: Sequence[Mapping[str, object]]) -> np.ndarray:
        """Float32 matrix for JSON-like records; keys a record leaves out are missing values."""
        for i, record in enumerate(records):
            if not isinstance(record, Mapping):
                raise FeatureError(f"instances[{i}]", f"expected an object, got {type(record).__name__}")
        columns = {name: [record.get(name) for record in records] for name in self.input_columns}
        return self.transform_columns(columns, len(records))

    def input_schema(self) -> dict[str, Any]:
        return input_schema(self)

    def output_schema(self) -> dict[str, Any]:
        return output_schema(self.target)

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": SPEC_FORMAT,
            "target": self.target,
            "numeric": list(self.numeric),
            "categorical": {name: list(vocabulary) for name, vocabulary in self.categorical.items()},
            "derived": [
                {"name": d.name, "function": d.function, "sources": list(d.sources)} for d in self.derived
            ],
            "feature_names": list(self.feature_names),
            "required": list(self.required),
            "known": list(self.known),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FeatureSpec:
        if data.get("format") != SPEC_FORMAT:
            raise ValueError(
                f"feature spec format {data.get('format')!r} is not {SPEC_FORMAT!r}; "
                "retrain the model with this version of the code"
            )
        check_spec_document(data)
        try:
            spec = cls(
                target=str(data["target"]),
                numeric=tuple(data["numeric"]),
                categorical={str(k): tuple(v) for k, v in data["categorical"].items()},
                derived=tuple(
                    DerivedFeature(d["name"], d["function"], tuple(d["sources"])) for d in data["derived"]
                ),
                # Absent in specs written before the serving contract: nothing required, nothing known.
                required=tuple(data.get("required", ())),
                known=tuple(data.get("known", ())),
            )
        except (KeyError, TypeError, AttributeError) as error:
            raise ValueError(f"feature spec is malformed ({error!r}); retrain the model") from error
        if list(spec.feature_names) != data.get("feature_names", list(spec.feature_names)):
            raise ValueError("feature spec lists feature_names in another order than its columns; retrain")
        return spec


def fit_feature_spec(
    columns: Mapping[str, ColumnValues],
    *,
    target: str,
    feature_columns: Sequence[str],
    categorical_columns: Sequence[str],
    derived: Sequence[DerivedFeature] = (),
    required: Sequence[str] | None = None,
    known: Sequence[str] = (),
) -> FeatureSpec:
    """Learn vocabularies from training columns only, checking that every requested column is usable.

    `required` None: the feature columns with no missing value in these rows (the default contract).
    """
    check_feature_parameters(
        target=target,
        feature_columns=feature_columns,
        categorical_columns=categorical_columns,
        derived=derived,
    )
    for name in [*feature_columns, *(s for d in derived for s in d.sources)]:
        if name not in columns:
            raise FeatureError(
                name, f"missing from the training data; available columns: {', '.join(columns)}"
            )
    n_rows = len(next(iter(columns.values()))) if columns else 0
    numeric = tuple(c for c in feature_columns if c not in categorical_columns)
    for name in numeric:
        to_numbers(column_values(columns, name, n_rows), name)
    vocabularies = {
        name: tuple(sorted({k for k in category_keys(column_values(columns, name, n_rows), name) if k}))
        for name in dict.fromkeys(categorical_columns)
    }
    for feature in derived:
        values = feature.compute(columns, n_rows)
        if feature.categorical:
            vocabularies[feature.name] = _folded_vocabulary(values)  # type: ignore[arg-type]
    if required is None:
        required = complete_columns(columns, feature_columns)
    inputs = {*feature_columns, *(s for d in derived for s in d.sources)}
    for name in required:
        if name not in inputs:
            raise FeatureError(name, "is in RequiredColumns but is not an input of the model; remove it")
    return FeatureSpec(
        target=target,
        numeric=numeric,
        categorical=vocabularies,
        derived=tuple(derived),
        required=tuple(required),
        known=tuple(name for name in known if name not in inputs),
    )


def _folded_vocabulary(keys: Sequence[str | None]) -> tuple[str, ...]:
    counts = Counter(k for k in keys if k is not None)
    frequent = sorted(k for k, n in counts.items() if n >= RARE_MIN_COUNT)
    has_rare = any(n < RARE_MIN_COUNT for n in counts.values()) or RARE in frequent
    return tuple(k for k in frequent if k != RARE) + ((RARE,) if has_rare else ())


def check_feature_parameters(
    *,
    target: str,
    feature_columns: Sequence[str],
    categorical_columns: Sequence[str],
    derived: Sequence[DerivedFeature],
) -> None:
    """Check that the feature parameters agree with each other (before any data is read)."""
    if not feature_columns and not derived:
        raise FeatureError("FeatureColumns", "no features requested; name at least one column")
    for name in categorical_columns:
        if name not in feature_columns:
            raise FeatureError(
                name,
                "is in CategoricalColumns but not in FeatureColumns; add it to "
                "FeatureColumns or remove it from CategoricalColumns",
            )
    if target in feature_columns or any(target in d.sources for d in derived):
        raise FeatureError(target, "is the target; remove it from the feature and derived columns")
    for feature in derived:
        if feature.name in feature_columns or feature.name == target:
            raise FeatureError(feature.name, "derived feature name clashes with a column; rename it")
