"""A complete pin (MODEL_VERSION, MODEL_ARTIFACT_URI, MODEL_SHA256) serves without the registry.

The promoter sets the three together (promoter/handler.py); the loader then never opens the registry
(lambda_inference/pinned_artifact.py), still verifies the SHA-256 while the artifact streams, and
refuses a partial pin with a 503 naming the variables. MODEL_VERSION alone resolves through the
registry as before.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from lambda_inference.errors import ModelUnavailable
from lambda_inference.handler import DeferredLoader, handle_event
from lambda_inference.model_loader import ModelLoader
from lambda_inference.served_model import ResolvesVersions
from runtime import settings
from runtime.hashing import sha256_bytes
from runtime.names import MODEL_ARTIFACT_URI_ENV, MODEL_SHA256_ENV, MODEL_VERSION_ENV
from tests.unit.lambda_inference.fakes import (
    GROUP,
    InMemoryRegistry,
    InMemoryStore,
    flip_one_byte,
    load_event,
    register,
)

URI = "s3://mlpipe-artifacts/runs/test-group/v1/model.tar.gz"


def never_opened() -> ResolvesVersions:
    raise AssertionError("the registry was opened although the pin is complete")


@pytest.fixture
def store(monkeypatch: pytest.MonkeyPatch) -> InMemoryStore:
    """The store `from_environment` opens, whatever the backend."""
    memory = InMemoryStore()
    monkeypatch.setattr(settings, "open_store", lambda config: memory)
    return memory


def environment(tmp_path: Path, **pin: str) -> dict[str, str]:
    return {"MLPIPE_BACKEND": "local", "MLPIPE_HOME": str(tmp_path), "MODEL_PACKAGE_GROUP": GROUP, **pin}


def complete_pin(artifact: bytes) -> dict[str, str]:
    return {MODEL_VERSION_ENV: "3", MODEL_ARTIFACT_URI_ENV: URI, MODEL_SHA256_ENV: sha256_bytes(artifact)}


def build(environ: dict[str, str], open_registry: Any = never_opened) -> ModelLoader:
    return ModelLoader.from_environment(environ, open_registry=open_registry)


def test_a_complete_pin_serves_without_ever_opening_the_registry(tmp_path, store, archives):
    # given the artifact in the store and the three variables, and a registry that fails if opened
    store.put_bytes(archives[0], URI)
    loader = build(environment(tmp_path, **complete_pin(archives[0])))

    # when a request is answered
    response = handle_event(load_event("direct_sample.json"), loader, "req-1")

    # then the pinned version serves, from the pinned location, and nothing is left to resolve
    assert response["statusCode"] == 200
    assert json.loads(response["body"])["model_version"] == "3"
    assert store.downloads == [URI]
    assert loader.refresh() is False
    loader.close()


def test_a_complete_pin_whose_artifact_has_another_digest_is_refused(tmp_path, store, archives):
    # given an artifact changed after the promoter recorded its digest
    store.put_bytes(flip_one_byte(archives[0]), URI)
    loader = build(environment(tmp_path, **complete_pin(archives[0])))

    # then it is refused before it is parsed, exactly as a registry-resolved version is
    with pytest.raises(ModelUnavailable) as raised:
        loader.current()
    assert (raised.value.code, raised.value.message) == (
        "model_unavailable",
        "model version 3 refused; see the service logs",
    )
    loader.refresh()
    assert store.downloads == [URI]  # remembered: never fetched again
    loader.close()


PARTIAL = {
    "uri without digest": ({MODEL_VERSION_ENV: "3", MODEL_ARTIFACT_URI_ENV: URI}, "MODEL_SHA256 empty"),
    "digest without uri": (
        {MODEL_VERSION_ENV: "3", MODEL_SHA256_ENV: "a" * 64},
        "MODEL_ARTIFACT_URI empty",
    ),
    "artifact without version": (
        {MODEL_ARTIFACT_URI_ENV: URI, MODEL_SHA256_ENV: "a" * 64},
        "MODEL_VERSION empty",
    ),
    "digest that is no sha256": (
        {MODEL_VERSION_ENV: "3", MODEL_ARTIFACT_URI_ENV: URI, MODEL_SHA256_ENV: "A" * 64},
        "MODEL_SHA256='AAAA",
    ),
}


@pytest.mark.parametrize(("pin", "named"), PARTIAL.values(), ids=PARTIAL.keys())
def test_a_partial_pin_is_a_503_naming_the_variables(tmp_path, store, pin, named):
    # given a function whose environment holds part of a pin
    loader = DeferredLoader(lambda: build(environment(tmp_path, **pin)))

    # when a request comes, then it is answered 503 with what is wrong and how to fix it
    response = handle_event(load_event("direct_sample.json"), loader, "req-1")

    assert response["statusCode"] == 503
    error = json.loads(response["body"])["error"]
    assert error["code"] == "incomplete_model_pin"
    assert named in error["message"]
    assert "MODEL_ARTIFACT_URI" in error["message"] and "MODEL_SHA256" in error["message"]
    assert store.downloads == []  # nothing guessed, nothing fetched


def test_model_version_alone_resolves_through_the_registry_as_before(tmp_path, store, archives):
    # given a function pinned by an older promoter: MODEL_VERSION only
    registry = InMemoryRegistry()
    register(registry, store, archives[0])
    register(registry, store, archives[1])
    opened: list[str] = []

    def open_registry() -> ResolvesVersions:
        opened.append("registry")
        return registry

    loader = build(environment(tmp_path, **{MODEL_VERSION_ENV: "1"}), open_registry)
    assert opened == []  # opened lazily: not at construction

    # then the registry resolves the pinned version (its URI and digest)
    assert loader.current().version == 1
    assert opened == ["registry"]
    assert store.downloads == [registry.versions[0].artifact_uri]
    loader.close()


def test_no_pin_serves_the_latest_approved_as_before(tmp_path, store, archives):
    registry = InMemoryRegistry()
    register(registry, store, archives[0])
    register(registry, store, archives[1])

    loader = build(environment(tmp_path), lambda: registry)

    assert loader.current().version == 2
    loader.close()


def test_on_aws_a_complete_pin_creates_no_sagemaker_client(tmp_path, store, archives, monkeypatch):
    """`runtime.settings.open_registry` on the aws backend creates the SageMaker client (and a second S3
    client for metrics); with a complete pin neither is created."""
    # given the aws backend with every client creation recorded
    created: list[str] = []
    monkeypatch.setattr(settings, "aws_client", lambda service, **_: created.append(service))
    aws = {**environment(tmp_path), "MLPIPE_BACKEND": "aws"}
    store.put_bytes(archives[0], URI)

    # when the complete pin is served
    pinned = ModelLoader.from_environment({**aws, **complete_pin(archives[0])})
    assert pinned.current().label == "3"
    pinned.close()
    assert created == []

    # and, for contrast, MODEL_VERSION alone opens the SageMaker registry
    version_only = ModelLoader.from_environment({**aws, MODEL_VERSION_ENV: "3"})
    with pytest.raises(ModelUnavailable):
        version_only.current()  # the recorded client is None: the registry call fails
    version_only.close()
    assert created == ["sagemaker"]
