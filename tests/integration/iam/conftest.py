"""The synthesized stacks rendered for a test account and region, shared by the IAM simulation tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.iam.deployment import Deployment
from tests.integration.iam.render import render_assembly


@pytest.fixture(scope="session")
def deployment(cloud_assembly: Path) -> Deployment:
    """Every stack of the session's synth, intrinsics resolved by cloud-radar (see render.py)."""
    return Deployment(render_assembly(cloud_assembly))
