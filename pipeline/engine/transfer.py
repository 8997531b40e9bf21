"""Move data between the artifact store and a step's work folder, as SageMaker's data channels do."""

from __future__ import annotations

from pathlib import Path

from pipeline.engine.errors import EngineError
from runtime.store.base import ArtifactStore


def download_input(store: ArtifactStore, uri: str, dest: Path, *, data_type: str = "S3Prefix") -> None:
    """Copy the object at `uri`, or every object under the prefix `uri`, into the folder `dest`."""
    if data_type != "S3Prefix":
        raise EngineError(f"S3DataType {data_type!r} of {uri} is not supported locally; use S3Prefix")
    dest.mkdir(parents=True, exist_ok=True)
    if not uri.endswith("/") and store.exists(uri):
        store.download(uri, dest / uri.rsplit("/", 1)[-1])
        return
    prefix = uri.rstrip("/") + "/"
    found = store.list_uris(prefix)
    if not found:
        raise EngineError(f"no objects under {uri}; store the input there first (mlpipe run does this)")
    for item in found:
        store.download(item, dest.joinpath(*item.removeprefix(prefix).split("/")))


def upload_folder(store: ArtifactStore, folder: Path, uri: str) -> list[str]:
    """Upload every file under `folder` to `uri`/<relative path>; returns the URIs written."""
    written = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        target = f"{uri.rstrip('/')}/{path.relative_to(folder).as_posix()}"
        store.put_file(path, target)
        written.append(target)
    return written
