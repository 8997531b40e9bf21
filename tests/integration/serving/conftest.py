from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from lambda_inference.model_loader import ModelLoader
from pipeline.serve import PredictionServer
from runtime.hashing import sha256_bytes
from runtime.registry.base import ModelVersion, Registration
from runtime.registry.sqlite import SqliteModelRegistry
from runtime.settings import REGISTRY_FILE
from runtime.store.local import LocalArtifactStore
from tests.unit.lambda_inference.fakes import GROUP, build_archive

REFRESH_SECONDS = 0.2


@pytest.fixture(scope="session")
def archives(tmp_path_factory: pytest.TempPathFactory) -> tuple[bytes, bytes]:
    work: Path = tmp_path_factory.mktemp("archives")
    return build_archive(work, num_round=5), build_archive(work, num_round=8, seed=7)


class LocalBackend:
    """The real local store and SQLite registry under one MLPIPE_HOME, as `mlpipe` opens them."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.store = LocalArtifactStore(home)
        self.registry = SqliteModelRegistry(home / REGISTRY_FILE, GROUP)

    def register(self, artifact: bytes, status: str = "Approved") -> ModelVersion:
        uri = f"s3://mlpipe-local/models/{len(self.registry.list_versions()) + 1}/model.tar.gz"
        self.store.put_bytes(artifact, uri)
        return self.registry.register_version(
            Registration(
                artifact_uri=uri,
                sha256=sha256_bytes(artifact),
                metrics={},
                parameters={},
                input_schema={},
                output_schema={},
                status=status,
            )
        )


@pytest.fixture
def backend(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> LocalBackend:
    monkeypatch.setenv("MLPIPE_BACKEND", "local")
    monkeypatch.setenv("MLPIPE_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("MODEL_PACKAGE_GROUP", GROUP)
    monkeypatch.setenv("MODEL_REFRESH_SECONDS", str(REFRESH_SECONDS))
    monkeypatch.delenv("MODEL_VERSION", raising=False)
    return LocalBackend(tmp_path / "home")


@pytest.fixture
def server_url(backend: LocalBackend) -> Iterator[str]:
    """A real server on an ephemeral port, in a thread, with the loader `mlpipe serve` would build."""
    server = PredictionServer(("127.0.0.1", 0), ModelLoader.from_environment())
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join()
