"""The serving contract (runtime/features/contract.py) and the generic column defaults (columns.py)."""

from __future__ import annotations

import pytest

from runtime.features.columns import parse_column_list, resolve_columns
from runtime.features.contract import (
    MISSING_FEATURE,
    UNKNOWN_FIELD,
    UNSEEN_CATEGORY,
    ContractViolation,
    check_records,
)
from runtime.features.errors import FeatureError
from runtime.features.spec import FeatureSpec, fit_feature_spec

COLUMNS: dict[str, list[object]] = {
    "bill length, mm": ["39.1", "40.3", "", "36.7"],
    "species": ["Adelie", "Gentoo", "Adelie", "Chinstrap"],
    "island": ["Biscoe", "Dream", "", "Biscoe"],
    "penguin id": ["p1", "p2", "p3", "p4"],
    "male": ["1", "0", "1", "0"],
}


def fitted() -> FeatureSpec:
    features, categorical = resolve_columns(
        COLUMNS, target="male", id_column="penguin id", feature_columns="", categorical_columns=""
    )
    return fit_feature_spec(
        COLUMNS,
        target="male",
        feature_columns=features,
        categorical_columns=categorical,
        known=list(COLUMNS),
    )


def test_generic_defaults_every_column_but_target_and_id_and_the_non_numeric_are_categories() -> None:
    features, categorical = resolve_columns(
        COLUMNS, target="male", id_column="penguin id", feature_columns="", categorical_columns=""
    )
    assert features == ("bill length, mm", "species", "island")
    assert categorical == ("species", "island")


def test_json_lists_keep_commas_and_spaces_in_names_and_empty_means_auto() -> None:
    assert parse_column_list('["bill length, mm", " island "]', "FeatureColumns") == (
        "bill length, mm",
        " island ",
    )
    assert parse_column_list("", "FeatureColumns") is None
    assert parse_column_list("[]", "CategoricalColumns") == ()
    with pytest.raises(FeatureError, match="JSON list of strings"):
        parse_column_list('["a", 1]', "FeatureColumns")


def test_required_are_the_features_never_missing_in_training() -> None:
    spec = fitted()
    assert spec.required == ("species",)
    assert spec.input_schema()["required"] == ["species"]
    assert FeatureSpec.from_dict(spec.to_dict()).required == ("species",)


def test_a_missing_or_blank_required_feature_is_refused_naming_it() -> None:
    with pytest.raises(ContractViolation) as refused:
        check_records(fitted(), [{"species": "Adelie"}, {"species": " ", "island": "Dream"}])
    assert refused.value.code == MISSING_FEATURE
    assert refused.value.fields == ["species"]
    assert "instances[1]" in refused.value.message


def test_an_unknown_field_is_refused_with_the_closest_expected_name() -> None:
    with pytest.raises(ContractViolation) as refused:
        check_records(fitted(), [{"species": "Adelie", "Bill_Length, MM": 45}])
    assert refused.value.code == UNKNOWN_FIELD
    assert refused.value.fields == ["Bill_Length, MM"]
    assert "did you mean 'bill length, mm'?" in refused.value.message
    assert '"allow_unknown_fields": true' in refused.value.message


def test_other_training_columns_are_known_and_the_opt_out_lets_anything_through() -> None:
    spec = fitted()
    assert check_records(spec, [{"species": "Adelie", "penguin id": "p9", "male": 1}]) == []
    assert check_records(spec, [{"species": "Adelie", "colour": "blue"}], allow_unknown_fields=True) == []


def test_an_unseen_category_is_a_warning_naming_field_and_value() -> None:
    records = [{"species": "Emperor"}, {"species": "Emperor"}, {"species": "Adelie"}]
    warnings = check_records(fitted(), records)
    assert [(w["code"], w["field"], w["value"], w["instance"]) for w in warnings] == [
        (UNSEEN_CATEGORY, "species", "Emperor", 0)
    ]
