"""The artifact store interface: every artifact is addressed by an `s3://bucket/key` URI in both worlds."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Protocol

S3_SCHEME = "s3://"
CHUNK_BYTES = 2**20  # streamed reads (`iter_chunks`) hold one chunk at a time


class StoreError(Exception):
    """An artifact store operation failed; the message names the URI and the fix."""


class ArtifactNotFound(StoreError):
    """No object exists at the URI."""

    def __init__(self, uri: str) -> None:
        super().__init__(f"no artifact at {uri}; check the URI or run the step that writes it")
        self.uri = uri


class ArtifactStore(Protocol):
    """Where pipeline inputs, model archives and reports live (a folder locally, S3 in AWS)."""

    def put_file(self, path: Path, uri: str, *, metadata: Mapping[str, str] | None = None) -> None: ...
    def put_bytes(self, data: bytes, uri: str) -> None: ...
    def get_bytes(self, uri: str) -> bytes: ...
    def size(self, uri: str) -> int: ...
    def iter_chunks(self, uri: str, chunk_bytes: int = CHUNK_BYTES) -> Iterator[bytes]: ...
    def download(self, uri: str, dest: Path) -> None: ...
    def exists(self, uri: str) -> bool: ...
    def list_uris(self, prefix_uri: str) -> list[str]: ...


def split_uri(uri: str) -> tuple[str, str]:
    """Split `s3://bucket/key` into (bucket, key); the key may be empty (a bucket-wide prefix)."""
    if not uri.startswith(S3_SCHEME):
        raise StoreError(f"not an s3:// URI: {uri!r}; write artifact addresses as s3://bucket/key")
    bucket, _, key = uri[len(S3_SCHEME) :].partition("/")
    if not bucket:
        raise StoreError(f"no bucket in {uri!r}; write artifact addresses as s3://bucket/key")
    return bucket, key


def split_object_uri(uri: str) -> tuple[str, str]:
    """Like `split_uri`, for a single object: the key must be non-empty and not end with '/'."""
    bucket, key = split_uri(uri)
    if not key or key.endswith("/"):
        raise StoreError(f"{uri!r} names a folder, not an object; add the object's name after the last '/'")
    return bucket, key


def join_uri(bucket: str, key: str) -> str:
    """The URI of `key` in `bucket`."""
    return f"{S3_SCHEME}{bucket}/{key}"
