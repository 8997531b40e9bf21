"""`mlpipe serve --name` answers the serving contract exactly as the handler does (it runs the handler).

A real `mlpipe serve` process on an ephemeral port, serving a named model from a local state folder.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from runtime.hashing import sha256_bytes
from runtime.registry.base import Registration
from runtime.registry.sqlite import SqliteModelRegistry
from runtime.settings import REGISTRY_FILE
from runtime.store.local import LocalArtifactStore

PASSENGER = {"Pclass": 3, "Sex": "male", "Age": 30}


@pytest.fixture
def served(archives: tuple[bytes, bytes], tmp_path: Path) -> Iterator[str]:
    home = tmp_path / "home"
    uri = "s3://mlpipe-local/models/1/model.tar.gz"
    LocalArtifactStore(home).put_bytes(archives[0], uri)
    registration = Registration(
        artifact_uri=uri, sha256=sha256_bytes(archives[0]), metrics={}, parameters={},
        input_schema={}, output_schema={}, status="Approved",
    )  # fmt: skip
    SqliteModelRegistry(home / REGISTRY_FILE, "mlpipe-titanic").register_version(registration)
    env = {**os.environ, "MLPIPE_HOME": str(home), "MLPIPE_BACKEND": "local", "MODEL_PACKAGE_GROUP": ""}
    command = [sys.executable, "-c", "from pipeline.cli import main; main()", "serve", "--port", "0"]
    server = subprocess.Popen([*command, "--name", "titanic"], env=env, stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        line = ""
        while not line.startswith("serving"):  # "serving model version 1 at http://127.0.0.1:PORT/predict"
            line = server.stdout.readline()
            assert line, "mlpipe serve exited before serving"
        yield line.split(" at ", 1)[1].split("/predict", 1)[0]
    finally:
        server.terminate()
        server.wait(timeout=10)


def post(url: str, payload: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(f"{url}/predict", data=json.dumps(payload).encode(), method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_serve_applies_the_contract(served: str) -> None:
    status, body = post(served, {"instances": [{"Age": 30, "Pclass": 3}]})
    assert (status, body["error"]["code"], body["error"]["fields"]) == (400, "missing_feature", ["Sex"])

    status, body = post(served, {"instances": [{**PASSENGER, "sex": "male"}]})
    assert (status, body["error"]["code"]) == (400, "unknown_field")
    assert "did you mean 'Sex'?" in body["error"]["message"]

    status, body = post(served, {"instances": [{**PASSENGER, "x": 1}], "allow_unknown_fields": True})
    assert status == 200

    status, body = post(served, {"instances": [{**PASSENGER, "Sex": "robot"}]})
    assert status == 200
    assert body["warnings"][0]["field"] == "Sex" and body["warnings"][0]["value"] == "robot"
