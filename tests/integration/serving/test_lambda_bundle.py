"""`make lambda-bundle` holds everything the image needs: the handler answers from that folder alone."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.integration.serving.conftest import LocalBackend

# Runs with -I -S: no site-packages, no PYTHONPATH, no user site; only the stdlib and the bundle.
COLD_START = """
import json, sys, time
sys.path.insert(0, sys.argv[1])
started = time.perf_counter()
from lambda_inference.handler import lambda_handler

class Context:
    aws_request_id = "bundle-test"

response = lambda_handler({"instances": [{"Age": 80, "Sex": "male", "Pclass": 3}]}, Context())
seconds = time.perf_counter() - started
import lambda_inference, numpy
heavy = ("pandas", "sklearn", "boto3", "joblib", "typer", "xgboost", "scipy")  # issue 17: no xgboost
print(json.dumps({
    "response": response,
    "heavy": sorted(m for m in heavy if m in sys.modules),
    "files": [lambda_inference.__file__, numpy.__file__],
    "cold_init_seconds": seconds,
}))
"""


@pytest.mark.slow
def test_handler_predicts_from_the_bundle_alone_in_an_isolated_interpreter(
    lambda_bundle, backend: LocalBackend, archives
):
    backend.register(archives[0])
    environment = {
        name: os.environ[name] for name in ("MLPIPE_BACKEND", "MLPIPE_HOME", "MODEL_PACKAGE_GROUP")
    }

    finished = subprocess.run(
        [sys.executable, "-I", "-S", "-c", COLD_START, str(lambda_bundle)],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )

    result = json.loads(finished.stdout.splitlines()[-1])
    assert result["response"]["statusCode"] == 200
    assert json.loads(result["response"]["body"])["model_version"] == "1"
    assert result["heavy"] == []
    assert all(Path(file).is_relative_to(lambda_bundle) for file in result["files"])
