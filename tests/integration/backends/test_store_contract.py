"""One contract, two artifact stores: a local folder and S3 (moto)."""

from __future__ import annotations

from pathlib import Path

import pytest

from runtime.store.base import ArtifactNotFound, ArtifactStore, StoreError
from runtime.store.local import LocalArtifactStore
from runtime.store.s3 import MULTIPART_THRESHOLD, S3ArtifactStore
from tests.integration.backends.conftest import BUCKET

ROOT = f"s3://{BUCKET}"


def test_bytes_round_trip(store: ArtifactStore) -> None:
    store.put_bytes(b"\x00payload\xff", f"{ROOT}/runs/1/evaluation.json")

    assert store.get_bytes(f"{ROOT}/runs/1/evaluation.json") == b"\x00payload\xff"
    assert store.exists(f"{ROOT}/runs/1/evaluation.json")


def test_put_overwrites(store: ArtifactStore) -> None:
    store.put_bytes(b"first", f"{ROOT}/a.txt")
    store.put_bytes(b"second", f"{ROOT}/a.txt")

    assert store.get_bytes(f"{ROOT}/a.txt") == b"second"


def test_file_round_trip_with_metadata(store: LocalArtifactStore | S3ArtifactStore, tmp_path: Path) -> None:
    source = tmp_path / "model.tar.gz"
    source.write_bytes(b"model bytes" * 1000)

    store.put_file(source, f"{ROOT}/models/model.tar.gz", metadata={"sha256": "abc123"})
    store.download(f"{ROOT}/models/model.tar.gz", tmp_path / "out" / "copy.tar.gz")

    assert (tmp_path / "out" / "copy.tar.gz").read_bytes() == source.read_bytes()
    assert store.metadata(f"{ROOT}/models/model.tar.gz") == {"sha256": "abc123"}


def test_missing_object(store: ArtifactStore, tmp_path: Path) -> None:
    missing = f"{ROOT}/nothing/here.json"

    assert not store.exists(missing)
    with pytest.raises(ArtifactNotFound, match=missing):
        store.get_bytes(missing)
    with pytest.raises(ArtifactNotFound, match=missing):
        store.download(missing, tmp_path / "here.json")
    assert not (tmp_path / "here.json").exists()


def test_list_uris_is_a_sorted_string_prefix_match(store: ArtifactStore) -> None:
    for key in ("data/train.csv", "data/test.csv", "data-old/train.csv", "models/1/model.tar.gz"):
        store.put_bytes(b"x", f"{ROOT}/{key}")

    assert store.list_uris(f"{ROOT}/data/") == [f"{ROOT}/data/test.csv", f"{ROOT}/data/train.csv"]
    assert store.list_uris(f"{ROOT}/data") == [
        f"{ROOT}/data-old/train.csv",
        f"{ROOT}/data/test.csv",
        f"{ROOT}/data/train.csv",
    ]
    assert store.list_uris(f"{ROOT}/models/1/m") == [f"{ROOT}/models/1/model.tar.gz"]
    assert len(store.list_uris(ROOT)) == 4
    assert store.list_uris(f"{ROOT}/nothing/") == []


@pytest.mark.parametrize("uri", ["mlpipe-contract-artifacts/key", "s3:///key", "file:///etc/passwd"])
def test_malformed_uri_is_refused(store: ArtifactStore, uri: str) -> None:
    with pytest.raises(StoreError, match="s3://bucket/key"):
        store.get_bytes(uri)


def test_folder_uri_is_not_an_object(store: ArtifactStore) -> None:
    with pytest.raises(StoreError, match="folder"):
        store.put_bytes(b"x", f"{ROOT}/models/")


def test_large_file_goes_multipart(s3_store: S3ArtifactStore, tmp_path: Path) -> None:
    source = tmp_path / "big.bin"
    source.write_bytes(b"\x01" * (MULTIPART_THRESHOLD + 1024))

    s3_store.put_file(source, f"{ROOT}/big.bin", metadata={"kind": "test"})

    head = s3_store.client.head_object(Bucket=BUCKET, Key="big.bin")
    assert head["ETag"].strip('"').endswith("-2")  # a multipart upload's ETag counts its parts
    assert head["Metadata"] == {"kind": "test"}
    assert s3_store.get_bytes(f"{ROOT}/big.bin") == source.read_bytes()


def test_missing_bucket_is_a_store_error_not_a_missing_object(s3_store: S3ArtifactStore) -> None:
    with pytest.raises(StoreError, match="NoSuchBucket") as raised:
        s3_store.get_bytes("s3://no-such-bucket-here/key")

    assert not isinstance(raised.value, ArtifactNotFound)


def test_upload_of_missing_file(store: ArtifactStore, tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="does not exist"):
        store.put_file(tmp_path / "absent.csv", f"{ROOT}/absent.csv")


def test_size_and_chunked_read_without_reading_whole(store: ArtifactStore) -> None:
    data = bytes(range(256)) * 40  # 10,240 bytes
    store.put_bytes(data, f"{ROOT}/models/1/model.tar.gz")

    assert store.size(f"{ROOT}/models/1/model.tar.gz") == len(data)
    chunks = list(store.iter_chunks(f"{ROOT}/models/1/model.tar.gz", chunk_bytes=4096))
    assert b"".join(chunks) == data
    assert max(len(chunk) for chunk in chunks) <= 4096 and len(chunks) >= 3


def test_size_and_chunked_read_of_a_missing_object(store: ArtifactStore) -> None:
    missing = f"{ROOT}/nothing/model.tar.gz"
    store.put_bytes(b"x", f"{ROOT}/folder/inside.bin")

    for uri in (missing, f"{ROOT}/folder"):
        with pytest.raises(ArtifactNotFound, match=uri):
            store.size(uri)
        with pytest.raises(ArtifactNotFound, match=uri):
            list(store.iter_chunks(uri))


def test_s3_size_is_head_object_content_length(s3_store: S3ArtifactStore) -> None:
    """HeadObject returns the object's ContentLength without its body.

    https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadObject.html (response: Content-Length)
    """
    s3_store.put_bytes(b"\x01" * 12345, f"{ROOT}/big.bin")
    calls: list[str] = []
    s3_store.client.meta.events.register("before-call.s3.*", lambda model, **_: calls.append(model.name))

    assert s3_store.size(f"{ROOT}/big.bin") == 12345
    assert calls == ["HeadObject"]
