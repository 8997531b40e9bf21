"""Approve or reject from the UI with the CLI's rules: a schema change against the live version needs
`force`; locally the stages follow the live version (pipeline/cli/models.py), on AWS the promoter does."""

from __future__ import annotations

from pipeline.cli.models import change_status, live_version
from pipeline.ui.source import UiSource
from promoter.schema_guard import describe_changes, schema_changes
from runtime.registry.base import ModelRegistry

STATUS_OF = {"approve": "Approved", "reject": "Rejected"}


class DecisionRefused(Exception):
    """The decision was not applied; the message says why and what to do."""


def schema_warning(registry: ModelRegistry, version: int) -> str:
    """How the version's inputs differ from the live version's ("" when they do not, or none is live)."""
    live = live_version(registry.list_versions(), registry)
    if live is None or live.version == version:
        return ""
    candidate = registry.get_version(version)
    return describe_changes(schema_changes(live.input_schema, candidate.input_schema))


def decide(source: UiSource, name: str, version: int, action: str, *, force: bool) -> str:
    """Apply `action` (approve | reject) to the version; returns what happened, for the page."""
    if not source.writes_allowed:
        raise DecisionRefused(source.writes_refused_because)
    if action not in STATUS_OF:
        raise DecisionRefused(f"unknown action {action!r}; use approve or reject")
    registry = source.registry(name)
    if action == "approve" and not force:
        changes = schema_warning(registry, version)
        if changes:
            raise DecisionRefused(
                f"version {version} takes other inputs than the live version ({changes}); tick "
                "'approve anyway' to force it, or register it under another name"
            )
    change_status(registry, version, STATUS_OF[action])
    source.after_decision(registry)
    live = live_version(registry.list_versions(), registry)
    return f"version {version} {STATUS_OF[action].lower()}; live version: {live.version if live else 'none'}"
