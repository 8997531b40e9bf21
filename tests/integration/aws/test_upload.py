from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest

from pipeline.aws.errors import CloudError
from pipeline.aws.upload import upload_data_files
from runtime.store.s3 import S3ArtifactStore
from tests.integration.aws.conftest import BUCKET, MIB

DATA_URI = f"s3://{BUCKET}/data/"


@pytest.fixture
def store(s3: Any) -> S3ArtifactStore:
    """The S3 store `mlpipe data upload` goes through, with 5 MiB parts (S3's minimum) to test multipart."""
    return S3ArtifactStore(s3, part_bytes=5 * MIB)


def csv(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def key_of(path: Path) -> str:
    """Where the upload stores a file: content-addressed (pipeline/content_keys.py)."""
    return f"data/sha256/{hashlib.sha256(path.read_bytes()).hexdigest()}/{path.name}"


def test_upload_stores_the_file_under_its_content_key_with_its_sha256(
    s3: Any, store: S3ArtifactStore, tmp_path: Path
) -> None:
    path = csv(tmp_path, "train.csv", "Survived,Age\n1,22\n")

    [result] = upload_data_files(store, [path], DATA_URI)

    head = s3.head_object(Bucket=BUCKET, Key=key_of(path))
    assert result.action == "uploaded"
    assert result.uri == f"s3://{BUCKET}/{key_of(path)}"
    assert result.key == key_of(path).removeprefix("data/")  # the TrainFile value
    assert head["Metadata"]["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest() == result.sha256
    assert s3.get_object(Bucket=BUCKET, Key=key_of(path))["Body"].read() == path.read_bytes()


def test_same_file_again_is_not_sent(s3: Any, store: S3ArtifactStore, tmp_path: Path) -> None:
    path = csv(tmp_path, "train.csv", "Survived,Age\n1,22\n")
    upload_data_files(store, [path], DATA_URI)
    first_modified = s3.head_object(Bucket=BUCKET, Key=key_of(path))["LastModified"]

    [result] = upload_data_files(store, [path], DATA_URI)

    assert result.action == "unchanged"
    assert s3.head_object(Bucket=BUCKET, Key=key_of(path))["LastModified"] == first_modified


def test_a_changed_file_of_the_same_name_gets_a_new_key_and_replaces_nothing(
    s3: Any, store: S3ArtifactStore, tmp_path: Path
) -> None:
    # A re-uploaded, changed train.csv must never be what a cached step's key (its old key) names.
    original = csv(tmp_path, "train.csv", "Survived\n1\n")
    upload_data_files(store, [original], DATA_URI)
    (tmp_path / "other").mkdir()
    changed = csv(tmp_path / "other", "train.csv", "Survived\n0\n")

    [result] = upload_data_files(store, [changed], DATA_URI)

    assert result.action == "uploaded"
    assert key_of(changed) != key_of(original)
    assert s3.get_object(Bucket=BUCKET, Key=key_of(original))["Body"].read() == b"Survived\n1\n"
    assert s3.get_object(Bucket=BUCKET, Key=key_of(changed))["Body"].read() == b"Survived\n0\n"


def test_an_object_at_the_key_with_another_digest_is_refused_unless_forced(
    s3: Any, store: S3ArtifactStore, tmp_path: Path
) -> None:
    path = csv(tmp_path, "train.csv", "Survived\n1\n")
    s3.put_object(Bucket=BUCKET, Key=key_of(path), Body=b"damaged", Metadata={"sha256": "0" * 64})

    with pytest.raises(CloudError, match=r"already holds a different file.*--force"):
        upload_data_files(store, [path], DATA_URI)
    [result] = upload_data_files(store, [path], DATA_URI, force=True)

    assert result.action == "replaced"
    assert s3.get_object(Bucket=BUCKET, Key=key_of(path))["Body"].read() == b"Survived\n1\n"


def test_object_without_recorded_digest_counts_as_different(
    s3: Any, store: S3ArtifactStore, tmp_path: Path
) -> None:
    path = csv(tmp_path, "train.csv", "Survived\n1\n")
    s3.put_object(Bucket=BUCKET, Key=key_of(path), Body=b"Survived\n1\n")

    with pytest.raises(CloudError, match="no recorded SHA-256"):
        upload_data_files(store, [path], DATA_URI)


def test_large_file_goes_up_in_parts_and_keeps_the_whole_file_digest(
    s3: Any, store: S3ArtifactStore, tmp_path: Path
) -> None:
    path = tmp_path / "big.csv"
    path.write_bytes(b"1,22\n" * (6 * MIB // 5 + 1))  # just over 6 MiB: two 5 MiB parts

    [result] = upload_data_files(store, [path], DATA_URI)

    head = s3.head_object(Bucket=BUCKET, Key=key_of(path))
    assert head["ETag"].strip('"').endswith("-2")  # a multipart ETag carries the part count
    assert head["Metadata"]["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest() == result.sha256


def test_two_files_with_one_name_land_beside_each_other(
    s3: Any, store: S3ArtifactStore, tmp_path: Path
) -> None:
    (tmp_path / "a").mkdir()
    first, second = csv(tmp_path, "train.csv", "x\n"), csv(tmp_path / "a", "train.csv", "y\n")

    results = upload_data_files(store, [first, second], DATA_URI)

    assert [result.uri for result in results] == [f"s3://{BUCKET}/{key_of(p)}" for p in (first, second)]
    assert [s3.get_object(Bucket=BUCKET, Key=key_of(p))["Body"].read() for p in (first, second)] == [
        b"x\n",
        b"y\n",
    ]


def test_a_folder_is_not_a_data_file(s3: Any, store: S3ArtifactStore, tmp_path: Path) -> None:
    with pytest.raises(CloudError, match="is not a file"):
        upload_data_files(store, [tmp_path], DATA_URI)
