"""Artifact stores: a local folder or S3, both addressed by s3://bucket/key URIs."""

from pipeline.store.base import ArtifactNotFound, ArtifactStore, StoreError, join_uri, split_uri
from pipeline.store.local import LOCAL_BUCKET, LocalArtifactStore
from pipeline.store.s3 import S3ArtifactStore

__all__ = [
    "LOCAL_BUCKET",
    "ArtifactNotFound",
    "ArtifactStore",
    "LocalArtifactStore",
    "S3ArtifactStore",
    "StoreError",
    "join_uri",
    "split_uri",
]
