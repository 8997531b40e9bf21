from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from runtime.store import local as local_module
from runtime.store.base import ArtifactNotFound, StoreError
from runtime.store.local import LOCAL_BUCKET, LocalArtifactStore

URI = f"s3://{LOCAL_BUCKET}/runs/1/model.tar.gz"


@pytest.fixture
def store(tmp_path: Path) -> LocalArtifactStore:
    return LocalArtifactStore(tmp_path / "home")


def test_uri_maps_under_root_s3_bucket_key(store: LocalArtifactStore, tmp_path: Path) -> None:
    store.put_bytes(b"abc", URI)

    assert (tmp_path / "home" / "s3" / LOCAL_BUCKET / "runs" / "1" / "model.tar.gz").read_bytes() == b"abc"


@pytest.mark.parametrize(
    "key",
    ["../escape.txt", "runs/../../escape.txt", "/etc/passwd", "runs//model.tar.gz", "./model", "runs/.."],
)
def test_keys_escaping_or_ambiguous_are_refused(store: LocalArtifactStore, tmp_path: Path, key: str) -> None:
    with pytest.raises(StoreError, match="unsafe key"):
        store.put_bytes(b"x", f"s3://{LOCAL_BUCKET}/{key}")
    assert not (tmp_path / "escape.txt").exists()


@pytest.mark.parametrize("prefix", ["../", "a/../../", "/"])
def test_list_prefix_cannot_escape(store: LocalArtifactStore, prefix: str) -> None:
    with pytest.raises(StoreError, match="unsafe key"):
        store.list_uris(f"s3://{LOCAL_BUCKET}/{prefix}")


def test_bucket_cannot_be_dot_dot(store: LocalArtifactStore) -> None:
    with pytest.raises(StoreError, match="unsafe key"):
        store.put_bytes(b"x", "s3://../key")


def test_symlink_out_of_the_store_is_refused(store: LocalArtifactStore, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (tmp_path / "home" / "s3" / LOCAL_BUCKET).mkdir(parents=True)
    (tmp_path / "home" / "s3" / LOCAL_BUCKET / "link").symlink_to(outside)

    with pytest.raises(StoreError, match="outside the local store"):
        store.put_bytes(b"x", f"s3://{LOCAL_BUCKET}/link/file")
    assert list(outside.iterdir()) == []


def test_metadata_lives_in_a_sidecar_and_is_not_listed(store: LocalArtifactStore, tmp_path: Path) -> None:
    source = tmp_path / "model.tar.gz"
    source.write_bytes(b"model")

    store.put_file(source, URI, metadata={"sha256": "00ff"})

    sidecar = store.path_for(URI).with_name("model.tar.gz" + local_module.METADATA_SUFFIX)
    assert json.loads(sidecar.read_text()) == {"sha256": "00ff"}
    assert store.list_uris(f"s3://{LOCAL_BUCKET}/") == [URI]
    assert store.metadata(URI) == {"sha256": "00ff"}


def test_reserved_suffixes_cannot_be_written(store: LocalArtifactStore) -> None:
    with pytest.raises(StoreError, match="reserves"):
        store.put_bytes(b"{}", URI + local_module.METADATA_SUFFIX)


def test_failed_write_keeps_the_old_object_and_leaves_no_temp_file(
    store: LocalArtifactStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.put_bytes(b"old", URI)

    def failing_replace(source: str, target: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(local_module.os, "replace", failing_replace)
    with pytest.raises(StoreError, match="disk full"):
        store.put_bytes(b"new", URI)
    monkeypatch.undo()

    assert store.get_bytes(URI) == b"old"
    expected = ["model.tar.gz", "model.tar.gz" + local_module.METADATA_SUFFIX]
    assert sorted(os.listdir(store.path_for(URI).parent)) == expected


def test_missing_object_and_metadata(store: LocalArtifactStore) -> None:
    assert not store.exists(URI)
    with pytest.raises(ArtifactNotFound):
        store.metadata(URI)
    with pytest.raises(ArtifactNotFound):
        store.get_bytes(f"s3://{LOCAL_BUCKET}/runs")  # a folder is not an object


def test_relative_root_is_resolved(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    store = LocalArtifactStore(Path(".mlpipe"))
    store.put_bytes(b"x", URI)

    monkeypatch.chdir("/")
    assert store.get_bytes(URI) == b"x"


def test_key_below_an_existing_object_cannot_be_written(store: LocalArtifactStore) -> None:
    store.put_bytes(b"x", f"s3://{LOCAL_BUCKET}/runs")

    with pytest.raises(StoreError, match="already uses part of this key"):
        store.put_bytes(b"y", f"s3://{LOCAL_BUCKET}/runs/1/model.tar.gz")
