"""runtime/hashing.py: the one SHA-256 helper (bytes, chunks, files streamed)."""

from __future__ import annotations

from pathlib import Path

from runtime import hashing
from runtime.hashing import file_chunks, sha256_bytes, sha256_chunks, sha256_file

# FIPS 180-2 test vectors (https://csrc.nist.gov/csrc/media/projects/cryptographic-standards-and-guidelines/documents/examples/sha256.pdf)
EMPTY = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
ABC = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


def test_bytes_match_the_published_vectors() -> None:
    assert sha256_bytes(b"") == EMPTY
    assert sha256_bytes(b"abc") == ABC


def test_chunks_hash_as_their_concatenation() -> None:
    assert sha256_chunks([b"a", b"", b"bc"]) == ABC
    assert sha256_chunks([]) == EMPTY


def test_a_file_is_read_in_chunks_and_hashes_like_its_bytes(tmp_path: Path) -> None:
    path = tmp_path / "data.bin"
    data = bytes(range(256)) * 9000  # 2.2 MiB: three 1 MiB chunks, the last one partial
    path.write_bytes(data)

    chunks = list(file_chunks(path))

    assert [len(c) for c in chunks] == [
        hashing.CHUNK_BYTES,
        hashing.CHUNK_BYTES,
        len(data) - 2 * hashing.CHUNK_BYTES,
    ]
    assert sha256_file(path) == sha256_bytes(data)
    assert sha256_file(tmp_path / "data.bin") != sha256_bytes(data[:-1])
