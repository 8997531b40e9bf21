"""Tar archives the engine handles: extracting a source bundle safely, packing the model folder."""

from __future__ import annotations

import tarfile
from pathlib import Path, PurePosixPath

from pipeline.bundles import bundle_bytes, collect_members
from pipeline.engine.errors import EngineError

MAX_MEMBERS = 2_000
MAX_TOTAL_BYTES = 200 * 1024 * 1024


def _safe_relative(name: str, archive: Path) -> PurePosixPath:
    """The member's path if it stays inside the destination folder, else an EngineError."""
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts:
        raise EngineError(
            f"{archive.name}: member {name!r} would leave the extraction folder; rebuild the bundle"
        )
    return path


def safe_extract(archive: Path, dest: Path) -> None:
    """Extract regular files and folders only, member by member, with a member-count and size cap."""
    dest.mkdir(parents=True, exist_ok=True)
    total = 0
    with tarfile.open(archive, "r:gz") as tar:
        for count, member in enumerate(tar, start=1):
            if count > MAX_MEMBERS:
                raise EngineError(
                    f"{archive.name}: more than {MAX_MEMBERS} members; is this the code bundle?"
                )
            relative = _safe_relative(member.name, archive)
            target = dest.joinpath(*relative.parts)
            if member.isdir() or not relative.parts:
                target.mkdir(parents=True, exist_ok=True)
                continue
            if not member.isfile():
                raise EngineError(
                    f"{archive.name}: member {member.name!r} is a link or device; "
                    "bundles may hold only files and folders"
                )
            total += member.size
            if total > MAX_TOTAL_BYTES:
                raise EngineError(f"{archive.name}: unpacks to more than {MAX_TOTAL_BYTES} bytes")
            source = tar.extractfile(member)
            if source is None:
                raise EngineError(f"{archive.name}: cannot read member {member.name!r}")
            target.parent.mkdir(parents=True, exist_ok=True)
            with source:
                target.write_bytes(source.read())


def pack_folder(folder: Path) -> bytes:
    """A deterministic .tar.gz of the folder's contents at the archive root, like SM_MODEL_DIR's."""
    names = sorted(child.name for child in folder.iterdir())
    if not names:
        raise EngineError(f"{folder} is empty: the training script saved no model to SM_MODEL_DIR")
    return bundle_bytes(collect_members({name: name for name in names}, root=folder))
