"""Stub responses checked against botocore's own SageMaker service model (no hand-guessed shapes)."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from typing import Any

from botocore.loaders import create_loader
from botocore.model import ServiceModel, Shape, StructureShape


@cache
def sagemaker_model() -> ServiceModel:
    """The SageMaker service model that ships with the installed botocore."""
    definition = create_loader().load_service_model("sagemaker", "service-2")
    return ServiceModel(definition, service_name="sagemaker")


def shaped_response(operation: str, values: dict[str, Any]) -> dict[str, Any]:
    """`values` cut to the members of the operation's output shape, required members filled from the model.

    moto's answers sometimes lack members the real service always returns (DescribeModelPackageGroup
    has no CreatedBy), which the Stubber would reject.
    """
    shape = sagemaker_model().operation_model(operation).output_shape
    assert isinstance(shape, StructureShape)
    response = {name: value for name, value in values.items() if name in shape.members}
    for name in set(shape.required_members) - set(response):
        response[name] = _placeholder(shape.members[name])
    return response


def _placeholder(shape: Shape) -> Any:
    """The smallest value the model accepts for `shape`."""
    if isinstance(shape, StructureShape):
        return {name: _placeholder(shape.members[name]) for name in shape.required_members}
    simple: dict[str, Any] = {
        "string": shape.metadata.get("enum", ["stub"])[0],
        "timestamp": datetime(2025, 1, 1, tzinfo=UTC),
        "integer": shape.metadata.get("min", 0),
        "long": shape.metadata.get("min", 0),
        "boolean": False,
        "list": [],
        "map": {},
    }
    return simple[shape.type_name]
