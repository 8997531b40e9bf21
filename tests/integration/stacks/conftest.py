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


# prod pinned to an account and region: concrete partitions and regions change cdk-nag finding ids, so
# this synth (policy checks on) is also the proof that prod passes them.
PROD_CONTEXT = {"env": "prod", "account": "123456789012", "region": "eu-west-1"}


@pytest.fixture(scope="session")
def prod_assembly(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """cdk.out of prod pinned to a test account and region, synthesized once with the policy checks on."""
    from stacks.assembly import build_app, cdk_json_context

    outdir = tmp_path_factory.mktemp("cdk.out.prod")
    build_app(context={**cdk_json_context(), **PROD_CONTEXT}, outdir=str(outdir)).synth()
    return outdir


@pytest.fixture(scope="session")
def prod_templates(prod_assembly: Path) -> dict[str, dict[str, Any]]:
    """Each prod stack's template by unit name."""
    return {
        unit: json.loads((prod_assembly / f"mlpipe-prod-{unit}.template.json").read_text())
        for unit in STACK_UNITS
    }
