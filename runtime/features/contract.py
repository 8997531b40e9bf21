"""The serving contract: what a request (or a CSV) must carry, checked before anything is scored.

One implementation for the Lambda handler, `mlpipe serve` (the same handler) and `mlpipe predict`:
- a required input (`FeatureSpec.required`: by default the features with no missing value in
  training) that is absent, null or blank -> `missing_feature`, naming every such field;
- a field that is neither an input of the model nor another column of its training data ->
  `unknown_field`, naming it and the closest expected name, unless the caller allows unknown fields;
- a category the model never saw in training -> scored as missing, with a warning naming field and value.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from runtime.features.spec import FeatureSpec
from runtime.features.values import category_key, is_missing

MISSING_FEATURE = "missing_feature"
UNKNOWN_FIELD = "unknown_field"
UNSEEN_CATEGORY = "unseen_category"
ALLOW_UNKNOWN_FIELDS = "allow_unknown_fields"
MAX_LISTED = 20  # names listed in one message; a request with thousands of typos needs no more


class ContractViolation(ValueError):
    """A request the model cannot score without guessing; `code` and `fields` go into the 400 answer."""

    def __init__(self, code: str, message: str, fields: Sequence[str]) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.fields = list(fields)


def closest(name: str, expected: Iterable[str]) -> str | None:
    """The expected name `name` most likely means (case and spacing ignored first), or None."""
    candidates = list(expected)
    folded = {c.casefold().replace(" ", "").replace("_", ""): c for c in candidates}
    key = name.casefold().replace(" ", "").replace("_", "")
    if key in folded:
        return folded[key]
    match = difflib.get_close_matches(name, candidates, n=1, cutoff=0.6)
    return match[0] if match else None


def check_fields(spec: FeatureSpec, fields: Iterable[str], *, what: str = "field") -> None:
    """Refuse names that are not inputs and not other training columns (`unknown_field`)."""
    known = {*spec.input_columns, *spec.known, spec.target}
    unknown = [name for name in dict.fromkeys(fields) if name not in known]
    if not unknown:
        return
    hints = []
    for name in unknown[:MAX_LISTED]:
        guess = closest(name, spec.input_columns)
        hints.append(f"{name!r} (did you mean {guess!r}?)" if guess else repr(name))
    raise ContractViolation(
        UNKNOWN_FIELD,
        f"unknown {what}(s) {', '.join(hints)}; this model takes: {_names(spec.input_columns)}. "
        f'Fix the name, or send "{ALLOW_UNKNOWN_FIELDS}": true to let extra fields through',
        unknown,
    )


def check_required(
    spec: FeatureSpec, records: Sequence[Mapping[str, object]], *, label: str, offset: int = 0
) -> None:
    """Refuse records without a value for a required input (`missing_feature`), naming them all."""
    missing: dict[str, int] = {}
    for name in spec.required:
        for index, record in enumerate(records):
            if is_missing(record.get(name)):
                missing[name] = index
                break
    if not missing:
        return
    first = min(missing.values())
    raise ContractViolation(
        MISSING_FEATURE,
        f"missing required feature(s) {_names(missing)} (first in {label.format(first + offset)}); "
        f"this model needs a value for each of {_names(spec.required)} in every instance",
        list(missing),
    )


def unseen_categories(
    spec: FeatureSpec, records: Sequence[Mapping[str, object]], offset: int = 0
) -> list[dict[str, Any]]:
    """One warning per (field, value) outside the training vocabulary; such values are scored as missing."""
    warnings: dict[tuple[str, str], dict[str, Any]] = {}
    for name in spec.raw_categorical:
        vocabulary = set(spec.categorical[name])
        for index, record in enumerate(records):
            key = _category(record.get(name), name)
            if key is not None and key not in vocabulary and (name, key) not in warnings:
                warnings[(name, key)] = {
                    "code": UNSEEN_CATEGORY,
                    "field": name,
                    "value": key,
                    "instance": index + offset,
                    "message": f"{name}={key!r} was not seen in training; it was scored as a missing value",
                }
    return list(warnings.values())


def check_records(
    spec: FeatureSpec,
    records: Sequence[Mapping[str, object]],
    *,
    allow_unknown_fields: bool = False,
    label: str = "instances[{}]",
) -> list[dict[str, Any]]:
    """Apply the contract to JSON-like records; returns the warnings, raises ContractViolation."""
    if not allow_unknown_fields:
        check_fields(spec, (name for record in records for name in record))
    check_required(spec, records, label=label)
    return unseen_categories(spec, records)


def _category(value: object, name: str) -> str | None:
    try:
        return category_key(value, name)
    except ValueError:  # a wrong type: the spec reports it as invalid_value when it transforms
        return None


def _names(names: Iterable[str]) -> str:
    listed = list(names)
    shown = ", ".join(repr(n) for n in listed[:MAX_LISTED])
    return shown + (f" and {len(listed) - MAX_LISTED} more" if len(listed) > MAX_LISTED else "")
