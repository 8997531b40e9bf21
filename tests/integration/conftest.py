"""Fixtures more than one integration folder uses."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.unit.lambda_inference.fakes import REPO_ROOT


@pytest.fixture(scope="session")
def lambda_bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The serving image's task root, laid out by scripts/lambda_bundle.sh exactly as the Dockerfile does.

    Session-scoped and shared (serving/ runs it bare, lambda_runtime/ under the runtime emulator): one
    build of about 25 s per test session."""
    folder = tmp_path_factory.mktemp("lambda-task-root")
    environment = {**os.environ, "LAMBDA_BUNDLE_DIR": str(folder), "PY": sys.executable}
    subprocess.run(
        ["bash", "scripts/lambda_bundle.sh"],
        cwd=REPO_ROOT,
        env=environment,
        check=True,
        capture_output=True,
        timeout=600,
    )
    return folder


SECOND_MODEL = "penguins"
"""The second named model of `two_model_assembly` (stacks mlpipe-dev-penguins-pipeline / -serving)."""


@pytest.fixture(scope="session")
def two_model_assembly(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """cdk.out of dev with a second named model (`-c models=penguins`), synthesized once per session with
    the policy checks on (the synth raises on any unacknowledged finding). Shared by stacks/ and iam/."""
    from stacks.assembly import build_app, cdk_json_context

    outdir = tmp_path_factory.mktemp("cdk.out.two-models")
    build_app(context={**cdk_json_context(), "models": SECOND_MODEL}, outdir=str(outdir)).synth()
    return outdir
