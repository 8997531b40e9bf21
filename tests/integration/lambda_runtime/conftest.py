"""The bundle `make lambda-bundle` builds, a model store for it, and the Lambda runtime to run it under."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.emulator import LAMBDA_RUNTIME, RIE_BINARY
from tests.integration.serving.conftest import LocalBackend
from tests.unit.lambda_inference.fakes import GROUP, build_archive

# How often the loader looks for a newly approved version; small so a test sees an approval quickly.
REFRESH_SECONDS = 0.2


@pytest.fixture(scope="session")
def lambda_bundle(lambda_bundle: Path) -> Path:
    """The shared bundle (tests/integration/conftest.py), here run under the Lambda runtime emulator."""
    if not RIE_BINARY.is_file() or not LAMBDA_RUNTIME.is_dir():
        pytest.fail(f"{RIE_BINARY} or {LAMBDA_RUNTIME} is missing; run `make install-dev` first")
    return lambda_bundle


@pytest.fixture(scope="session")
def model_archive(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return build_archive(tmp_path_factory.mktemp("rie-archive"), num_round=5)


def function_environment(home: Path) -> dict[str, str]:
    """What the serving stack sets (stacks/constructs/serving_function.py), on the local backend; the two
    AWS_LAMBDA_LOG_* variables are what Lambda sets for its LoggingConfig (JSON, INFO)
    (https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html)."""
    return {
        "AWS_LAMBDA_LOG_FORMAT": "JSON",
        "AWS_LAMBDA_LOG_LEVEL": "INFO",
        "MLPIPE_BACKEND": "local",
        "MLPIPE_HOME": str(home),
        "MODEL_PACKAGE_GROUP": GROUP,
        "MODEL_VERSION": "",
        "MODEL_REFRESH_SECONDS": str(REFRESH_SECONDS),
    }


def empty_backend(tmp_path_factory: pytest.TempPathFactory) -> LocalBackend:
    return LocalBackend(tmp_path_factory.mktemp("rie-home") / "home")
