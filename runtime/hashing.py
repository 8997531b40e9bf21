"""SHA-256 as lower-case hex, the one way the project hashes artifacts and data files.

Streams: a file or a chunk iterator is read 1 MiB at a time, so a multi-GB CSV needs little memory.
Runs in the XGBoost container too (Python 3.10): standard library only.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from pathlib import Path

CHUNK_BYTES = 2**20


def sha256_bytes(data: bytes) -> str:
    """Hex SHA-256 of `data`."""
    return hashlib.sha256(data).hexdigest()


def sha256_chunks(chunks: Iterable[bytes]) -> str:
    """Hex SHA-256 of the concatenated `chunks`, holding one chunk at a time."""
    digest = hashlib.sha256()
    for chunk in chunks:
        digest.update(chunk)
    return digest.hexdigest()


def file_chunks(path: Path, chunk_bytes: int = CHUNK_BYTES) -> Iterator[bytes]:
    """The bytes of the file at `path`, `chunk_bytes` at a time."""
    with Path(path).open("rb") as handle:
        yield from iter(lambda: handle.read(chunk_bytes), b"")


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of the file at `path`, streamed."""
    return sha256_chunks(file_chunks(path))
