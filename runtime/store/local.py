"""A folder that behaves like S3: `s3://bucket/key` lives at `<root>/s3/bucket/key`."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from runtime.store.base import (
    CHUNK_BYTES,
    ArtifactNotFound,
    StoreError,
    join_uri,
    split_object_uri,
    split_uri,
)
from runtime.store.temp_files import TEMP_SUFFIX, temp_prefix

LOCAL_BUCKET = "mlpipe-local"
METADATA_SUFFIX = ".mlpipe-metadata.json"
_TEMP_SUFFIX = TEMP_SUFFIX
_RESERVED_SUFFIXES = (METADATA_SUFFIX, _TEMP_SUFFIX)


class LocalArtifactStore:
    """Artifact store on the local filesystem; writes are atomic (temp file + rename)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root).resolve()
        self._objects = self.root / "s3"

    def path_for(self, uri: str) -> Path:
        """The file that holds the object at `uri`; rejects keys that would leave the store."""
        bucket, key = split_object_uri(uri)
        if key.endswith(_RESERVED_SUFFIXES):
            raise StoreError(f"{uri!r} ends with a suffix the local store reserves; rename it")
        return self._checked_path(uri, [bucket, *key.split("/")])

    def put_file(self, path: Path, uri: str, *, metadata: Mapping[str, str] | None = None) -> None:
        target = self.path_for(uri)
        if not Path(path).is_file():
            raise StoreError(f"cannot upload {path} to {uri}: the file does not exist")
        with _os_errors(uri), Path(path).open("rb") as source, _atomic_writer(target) as sink:
            shutil.copyfileobj(source, sink)
        self._write_metadata(target, metadata or {})

    def put_bytes(self, data: bytes, uri: str) -> None:
        target = self.path_for(uri)
        with _os_errors(uri), _atomic_writer(target) as sink:
            sink.write(data)
        self._write_metadata(target, {})

    def get_bytes(self, uri: str) -> bytes:
        source = self.path_for(uri)
        with _os_errors(uri, reading=True):
            return source.read_bytes()

    def size(self, uri: str) -> int:
        """The object's size in bytes, from the file system (nothing is read)."""
        source = self.path_for(uri)
        with _os_errors(uri, reading=True):
            if source.is_dir():
                raise IsADirectoryError(source)
            return source.stat().st_size

    def iter_chunks(self, uri: str, chunk_bytes: int = CHUNK_BYTES) -> Iterator[bytes]:
        source = self.path_for(uri)
        with _os_errors(uri, reading=True), source.open("rb") as reader:
            yield from iter(lambda: reader.read(chunk_bytes), b"")

    def download(self, uri: str, dest: Path) -> None:
        source = self.path_for(uri)
        if not source.is_file():
            raise ArtifactNotFound(uri)
        with _os_errors(uri), source.open("rb") as reader, _atomic_writer(Path(dest)) as sink:
            shutil.copyfileobj(reader, sink)

    def exists(self, uri: str) -> bool:
        return self.path_for(uri).is_file()

    def list_uris(self, prefix_uri: str) -> list[str]:
        bucket, prefix = split_uri(prefix_uri)
        bucket_dir = self._objects / bucket
        # Walk only the folder the prefix is certain to be under; S3 prefixes are plain string prefixes.
        start = self._checked_path(prefix_uri, [bucket, *prefix.split("/")[:-1]])
        uris = []
        for folder, _, names in os.walk(start):
            for name in names:
                if name.endswith(_RESERVED_SUFFIXES):
                    continue
                key = (Path(folder) / name).relative_to(bucket_dir).as_posix()
                if key.startswith(prefix):
                    uris.append(join_uri(bucket, key))
        return sorted(uris)

    def metadata(self, uri: str) -> dict[str, str]:
        """The metadata stored with the object at `uri` (empty when none was given)."""
        target = self.path_for(uri)
        if not target.is_file():
            raise ArtifactNotFound(uri)
        sidecar = target.with_name(target.name + METADATA_SUFFIX)
        return json.loads(sidecar.read_text()) if sidecar.is_file() else {}

    def _write_metadata(self, target: Path, metadata: Mapping[str, str]) -> None:
        sidecar = target.with_name(target.name + METADATA_SUFFIX)
        with _os_errors(str(sidecar)), _atomic_writer(sidecar) as sink:
            sink.write(json.dumps(dict(metadata), sort_keys=True).encode())

    def _checked_path(self, uri: str, segments: list[str]) -> Path:
        """The path of `segments` under the store; every segment must be a plain name."""
        if any(segment in ("", ".", "..") for segment in segments):
            raise StoreError(
                f"unsafe key in {uri!r}: empty, '.', '..' and absolute path segments would leave the "
                "local store; use a plain relative key such as s3://mlpipe-local/models/model.tar.gz"
            )
        path = self._objects.joinpath(*segments)
        # A symlink inside the store could still point elsewhere: compare resolved paths too.
        if not path.resolve().is_relative_to(self._objects.resolve()):
            raise StoreError(f"{uri!r} resolves outside the local store {self._objects}; use a plain key")
        return path


@contextmanager
def _os_errors(uri: str, *, reading: bool = False) -> Iterator[None]:
    """On reads a missing file (or a folder in its place) is ArtifactNotFound; other errors StoreError."""
    try:
        yield
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError) as error:
        if reading:
            raise ArtifactNotFound(uri) from error
        message = f"cannot write {uri}: {error}; an object already uses part of this key as its name"
        raise StoreError(message) from error
    except OSError as error:
        message = f"local store failed on {uri}: {error}; check that MLPIPE_HOME is writable"
        raise StoreError(message) from error


@contextmanager
def _atomic_writer(target: Path) -> Iterator[IO[bytes]]:
    """Write to a temp file next to `target`, then rename it over `target` (readers never see half files)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed below, renamed on success
        dir=target.parent, prefix=temp_prefix(target.name), suffix=_TEMP_SUFFIX, delete=False
    )
    try:
        with handle:
            yield handle
        os.replace(handle.name, target)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise
