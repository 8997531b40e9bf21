"""The evaluation report: one self-contained HTML page (inline CSS and SVG) a reviewer approves from."""

from __future__ import annotations

from html import escape
from typing import Any

from . import sections
from .style import STYLE

SECTION_IDS = (
    "summary",
    "data",
    "parameters",
    "metrics",
    "gate",
    "champion",
    "curves",
    "calibration",
    "thresholds",
    "confusion",
    "importance",
    "shap",
    "features",
)


def render(report: dict[str, Any]) -> str:
    """The whole page; every section's id is in SECTION_IDS (tests and the screenshot check them)."""
    model = report["model"]
    gate = report["gate"]
    verdict = (
        '<p class="verdict ok">Passed every quality check: registered for manual approval.</p>'
        if gate["passed"]
        else f'<p class="verdict bad">Refused, nothing registered: {escape(gate["failures"])}</p>'
    )
    body = "".join(
        [
            f'<header id="summary"><h1>{escape(model["name"])}: evaluation report</h1>'
            f'<p class="meta">version {escape(model["version"])} · run {escape(model["run_id"])} · '
            f'{escape(model["date"])} · model sha256 <span class="hash">{escape(model["sha256"])}</span></p>'
            f"{verdict}</header>",
            sections.data(report),
            sections.parameters(report),
            sections.metrics(report),
            sections.gate(report),
            sections.champion(report),
            sections.curves(report),
            sections.thresholds(report),
            sections.confusion(report),
            sections.importance(report),
            sections.features(report),
        ]
    )
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(model['name'])} evaluation, run {escape(model['run_id'])}</title>"
        f"<style>{STYLE}</style></head><body><main>{body}</main></body></html>\n"
    )
