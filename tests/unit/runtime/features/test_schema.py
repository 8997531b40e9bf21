"""Input and output schemas: literal expectations for a spec with every kind of input."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, cast

from runtime.features.derived import DerivedFeature
from runtime.features.schema import input_schema, output_schema


def spec(**changes: Any) -> Any:
    """The fields input_schema reads, as a FeatureSpec of Titanic's kind has them."""
    fields = {
        "input_columns": ("Pclass", "Sex", "Age", "Name", "SibSp", "Parch"),
        "derived": (
            DerivedFeature(name="Title", function="title", sources=("Name",)),
            DerivedFeature(name="FamilySize", function="sum", sources=("SibSp", "Parch")),
        ),
        "numeric": ("Pclass", "Age"),
        "raw_categorical": ("Sex",),
        "categorical": {"Sex": ("female", "male"), "Title": ("Mr", "Mrs")},
        "required": ("Pclass", "Sex"),
        "known": ("PassengerId",),
    }
    return cast(Any, SimpleNamespace(**{**fields, **changes}))


def test_input_schema_types_each_input_by_how_the_spec_uses_it() -> None:
    assert input_schema(spec()) == {
        "type": "object",
        "properties": {
            "Pclass": {"type": ["number", "null"]},
            "Sex": {"type": ["string", "number", "null"], "categories": ["female", "male"]},
            "Age": {"type": ["number", "null"]},
            "Name": {"type": ["string", "null"], "description": "a name 'Last, Title. First'"},
            "SibSp": {"type": ["number", "null"]},
            "Parch": {"type": ["number", "null"]},
        },
        "required": ["Pclass", "Sex"],
        "known": ["PassengerId"],
        "additionalProperties": False,
    }


def test_an_input_only_a_present_feature_reads_accepts_any_scalar() -> None:
    schema = input_schema(
        spec(
            input_columns=("Cabin",),
            derived=(DerivedFeature(name="HasCabin", function="present", sources=("Cabin",)),),
            numeric=(),
            raw_categorical=(),
            required=(),
        )
    )
    assert schema["properties"] == {"Cabin": {"type": ["string", "number", "boolean", "null"]}}
    assert schema["required"] == []


def test_output_schema_names_the_target_and_bounds_the_probability() -> None:
    assert output_schema("Survived") == {
        "type": "object",
        "target": "Survived",
        "properties": {
            "prediction": {"type": "integer", "enum": [0, 1]},
            "probability": {"type": "number", "minimum": 0.0, "maximum": 1.0},
        },
        "required": ["prediction", "probability"],
    }
