"""What the serving side works with: the registry and store calls it needs, a loaded model, the logger."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from runtime.features.archive import read_model_archive
from runtime.features.predictor import Prediction, Predictor
from runtime.registry.base import ModelVersion

SERVICE_LOGGER = "mlpipe-inference"


class ResolvesVersions(Protocol):
    """The part of `ModelRegistry` serving uses."""

    def get_version(self, version: int) -> ModelVersion: ...
    def latest_approved(self) -> ModelVersion | None: ...


class ReadsArtifacts(Protocol):
    """The part of `ArtifactStore` serving uses."""

    def size(self, uri: str) -> int: ...
    def iter_chunks(self, uri: str, chunk_bytes: int = ...) -> Iterator[bytes]: ...


class ScoresRecords(Protocol):
    """What the handler needs from a predictor (the real `Predictor`, or a fake in tests)."""

    def predict_records(self, records: Sequence[Mapping[str, object]]) -> Prediction: ...


PredictorFactory = Callable[[bytes, int], ScoresRecords]


def build_predictor(artifact: bytes, version: int) -> ScoresRecords:
    """Read a verified model.tar.gz in memory and build its Predictor."""
    return Predictor.from_model_files(read_model_archive(artifact), version)


@dataclass(frozen=True)
class LoadedModel:
    """A verified model ready to score; `label` is the version as responses carry it."""

    version: int
    sha256: str
    predictor: ScoresRecords
    label: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "label", str(self.version))
