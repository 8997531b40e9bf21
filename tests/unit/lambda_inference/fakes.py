"""In-memory registry and store (the Protocols of docs/architecture.md) and a tiny real model archive."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import xgboost as xgb

from runtime.features.archive import (
    METADATA_FILE,
    MODEL_FILE,
    SERVING_MODEL_FILE,
    SPEC_FILE,
    write_model_archive,
)
from runtime.hashing import sha256_bytes
from runtime.registry.base import ModelVersion, Registration, RegistryError, VersionNotFound
from runtime.store.base import ArtifactNotFound
from training.train import TrainingConfig, booster_params, fit_spec, read_columns, read_labels

REPO_ROOT = Path(__file__).resolve().parents[3]
EVENTS = REPO_ROOT / "tests" / "events"
TRAIN_CSV = REPO_ROOT / "data" / "titanic" / "train.csv"
GROUP = "test-group"
REQUIRED = ["Pclass", "Sex"]


def load_event(name: str) -> dict[str, Any]:
    return json.loads((EVENTS / name).read_text())


def build_archive(work_dir: Path, *, num_round: int, seed: int = 42) -> bytes:
    """A real model.tar.gz trained on a few rounds of the Titanic data."""
    config = TrainingConfig(
        max_depth=3,
        eta=0.3,
        num_round=num_round,
        target="Survived",
        feature_columns="Pclass,Sex,Age,SibSp,Parch,Fare,Embarked",
        categorical_columns="Sex,Embarked",
        derived_features="Title=title(Name);FamilySize=sum(SibSp,Parch)",
        required_columns=json.dumps(REQUIRED),  # as examples/titanic/mlpipe.toml: class and sex
        seed=seed,
    )
    columns, n_rows = read_columns(TRAIN_CSV)
    spec = fit_spec(columns, config)
    # One thread: OpenMP threads on a busy 2-core machine make tiny trainings 40x slower.
    params = {**booster_params(config), "nthread": 1}
    matrix = xgb.DMatrix(spec.transform_columns(columns, n_rows), label=read_labels(columns, "Survived"))
    booster = xgb.train(params, matrix, num_boost_round=num_round)
    model_dir = work_dir / f"model-{num_round}-{seed}"
    model_dir.mkdir(parents=True)
    booster.save_model(str(model_dir / MODEL_FILE))
    booster.save_model(str(model_dir / SERVING_MODEL_FILE))
    (model_dir / SPEC_FILE).write_text(json.dumps(spec.to_dict()))
    (model_dir / METADATA_FILE).write_text(json.dumps({"format": "mlpipe.model-metadata/1"}))
    write_model_archive(model_dir, work_dir / f"{model_dir.name}.tar.gz")
    return (work_dir / f"{model_dir.name}.tar.gz").read_bytes()


def flip_one_byte(data: bytes, position: int = 100) -> bytes:
    return data[:position] + bytes([data[position] ^ 0x01]) + data[position + 1 :]


class InMemoryStore:
    """Dict-backed artifact store; counts downloads so tests can see what was fetched."""

    def __init__(self) -> None:
        self.objects: dict[str, bytes] = {}
        self.downloads: list[str] = []

    def put_bytes(self, data: bytes, uri: str) -> None:
        self.objects[uri] = data

    def get_bytes(self, uri: str) -> bytes:
        self.downloads.append(uri)
        if uri not in self.objects:
            raise ArtifactNotFound(uri)
        return self.objects[uri]

    def size(self, uri: str) -> int:
        if uri not in self.objects:
            raise ArtifactNotFound(uri)
        return len(self.objects[uri])

    def iter_chunks(self, uri: str, chunk_bytes: int = 2**20) -> Iterator[bytes]:
        data = self.get_bytes(uri)
        for start in range(0, len(data), chunk_bytes):
            yield data[start : start + chunk_bytes]

    def exists(self, uri: str) -> bool:
        return uri in self.objects


class InMemoryRegistry:
    """The ModelRegistry protocol over a list; `broken` makes every read fail like an unreachable API."""

    def __init__(self) -> None:
        self.versions: list[ModelVersion] = []
        self.broken = False

    def register_version(self, registration: Registration) -> ModelVersion:
        fields = dataclasses.asdict(registration)
        version = ModelVersion(
            group=GROUP,
            version=len(self.versions) + 1,
            stage="None",
            created="2025-01-31T12:00:00Z",
            **fields,
        )
        self.versions.append(version)
        return version

    def list_versions(self) -> list[ModelVersion]:
        self._check()
        return list(self.versions)

    def get_version(self, version: int) -> ModelVersion:
        self._check()
        for candidate in self.versions:
            if candidate.version == version:
                return candidate
        raise VersionNotFound(GROUP, version)

    def set_status(self, version: int, status: str) -> ModelVersion:
        updated = dataclasses.replace(self.get_version(version), status=status)
        self.versions[version - 1] = updated
        return updated

    def set_stage(self, version: int, stage: str) -> ModelVersion:
        updated = dataclasses.replace(self.get_version(version), stage=stage)
        self.versions[version - 1] = updated
        return updated

    def latest_approved(self) -> ModelVersion | None:
        self._check()
        approved = [v for v in self.versions if v.status == "Approved"]
        return approved[-1] if approved else None

    def _check(self) -> None:
        if self.broken:
            raise RegistryError("registry unreachable (simulated)")


def register(
    registry: InMemoryRegistry,
    store: InMemoryStore,
    artifact: bytes,
    *,
    status: str = "Approved",
    recorded_sha256: str | None = None,
) -> ModelVersion:
    """Store `artifact` and register it; `recorded_sha256` overrides the digest the registry keeps."""
    uri = f"s3://mlpipe-local/models/{len(registry.versions) + 1}/model.tar.gz"
    store.put_bytes(artifact, uri)
    return registry.register_version(
        Registration(
            artifact_uri=uri,
            sha256=recorded_sha256 or sha256_bytes(artifact),
            metrics={},
            parameters={},
            input_schema={},
            output_schema={},
            status=status,
        )
    )
