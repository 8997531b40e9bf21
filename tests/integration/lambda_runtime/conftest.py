"""The bundle `make lambda-bundle` builds, a model store for it, and the Lambda runtime to run it under."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench.emulator import LAMBDA_RUNTIME, RIE_BINARY
from tests.integration.serving.conftest import LocalBackend
from tests.unit.lambda_inference.fakes import GROUP, REPO_ROOT, build_archive

# How often the loader looks for a newly approved version; small so a test sees an approval quickly.
REFRESH_SECONDS = 0.2


@pytest.fixture(scope="session")
def lambda_bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The serving image's task root, laid out by scripts/lambda_bundle.sh exactly as the Dockerfile does."""
    if not RIE_BINARY.is_file() or not LAMBDA_RUNTIME.is_dir():
        pytest.fail(f"{RIE_BINARY} or {LAMBDA_RUNTIME} is missing; run `make install-dev` first")
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


@pytest.fixture(scope="session")
def model_archive(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return build_archive(tmp_path_factory.mktemp("rie-archive"), num_round=5)


def function_environment(home: Path) -> dict[str, str]:
    """What the serving stack sets (stacks/constructs/serving_function.py), on the local backend."""
    return {
        "MLPIPE_BACKEND": "local",
        "MLPIPE_HOME": str(home),
        "MODEL_PACKAGE_GROUP": GROUP,
        "MODEL_VERSION": "",
        "MODEL_REFRESH_SECONDS": str(REFRESH_SECONDS),
    }


def empty_backend(tmp_path_factory: pytest.TempPathFactory) -> LocalBackend:
    return LocalBackend(tmp_path_factory.mktemp("rie-home") / "home")
