"""The drift report: one self-contained HTML page (no scripts, no external assets), escaped throughout."""

from __future__ import annotations

import math
from datetime import datetime
from html import escape

from runtime.monitoring.drift import ColumnDrift, DriftReport

STYLE = (
    "body{font-family:system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse}"
    "td,th{padding:.3em .8em;border-bottom:1px solid #ddd;text-align:left}.drift{background:#fde2e1}"
)
HEADERS = (
    "column",
    "kind",
    "PSI",
    "PSI limit",
    "missing (train)",
    "missing (window)",
    "verdict",
    "new values",
)


def cells(column: ColumnDrift) -> tuple[str, ...]:
    """One table row as text (also the CLI's table)."""
    value = "n/a" if math.isnan(column.psi) else f"{column.psi:.3f}"
    limit = "n/a" if math.isinf(column.psi_limit) else f"{column.psi_limit:.3f}"
    verdict = "; ".join(column.reasons) if column.drifted else "stable"
    return (
        column.name,
        column.kind,
        value,
        limit,
        f"{column.baseline_missing:.1%}",
        f"{column.window_missing:.1%}",
        verdict,
        ", ".join(column.new_values),
    )


def render_html(report: DriftReport, *, name: str, version: int, start: datetime, end: datetime) -> str:
    rows = [*report.columns, *([report.prediction] if report.prediction else [])]
    body = "".join(
        f'<tr class="{"drift" if c.drifted else ""}">'
        + "".join(f"<td>{escape(t)}</td>" for t in cells(c))
        + "</tr>"
        for c in rows
    )
    summary = (
        f"{report.rows} captured records: too few for a verdict (at least {report.thresholds.min_rows})"
        if not report.enough_rows
        else f"{report.rows} captured records; drifted: {', '.join(report.drifted_features) or 'none'}"
        + ("; the prediction distribution drifted" if report.prediction_drifted else "")
    )
    head = "".join(f"<th>{escape(h)}</th>" for h in HEADERS)
    return (
        f'<!doctype html><html><head><meta charset="utf-8"><title>Drift: {escape(name)} v{version}</title>'
        f"<style>{STYLE}</style></head><body><h1>Drift of {escape(name)}, version {version}</h1>"
        f"<p>Window {escape(start.isoformat())} to {escape(end.isoformat())}. {escape(summary)}.</p>"
        f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
        "<p>PSI compares the window with the training baseline on the baseline's bins; a column drifts when "
        "its PSI reaches the limit (the threshold, raised for small samples) or its share of missing values "
        f"moves by {report.thresholds.missing_change:.0%} or more.</p></body></html>\n"
    )
