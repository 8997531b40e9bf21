"""Upload data files to the pipeline's data location: multipart when large, SHA-256 in the metadata."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from boto3.s3.transfer import TransferConfig
from botocore.exceptions import ClientError

from pipeline.aws.errors import CloudError

SHA256_METADATA_KEY = "sha256"  # stored by S3 as x-amz-meta-sha256
_MIB = 1024 * 1024
# Above 16 MiB a file goes up in 16 MiB parts, several at once; a failed part is retried alone.
DEFAULT_TRANSFER = TransferConfig(
    multipart_threshold=16 * _MIB, multipart_chunksize=16 * _MIB, max_concurrency=8
)

UploadAction = Literal["uploaded", "replaced", "unchanged"]


@dataclass(frozen=True, kw_only=True)
class UploadResult:
    """What happened to one file."""

    path: Path
    uri: str
    sha256: str
    size: int
    action: UploadAction


def sha256_of_file(path: Path) -> str:
    """Hex SHA-256 of a file, read in 1 MiB chunks so large files need little memory."""
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for chunk in iter(lambda: stream.read(_MIB), b""):
            digest.update(chunk)
    return digest.hexdigest()


def split_s3_uri(uri: str) -> tuple[str, str]:
    """`s3://bucket/key` -> (bucket, key)."""
    bucket, _, key = uri.removeprefix("s3://").partition("/")
    if not uri.startswith("s3://") or not bucket:
        raise CloudError(f"{uri!r} is not an s3://bucket/prefix URI; check the stack output 'DataUri'")
    return bucket, key


def _existing_sha256(s3: Any, bucket: str, key: str) -> str | None:
    """The recorded SHA-256 of an existing object, "" when it has none, None when there is no object."""
    try:
        head = s3.head_object(Bucket=bucket, Key=key)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in {"404", "NoSuchKey", "NotFound"}:
            return None
        raise
    return str(head.get("Metadata", {}).get(SHA256_METADATA_KEY, ""))


def _plan(s3: Any, path: Path, data_uri: str, force: bool) -> UploadResult:
    if not path.is_file():
        raise CloudError(f"{path} is not a file; pass the CSV files to upload")
    bucket, prefix = split_s3_uri(data_uri)
    key = f"{prefix.rstrip('/')}/{path.name}" if prefix.strip("/") else path.name
    digest = sha256_of_file(path)
    existing = _existing_sha256(s3, bucket, key)
    action: UploadAction = "uploaded"
    if existing == digest:
        action = "unchanged"
    elif existing is not None:
        if not force:
            recorded = f"SHA-256 {existing[:12]}…" if existing else "no recorded SHA-256"
            raise CloudError(
                f"s3://{bucket}/{key} already holds a different file ({recorded}, yours is {digest[:12]}…); "
                "rename your file, or pass --force to replace it"
            )
        action = "replaced"
    return UploadResult(
        path=path, uri=f"s3://{bucket}/{key}", sha256=digest, size=path.stat().st_size, action=action
    )


def upload_data_files(
    s3: Any,
    paths: Sequence[Path],
    data_uri: str,
    *,
    force: bool = False,
    transfer: TransferConfig = DEFAULT_TRANSFER,
) -> list[UploadResult]:
    """Upload each file to `data_uri`/<file name>; checks every file before sending any, so a conflict
    leaves the bucket untouched. Identical objects (same SHA-256) are not sent again."""
    names = [p.name for p in paths]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise CloudError(f"several files are named {duplicates}; the data location keys objects by file name")
    plans = [_plan(s3, path, data_uri, force) for path in paths]
    for plan in plans:
        if plan.action == "unchanged":
            continue
        bucket, key = split_s3_uri(plan.uri)
        s3.upload_file(
            str(plan.path),
            bucket,
            key,
            Config=transfer,
            # S3 verifies each part's checksum on arrival; the metadata keeps the whole file's digest.
            ExtraArgs={"Metadata": {SHA256_METADATA_KEY: plan.sha256}, "ChecksumAlgorithm": "SHA256"},
        )
    return plans
