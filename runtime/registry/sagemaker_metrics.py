"""Reads a model version's metrics from the model-quality JSON its ModelMetrics point at."""

from __future__ import annotations

from typing import Any

from runtime.registry.base import RegistryError
from runtime.registry.sagemaker_metadata import read_metrics
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
            import boto3  # noqa: PLC0415 - only when no store was injected

            from runtime.store.s3 import S3ArtifactStore  # noqa: PLC0415

            self._store = S3ArtifactStore(boto3.client("s3", region_name=self._region))
        return self._store

    def read(self, description: dict[str, Any]) -> dict[str, float]:
        """Metrics of a DescribeModelPackage response; empty when it has no model-quality statistics."""
        statistics = description.get("ModelMetrics", {}).get("ModelQuality", {}).get("Statistics", {})
        uri = statistics.get("S3Uri")
        if not uri:
            return {}
        if uri not in self._cache:
            try:
                document = self.store.get_bytes(uri)
            except StoreError as error:
                message = f"cannot read the metrics of a model version: {error}"
                raise RegistryError(message) from error
            self._cache[uri] = read_metrics(document, uri)
        return dict(self._cache[uri])
