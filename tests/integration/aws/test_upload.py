from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from boto3.s3.transfer import TransferConfig
from moto import mock_aws

from pipeline.aws.errors import CloudError
from pipeline.aws.upload import upload_data_files

BUCKET = "mlpipe-dev-artifacts"
DATA_URI = f"s3://{BUCKET}/data/"
MIB = 1024 * 1024


@pytest.fixture
def s3(fake_aws_env: None) -> Iterator[Any]:
    with mock_aws():
        client = boto3.client("s3")
        client.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
        yield client


def csv(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_upload_stores_the_file_under_the_data_prefix_with_its_sha256(s3: Any, tmp_path: Path) -> None:
    path = csv(tmp_path, "train.csv", "Survived,Age\n1,22\n")

    [result] = upload_data_files(s3, [path], DATA_URI)

    head = s3.head_object(Bucket=BUCKET, Key="data/train.csv")
    assert result.action == "uploaded"
    assert result.uri == f"{DATA_URI}train.csv"
    assert head["Metadata"]["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest() == result.sha256
    assert s3.get_object(Bucket=BUCKET, Key="data/train.csv")["Body"].read() == path.read_bytes()


def test_same_file_again_is_not_sent(s3: Any, tmp_path: Path) -> None:
    path = csv(tmp_path, "train.csv", "Survived,Age\n1,22\n")
    upload_data_files(s3, [path], DATA_URI)
    first_modified = s3.head_object(Bucket=BUCKET, Key="data/train.csv")["LastModified"]

    [result] = upload_data_files(s3, [path], DATA_URI)

    assert result.action == "unchanged"
    assert s3.head_object(Bucket=BUCKET, Key="data/train.csv")["LastModified"] == first_modified


def test_different_file_of_the_same_name_is_refused_and_nothing_is_sent(s3: Any, tmp_path: Path) -> None:
    upload_data_files(s3, [csv(tmp_path, "train.csv", "Survived\n1\n")], DATA_URI)
    other = tmp_path / "other"
    other.mkdir()
    changed = csv(other, "train.csv", "Survived\n0\n")
    fresh = csv(other, "test.csv", "Survived\n1\n")

    with pytest.raises(CloudError, match=r"already holds a different file.*--force"):
        upload_data_files(s3, [fresh, changed], DATA_URI)

    assert s3.get_object(Bucket=BUCKET, Key="data/train.csv")["Body"].read() == b"Survived\n1\n"
    assert s3.list_objects_v2(Bucket=BUCKET, Prefix="data/test.csv")["KeyCount"] == 0


def test_force_replaces_the_object(s3: Any, tmp_path: Path) -> None:
    upload_data_files(s3, [csv(tmp_path, "train.csv", "Survived\n1\n")], DATA_URI)
    changed = csv(tmp_path, "train.csv", "Survived\n0\n")

    [result] = upload_data_files(s3, [changed], DATA_URI, force=True)

    assert result.action == "replaced"
    assert s3.get_object(Bucket=BUCKET, Key="data/train.csv")["Body"].read() == b"Survived\n0\n"


def test_object_without_recorded_digest_counts_as_different(s3: Any, tmp_path: Path) -> None:
    s3.put_object(Bucket=BUCKET, Key="data/train.csv", Body=b"Survived\n1\n")

    with pytest.raises(CloudError, match="no recorded SHA-256"):
        upload_data_files(s3, [csv(tmp_path, "train.csv", "Survived\n1\n")], DATA_URI)


def test_large_file_goes_up_in_parts_and_keeps_the_whole_file_digest(s3: Any, tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    path.write_bytes(b"1,22\n" * (6 * MIB // 5 + 1))  # just over 6 MiB: two 5 MiB parts
    transfer = TransferConfig(multipart_threshold=5 * MIB, multipart_chunksize=5 * MIB)

    [result] = upload_data_files(s3, [path], DATA_URI, transfer=transfer)

    head = s3.head_object(Bucket=BUCKET, Key="data/big.csv")
    assert head["ETag"].strip('"').endswith("-2")  # a multipart ETag carries the part count
    assert head["Metadata"]["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest() == result.sha256


def test_two_files_with_one_name_are_refused(s3: Any, tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    first, second = csv(tmp_path, "train.csv", "x\n"), csv(tmp_path / "a", "train.csv", "y\n")

    with pytest.raises(CloudError, match="several files are named"):
        upload_data_files(s3, [first, second], DATA_URI)


def test_a_folder_is_not_a_data_file(s3: Any, tmp_path: Path) -> None:
    with pytest.raises(CloudError, match="is not a file"):
        upload_data_files(s3, [tmp_path], DATA_URI)
