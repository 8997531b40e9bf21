"""Local backend faults under the serving loader: a registry locked by another process, a missing file."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from lambda_inference.handler import handle_event
from lambda_inference.model_loader import ModelLoader
from runtime.registry import sqlite as sqlite_registry
from runtime.store.local import LocalArtifactStore
from tests.integration.serving.conftest import LocalBackend

EVENT = {"instances": [{"Age": 22, "Sex": "female", "Pclass": 1}]}
REQUESTS = 10


def serve(loader: ModelLoader, requests: int = REQUESTS) -> list[tuple[int, str | None]]:
    answers = []
    for _ in range(requests):
        loader.refresh()  # every request meets the fault: serving itself refreshes in the background
        response = handle_event(EVENT, loader, "local-fault")
        answers.append((response["statusCode"], json.loads(response["body"]).get("model_version")))
    return answers


@contextmanager
def exclusively_locked(path: Path) -> Iterator[None]:
    """Another connection holding the database in EXCLUSIVE locking mode inside a write transaction."""
    other = sqlite3.connect(path, isolation_level=None)
    try:
        other.execute("PRAGMA locking_mode=EXCLUSIVE")
        other.execute("BEGIN EXCLUSIVE")
        other.execute("UPDATE model_versions SET stage = stage")
        yield
        other.execute("ROLLBACK")
    finally:
        other.close()


@pytest.fixture
def backend(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> LocalBackend:
    # Wait 0.2 s instead of 30 s for a lock: the behaviour under test is what happens after the wait.
    monkeypatch.setattr(sqlite_registry, "BUSY_TIMEOUT_MS", 200)
    return LocalBackend(tmp_path / "home")


def test_locked_registry_keeps_the_last_good_model_then_moves_on(
    backend: LocalBackend, model_archives
) -> None:
    backend.register(model_archives[0])
    loader = ModelLoader(backend.registry, backend.store, background=False)
    assert serve(loader, 1) == [(200, "1")]
    backend.register(model_archives[1])

    with exclusively_locked(backend.registry.path):
        during = serve(loader)
    after = serve(loader)

    assert during == [(200, "1")] * REQUESTS
    assert after == [(200, "2")] * REQUESTS


def test_missing_artifact_file_is_never_half_served(backend: LocalBackend, model_archives) -> None:
    backend.register(model_archives[0])
    loader = ModelLoader(backend.registry, backend.store, background=False)
    serve(loader, 1)
    second = backend.register(model_archives[1])
    artifact = LocalArtifactStore(backend.home).path_for(second.artifact_uri)
    saved = artifact.read_bytes()
    artifact.unlink()

    during = serve(loader)
    artifact.write_bytes(saved)
    after = serve(loader)

    assert during == [(200, "1")] * REQUESTS
    assert after == [(200, "2")] * REQUESTS


def test_missing_artifact_at_cold_start_is_a_503_saying_so(backend: LocalBackend, model_archives) -> None:
    only = backend.register(model_archives[0])
    LocalArtifactStore(backend.home).path_for(only.artifact_uri).unlink()
    loader = ModelLoader(backend.registry, backend.store, background=False)

    response = handle_event(EVENT, loader, "local-fault")

    assert response["statusCode"] == 503
    message = json.loads(response["body"])["error"]["message"]
    assert "model version 1 could not be loaded" in message
