"""The shape and limits a feature spec must meet before it is used, checked once when it is loaded.

A spec read from an archive is data from outside: a spec with 330,000 categories made every request
49x slower, a 100,000-deep nested one raised RecursionError on every refresh, and `numeric: [[1]]`
loaded and then failed every request with a 500. `check_spec_document` checks the JSON types
(so no value can nest deeper than the format allows) and `check_spec_limits` the counts and the
cross-references; both raise ValueError (FeatureError) with the reason, which refuses the version.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from runtime.features.errors import FeatureError

MAX_FEATURES = 10_000  # columns of the model matrix
MAX_CATEGORIES = 100_000  # categories of one feature: more is an identifier, not a category


def check_spec_document(data: Mapping[str, Any]) -> None:
    """Types of a spec as JSON: strings, lists of strings, and a mapping of lists of strings."""
    _string(data.get("target"), "target")
    _strings(data.get("numeric"), "numeric")
    categorical = data.get("categorical")
    if not isinstance(categorical, dict):
        raise _malformed(f"'categorical' must be an object, got {_kind(categorical)}")
    for name, vocabulary in categorical.items():
        _strings(vocabulary, f"categorical.{name}")
    derived = data.get("derived")
    if not isinstance(derived, list) or len(derived) > MAX_FEATURES:
        raise _malformed(f"'derived' must be a list of at most {MAX_FEATURES} objects")
    for i, feature in enumerate(derived):
        if not isinstance(feature, dict):
            raise _malformed(f"'derived[{i}]' must be an object, got {_kind(feature)}")
        _string(feature.get("name"), f"derived[{i}].name")
        _string(feature.get("function"), f"derived[{i}].function")
        _strings(feature.get("sources"), f"derived[{i}].sources", MAX_FEATURES)
    for optional in ("feature_names", "required", "known"):
        if optional in data:
            _strings(data[optional], optional, MAX_FEATURES)


def check_spec_limits(
    feature_names: Sequence[str], categorical: Mapping[str, Sequence[str]], categorical_derived: Iterable[str]
) -> None:
    """Unique feature names within MAX_FEATURES; each vocabulary unique and within MAX_CATEGORIES."""
    if len(feature_names) > MAX_FEATURES:
        raise FeatureError(
            "FeatureColumns", f"{len(feature_names)} features, over the limit of {MAX_FEATURES}; use fewer"
        )
    repeated = [name for name, count in Counter(feature_names).items() if count > 1]
    if repeated:
        raise FeatureError(repeated[0], "is used for more than one feature; give each feature its own name")
    for name, vocabulary in categorical.items():
        if len(vocabulary) > MAX_CATEGORIES:
            raise FeatureError(
                name,
                f"has {len(vocabulary)} categories, over the limit of {MAX_CATEGORIES}; an identifier-like "
                "column is no category: drop it from the features or make it numeric",
            )
        if len(set(vocabulary)) != len(vocabulary):
            raise FeatureError(name, "lists a category twice in the feature spec; retrain the model")
    for name in categorical_derived:
        if name not in categorical:
            raise FeatureError(
                name, "is a categorical derived feature without a vocabulary; retrain the model"
            )


def _string(value: object, where: str) -> None:
    if not isinstance(value, str):
        raise _malformed(f"'{where}' must be a string, got {_kind(value)}")


def _strings(value: object, where: str, limit: int | None = None) -> None:
    """A list of strings; the counts of features and categories are checked later, with their names."""
    if not isinstance(value, list):
        raise _malformed(f"'{where}' must be a list of strings, got {_kind(value)}")
    if limit is not None and len(value) > limit:
        raise _malformed(f"'{where}' has {len(value)} entries, over the limit of {limit}")
    for item in value:
        if not isinstance(item, str):
            raise _malformed(f"'{where}' must hold strings only, found {_kind(item)}")


def _malformed(reason: str) -> ValueError:
    return ValueError(f"feature spec is malformed: {reason}; retrain the model with this version of the code")


def _kind(value: object) -> str:
    return "null" if value is None else type(value).__name__
