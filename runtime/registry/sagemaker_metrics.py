"""Reads a model version's metrics from the model-quality JSON its ModelMetrics point at."""

from __future__ import annotations

from runtime.aws import aws_client
from runtime.model_quality import read_metrics
from runtime.registry.base import RegistryError
from runtime.store.base import ArtifactStore, StoreError


class MetricsReader:
    """Fetches and caches metrics by URI (the statistics files are written once, never changed)."""

    def __init__(self, store: ArtifactStore | None, *, region: str | None) -> None:
        self._store = store
        self._region = region
        self._cache: dict[str, dict[str, float]] = {}

    @property
    def store(self) -> ArtifactStore:
        """The injected store, or an S3 store in the registry's region on first use."""
        if self._store is None:
            from runtime.store.s3 import S3ArtifactStore  # noqa: PLC0415 - only when no store was injected

            self._store = S3ArtifactStore(aws_client("s3", region=self._region))
        return self._store

    def read(self, uri: str) -> dict[str, float]:
        """The metrics of the model-quality statistics JSON at `uri`."""
        if uri not in self._cache:
            try:
                document = self.store.get_bytes(uri)
            except StoreError as error:
                message = f"cannot read the metrics of a model version: {error}"
                raise RegistryError(message) from error
            try:
                self._cache[uri] = read_metrics(document, uri)
            except ValueError as error:
                raise RegistryError(str(error)) from error
        return dict(self._cache[uri])
