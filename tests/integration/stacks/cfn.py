"""Small readers of synthesized CloudFormation templates for the stack tests."""

from __future__ import annotations

from typing import Any


def resources_of(template: dict[str, Any], resource_type: str) -> dict[str, dict[str, Any]]:
    """Logical id -> properties of every resource of a type."""
    return {
        logical_id: resource.get("Properties", {})
        for logical_id, resource in template["Resources"].items()
        if resource["Type"] == resource_type
    }


def only(template: dict[str, Any], resource_type: str) -> dict[str, Any]:
    """The properties of the single resource of a type."""
    found = list(resources_of(template, resource_type).values())
    assert len(found) == 1, f"expected one {resource_type}, found {len(found)}"
    return found[0]


def actions_of(statement: dict[str, Any]) -> list[str]:
    """A policy statement's actions as a list (CloudFormation allows a single string)."""
    action = statement.get("Action", [])
    return [action] if isinstance(action, str) else list(action)
