"""What each page shows, built from a UiSource: plain dicts for the templates, no HTTP here."""

from __future__ import annotations

import json
from typing import Any

from pipeline.cli.models import live_version
from pipeline.cli.report import report_uri
from pipeline.ui.curves import CURVES, curve_series, evaluation_uri, run_id_of
from pipeline.ui.decisions import schema_warning
from pipeline.ui.runs import RunView
from pipeline.ui.source import SourceError, UiSource
from runtime.registry.base import ModelVersion
from runtime.store.base import StoreError

LOWER_IS_BETTER = frozenset({"log_loss", "serving_parity_max_difference", "brier_score"})


def _last_run(runs: list[RunView], name: str) -> RunView | None:
    return next((run for run in runs if run.model == name), None)


def models_page(source: UiSource) -> dict[str, Any]:
    runs = _safe_runs(source)
    rows = []
    for name in source.model_names():
        registry = source.registry(name)
        versions = registry.list_versions()
        rows.append(
            {
                "name": name,
                "live": live_version(versions, registry),
                "latest": versions[-1] if versions else None,
                "count": len(versions),
                "last_run": _last_run(runs, name),
            }
        )
    return {"models": rows}


def _safe_runs(source: UiSource) -> list[RunView]:
    try:
        return source.runs()
    except SourceError:
        return []


def metric_names(versions: list[ModelVersion]) -> list[str]:
    return sorted({metric for v in versions for metric in v.metrics})


def versions_page(source: UiSource, name: str) -> dict[str, Any]:
    registry = source.registry(name)
    versions = registry.list_versions()
    live = live_version(versions, registry)
    return {
        "name": name,
        "versions": list(reversed(versions)),
        "live": live.version if live else None,
        "metrics": metric_names(versions),
    }


def version_page(source: UiSource, name: str, number: int) -> dict[str, Any]:
    registry = source.registry(name)
    version = registry.get_version(number)
    live = live_version(registry.list_versions(), registry)
    events, history_problem = version_events(source, name, number)
    return {
        "name": name,
        "v": version,
        "live": live.version if live else None,
        "has_report": bool(report_uri(version)),
        "run_id": run_id_of(version.artifact_uri),
        "schema_warning": schema_warning(registry, number),
        "input_schema": json.dumps(version.input_schema, indent=2, sort_keys=True),
        "output_schema": json.dumps(version.output_schema, indent=2, sort_keys=True),
        "events": events,
        "history_problem": history_problem,
    }


def version_events(source: UiSource, name: str, number: int) -> tuple[list[dict[str, Any]], str]:
    """The deployment-history entries that move traffic from or to version `number`, oldest first;
    or why the history cannot be read (the rest of the page still shows)."""
    try:
        entries = source.history(name)
    except SourceError as error:
        return [], str(error)
    return [e for e in entries if number in (e["from_version"], e["to_version"])], ""


def report_bytes(source: UiSource, name: str, number: int) -> bytes:
    version = source.registry(name).get_version(number)
    uri = report_uri(version)
    if not uri:
        raise SourceError(f"version {number} has no evaluation report")
    try:
        return source.read_object(uri)
    except StoreError as error:
        raise SourceError(f"version {number}'s report {uri} cannot be read: {error}") from None


def _evaluation(source: UiSource, version: ModelVersion) -> bytes:
    uri = evaluation_uri(version.artifact_uri)
    try:
        return source.read_object(uri) if uri else b""
    except StoreError:
        return b""


def best_value(versions: list[ModelVersion], metric: str) -> float:
    values = [v.metrics[metric] for v in versions if metric in v.metrics]
    return min(values) if metric in LOWER_IS_BETTER else max(values)


def compare_page(source: UiSource, name: str, numbers: list[int]) -> dict[str, Any]:
    registry = source.registry(name)
    chosen = [registry.get_version(n) for n in sorted(set(numbers))]
    if len(chosen) < 2:
        raise SourceError("select two or more versions to compare")
    parameters = sorted({p for v in chosen for p in v.parameters})
    return {
        "name": name,
        "versions": chosen,
        "metrics": metric_names(chosen),
        "best": {m: best_value(chosen, m) for m in metric_names(chosen)},
        "parameters": parameters,
        "differs": {p: len({v.parameters.get(p) for v in chosen}) > 1 for p in parameters},
        "charts": curve_series({f"v{v.version}": _evaluation(source, v) for v in chosen}),
        "axes": {name: (spec[3], spec[4]) for name, spec in CURVES.items()},
    }
