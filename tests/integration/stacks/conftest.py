"""The synthesized templates, by stack unit, for the stack tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

# `cloud_assembly` (one synth per session, shared with tests/reliability) is in tests/conftest.py.

STACK_UNITS = ("data", "pipeline", "serving")


@pytest.fixture(scope="session")
def templates(cloud_assembly: Path) -> dict[str, dict[str, Any]]:
    """Each stack's template by unit name (data, pipeline, serving)."""
    return {
        unit: json.loads((cloud_assembly / f"mlpipe-dev-{unit}.template.json").read_text())
        for unit in STACK_UNITS
    }
