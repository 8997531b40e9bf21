from __future__ import annotations

import pytest

from runtime.store.base import ArtifactNotFound, StoreError, join_uri, split_object_uri, split_uri


@pytest.mark.parametrize(
    ("uri", "expected"),
    [
        ("s3://bucket/key.csv", ("bucket", "key.csv")),
        ("s3://bucket/deep/er/key", ("bucket", "deep/er/key")),
        ("s3://bucket/", ("bucket", "")),
        ("s3://bucket", ("bucket", "")),
    ],
)
def test_split_uri(uri: str, expected: tuple[str, str]) -> None:
    assert split_uri(uri) == expected
    if expected[1]:
        assert join_uri(*expected) == uri


@pytest.mark.parametrize("uri", ["bucket/key", "S3://bucket/key", "s3://", "s3:///key", "https://bucket/key"])
def test_split_uri_refuses_non_s3(uri: str) -> None:
    with pytest.raises(StoreError, match="s3://bucket/key"):
        split_uri(uri)


@pytest.mark.parametrize("uri", ["s3://bucket", "s3://bucket/", "s3://bucket/folder/"])
def test_object_uri_needs_a_name(uri: str) -> None:
    with pytest.raises(StoreError, match="names a folder"):
        split_object_uri(uri)


def test_not_found_names_the_uri() -> None:
    error = ArtifactNotFound("s3://bucket/gone.json")

    assert error.uri == "s3://bucket/gone.json"
    assert "s3://bucket/gone.json" in str(error)
    assert isinstance(error, StoreError)
