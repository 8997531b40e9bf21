"""`mlpipe data upload` goes through the S3 artifact store: multipart, the file's SHA-256 in metadata,
and S3's own SHA-256 checksum on the upload.

Flexible checksums (ChecksumAlgorithm=SHA256; for multipart, a checksum of the part checksums with a
`-<parts>` suffix): https://docs.aws.amazon.com/AmazonS3/latest/userguide/checking-object-integrity.html
A multipart ETag ends in `-<parts>`: https://docs.aws.amazon.com/AmazonS3/latest/API/API_Object.html
"""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path
from typing import Any

from pipeline.aws.upload import SHA256_METADATA_KEY, upload_data_files
from runtime.store.base import split_uri
from runtime.store.s3 import S3ArtifactStore
from tests.integration.aws.conftest import BUCKET, MIB


def test_a_large_file_goes_up_in_parts_with_its_digest_and_checksums(s3: Any, tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    path.write_bytes(b"1,22\n" * (6 * MIB // 5 + 1))  # just over 6 MiB: two 5 MiB parts

    [result] = upload_data_files(S3ArtifactStore(s3, part_bytes=5 * MIB), [path], f"s3://{BUCKET}/data/")

    bucket, key = split_uri(result.uri)
    head = s3.head_object(Bucket=bucket, Key=key, ChecksumMode="ENABLED")
    assert head["ETag"].strip('"').endswith("-2")
    assert (
        head["Metadata"][SHA256_METADATA_KEY]
        == hashlib.sha256(path.read_bytes()).hexdigest()
        == result.sha256
    )
    assert head["ChecksumSHA256"]  # S3 checked each part's SHA-256 on arrival and kept the checksum


def test_a_small_file_carries_s3s_sha256_checksum(s3: Any, tmp_path: Path) -> None:
    path = tmp_path / "train.csv"
    path.write_text("Survived,Age\n1,22\n", encoding="utf-8")

    [result] = upload_data_files(S3ArtifactStore(s3), [path], f"s3://{BUCKET}/data/")

    bucket, key = split_uri(result.uri)
    head = s3.head_object(Bucket=bucket, Key=key, ChecksumMode="ENABLED")
    assert head["ChecksumSHA256"] == base64.b64encode(hashlib.sha256(path.read_bytes()).digest()).decode()
    assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == path.read_bytes()
