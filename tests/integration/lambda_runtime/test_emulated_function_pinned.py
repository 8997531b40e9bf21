"""The serving image under the real Lambda runtime with a complete pin: it serves without any registry.

Same emulator and runtime as test_emulated_function.py (evidence there). The promoter pins MODEL_VERSION,
MODEL_ARTIFACT_URI and MODEL_SHA256 together (promoter/handler.py); here the local backend's registry
file is replaced by a folder no SQLite can open, so any registry call would fail the init.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.emulator import RuntimeEmulator, dockerfile_handler
from lambda_inference.errors import ModelUnavailable
from lambda_inference.model_loader import ModelLoader
from runtime.settings import REGISTRY_FILE
from tests.integration.lambda_runtime.conftest import empty_backend, function_environment
from tests.unit.lambda_inference.fakes import load_event

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def pinned_environment(tmp_path_factory: pytest.TempPathFactory, model_archive: bytes) -> dict[str, str]:
    """v1 in the store, pinned completely; the registry is made unreadable afterwards."""
    backend = empty_backend(tmp_path_factory)
    version = backend.register(model_archive)
    registry = backend.home / REGISTRY_FILE
    registry.unlink()
    registry.mkdir()  # sqlite3 cannot open a folder: opening the registry now fails
    return {
        **function_environment(backend.home),
        "MODEL_VERSION": str(version.version),
        "MODEL_ARTIFACT_URI": version.artifact_uri,
        "MODEL_SHA256": version.sha256,
    }


@pytest.fixture(scope="module")
def emulator(lambda_bundle: Path, pinned_environment: dict[str, str]) -> Iterator[RuntimeEmulator]:
    with RuntimeEmulator(lambda_bundle, dockerfile_handler(), pinned_environment) as running:
        yield running


def test_a_complete_pin_serves_from_init_without_the_registry(emulator, pinned_environment):
    status, envelope = emulator.invoke(load_event("direct_sample.json"))

    assert status == 200 and envelope["statusCode"] == 200
    assert json.loads(envelope["body"])["model_version"] == "1"
    log = emulator.log()
    assert log.count("INIT START") == 1
    assert pinned_environment["MODEL_ARTIFACT_URI"] in log  # "model loaded" names the pinned artifact
    assert "registry" not in log.lower()  # no "model registry unreachable"


def test_the_same_home_with_model_version_alone_needs_the_registry(pinned_environment):
    """The contrast, in process: an older promoter's pin resolves through the (here unreadable) registry."""
    version_only = {**pinned_environment, "MODEL_ARTIFACT_URI": "", "MODEL_SHA256": ""}
    loader = ModelLoader.from_environment(version_only)

    with pytest.raises(ModelUnavailable, match="model registry unreachable"):
        loader.current()
    loader.close()
