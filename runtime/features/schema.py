"""JSON-schema-like descriptions of what a model takes and returns (for metadata and the registry)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from runtime.features.spec import FeatureSpec

_NUMBER = {"type": ["number", "null"]}
_ANY_SCALAR = {"type": ["string", "number", "boolean", "null"]}


def input_schema(spec: FeatureSpec) -> dict[str, Any]:
    """One instance: its fields, which of them are `required` (the serving contract), no other fields.

    `known` lists the other columns of the training data, which requests may carry and which are ignored.
    """
    properties: dict[str, Any] = {}
    for name in spec.input_columns:
        properties[name] = dict(_ANY_SCALAR)
    for feature in spec.derived:
        for source in feature.sources:
            if feature.function == "title":
                properties[source] = {
                    "type": ["string", "null"],
                    "description": "a name 'Last, Title. First'",
                }
            elif feature.function == "sum":
                properties[source] = dict(_NUMBER)
    for name in spec.numeric:
        properties[name] = dict(_NUMBER)
    for name in spec.raw_categorical:
        properties[name] = {"type": ["string", "number", "null"], "categories": list(spec.categorical[name])}
    return {
        "type": "object",
        "properties": properties,
        "required": list(spec.required),
        "known": list(spec.known),
        "additionalProperties": False,
    }


def output_schema(target: str) -> dict[str, Any]:
    """One prediction: the predicted class of the target and its probability."""
    return {
        "type": "object",
        "target": target,
        "properties": {
            "prediction": {"type": "integer", "enum": [0, 1]},
            "probability": {"type": "number", "minimum": 0.0, "maximum": 1.0},
        },
        "required": ["prediction", "probability"],
    }
