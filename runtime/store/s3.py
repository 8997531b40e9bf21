"""The artifact store on Amazon S3 through a boto3 client (injected, so tests can use moto)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from runtime.store.base import (
    CHUNK_BYTES,
    ArtifactNotFound,
    StoreError,
    join_uri,
    split_object_uri,
    split_uri,
)

# Above this size uploads and downloads go multipart, in parallel parts (S3's part minimum is 5 MiB).
MULTIPART_THRESHOLD = 16 * 1024 * 1024
_MISSING_CODES = {"404", "NoSuchKey", "NotFound"}


class S3ArtifactStore:
    """Artifact store backed by S3; object metadata travels as S3 user metadata (x-amz-meta-*)."""

    def __init__(self, client: Any, *, part_bytes: int = MULTIPART_THRESHOLD) -> None:
        self.client = client
        self.part_bytes = part_bytes  # multipart threshold and part size of uploads and downloads

    def put_file(self, path: Path, uri: str, *, metadata: Mapping[str, str] | None = None) -> None:
        bucket, key = split_object_uri(uri)
        if not Path(path).is_file():
            raise StoreError(f"cannot upload {path} to {uri}: the file does not exist")
        # S3 checks each part's SHA-256 on arrival and refuses a corrupted one (flexible checksums:
        # https://docs.aws.amazon.com/AmazonS3/latest/userguide/checking-object-integrity.html).
        extra: dict[str, Any] = {"ChecksumAlgorithm": "SHA256"}
        if metadata:
            extra["Metadata"] = dict(metadata)
        with _translated_errors(uri):
            transfer = _transfer_config(self.part_bytes)
            self.client.upload_file(str(path), bucket, key, ExtraArgs=extra, Config=transfer)

    def put_bytes(self, data: bytes, uri: str) -> None:
        bucket, key = split_object_uri(uri)
        with _translated_errors(uri):
            self.client.put_object(Bucket=bucket, Key=key, Body=data)

    def get_bytes(self, uri: str) -> bytes:
        bucket, key = split_object_uri(uri)
        with _translated_errors(uri):
            body: bytes = self.client.get_object(Bucket=bucket, Key=key)["Body"].read()
        return body

    def size(self, uri: str) -> int:
        """The object's `ContentLength` from HeadObject: its size without downloading it.

        https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadObject.html
        """
        bucket, key = split_object_uri(uri)
        with _translated_errors(uri):
            length: int = self.client.head_object(Bucket=bucket, Key=key)["ContentLength"]
        return length

    def iter_chunks(self, uri: str, chunk_bytes: int = CHUNK_BYTES) -> Iterator[bytes]:
        """GetObject's body, read `chunk_bytes` at a time (botocore's `StreamingBody.iter_chunks`)."""
        bucket, key = split_object_uri(uri)
        with _translated_errors(uri):
            body = self.client.get_object(Bucket=bucket, Key=key)["Body"]
            try:
                yield from body.iter_chunks(chunk_bytes)
            finally:
                body.close()

    def download(self, uri: str, dest: Path) -> None:
        bucket, key = split_object_uri(uri)
        Path(dest).parent.mkdir(parents=True, exist_ok=True)
        # s3transfer writes to a temporary name and renames it, so `dest` is never half written.
        with _translated_errors(uri):
            self.client.download_file(bucket, key, str(dest), Config=_transfer_config(self.part_bytes))

    def exists(self, uri: str) -> bool:
        bucket, key = split_object_uri(uri)
        try:
            with _translated_errors(uri):
                self.client.head_object(Bucket=bucket, Key=key)
        except ArtifactNotFound:
            return False
        return True

    def list_uris(self, prefix_uri: str) -> list[str]:
        bucket, prefix = split_uri(prefix_uri)
        paginator = self.client.get_paginator("list_objects_v2")
        with _translated_errors(prefix_uri):
            keys = [
                item["Key"]
                for page in paginator.paginate(Bucket=bucket, Prefix=prefix)
                for item in page.get("Contents", [])
            ]
        return sorted(join_uri(bucket, key) for key in keys)

    def metadata(self, uri: str) -> dict[str, str]:
        """The user metadata stored with the object at `uri`."""
        bucket, key = split_object_uri(uri)
        with _translated_errors(uri):
            stored: dict[str, str] = self.client.head_object(Bucket=bucket, Key=key).get("Metadata", {})
        return stored


def _transfer_config(part_bytes: int) -> Any:
    from boto3.s3.transfer import TransferConfig  # noqa: PLC0415 - boto3 loads only when S3 is used

    return TransferConfig(multipart_threshold=part_bytes, multipart_chunksize=part_bytes)


@contextmanager
def _translated_errors(uri: str) -> Iterator[None]:
    """Turn botocore errors into ArtifactNotFound / StoreError that name the URI."""
    from boto3.exceptions import Boto3Error  # noqa: PLC0415 - see _transfer_config
    from botocore.exceptions import BotoCoreError, ClientError  # noqa: PLC0415

    try:
        yield
    except ClientError as error:
        code = str(error.response.get("Error", {}).get("Code", ""))
        if code in _MISSING_CODES:
            raise ArtifactNotFound(uri) from error
        message = f"S3 request for {uri} failed ({code}): {error}; check the bucket name and IAM access"
        raise StoreError(message) from error
    except (BotoCoreError, Boto3Error) as error:
        # Boto3Error: upload_file wraps service errors in S3UploadFailedError.
        message = f"S3 request for {uri} failed: {error}; check the bucket, credentials and network"
        raise StoreError(message) from error
