"""Upload data files to the pipeline's data location through the S3 artifact store.

Large files go multipart (the store's threshold); the whole file's SHA-256 travels in the object's
metadata (key `sha256`), so the same file uploaded again is not sent. Keys are content-addressed
(`data_file_uri`), so a changed file gets a new key rather than replacing the object earlier runs read.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pipeline.aws.errors import CloudError
from pipeline.content_keys import content_key
from runtime.hashing import sha256_file
from runtime.store.base import ArtifactNotFound, StoreError, join_uri, split_uri
from runtime.store.s3 import S3ArtifactStore

SHA256_METADATA_KEY = "sha256"  # stored by S3 as x-amz-meta-sha256

UploadAction = Literal["uploaded", "replaced", "unchanged"]


@dataclass(frozen=True, kw_only=True)
class UploadResult:
    """What happened to one file."""

    path: Path
    uri: str
    key: str  # under the data location: the TrainFile/TestFile value that names this file
    sha256: str
    size: int
    action: UploadAction


def data_file_uri(data_uri: str, path: Path, sha256: str) -> str:
    """`<data_uri>sha256/<digest>/<file name>`, content-addressed (pipeline/content_keys.py: concurrent
    runs never share an object, a changed file never hits a cached step); CloudError naming the stack
    output when `data_uri` is not s3://bucket/."""
    try:
        bucket, prefix = split_uri(data_uri)
    except StoreError as error:
        raise CloudError(f"{error}; check the stack output 'DataUri'") from None
    key = content_key(path.name, sha256)
    return join_uri(bucket, f"{prefix.rstrip('/')}/{key}" if prefix.strip("/") else key)


def _existing_sha256(store: S3ArtifactStore, uri: str) -> str | None:
    """The recorded SHA-256 of an existing object, "" when it has none, None when there is no object."""
    try:
        return store.metadata(uri).get(SHA256_METADATA_KEY, "")
    except ArtifactNotFound:
        return None


def _plan(store: S3ArtifactStore, path: Path, data_uri: str, force: bool) -> UploadResult:
    if not path.is_file():
        raise CloudError(f"{path} is not a file; pass the CSV files to upload")
    digest = sha256_file(path)
    uri = data_file_uri(data_uri, path, digest)
    existing = _existing_sha256(store, uri)
    action: UploadAction = "uploaded"
    if existing == digest:
        action = "unchanged"
    elif existing is not None:
        if not force:
            recorded = f"SHA-256 {existing[:12]}…" if existing else "no recorded SHA-256"
            raise CloudError(
                f"{uri} already holds a different file ({recorded}, yours is {digest[:12]}…); "
                "rename your file, or pass --force to replace it"
            )
        action = "replaced"
    key = content_key(path.name, digest)
    return UploadResult(path=path, uri=uri, key=key, sha256=digest, size=path.stat().st_size, action=action)


def upload_data_files(
    store: S3ArtifactStore, paths: Sequence[Path], data_uri: str, *, force: bool = False
) -> list[UploadResult]:
    """Upload each file to `data_uri`sha256/<digest>/<file name>; checks every file before sending any, so
    a conflict leaves the bucket untouched. Identical objects (same SHA-256) are not sent again; files
    of one name and different content land beside each other."""
    plans = [_plan(store, path, data_uri, force) for path in paths]
    for plan in plans:
        if plan.action != "unchanged":
            store.put_file(plan.path, plan.uri, metadata={SHA256_METADATA_KEY: plan.sha256})
    return plans
