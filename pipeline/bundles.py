"""Deterministic `.tar.gz` code bundles of the deploy units, as SageMaker jobs download them.

Two builds from the same sources are byte-identical (sorted entries, mtime 0, uid/gid 0, fixed modes,
gzip header without mtime or file name), so the bundle's digest changes only when the code does and
CDK asset hashes stay stable.
"""

from __future__ import annotations

import gzip
import io
import sys
import tarfile
from collections.abc import Iterator
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
PROCESSING_BUNDLE = "processing.tar.gz"
TRAINING_BUNDLE = "training.tar.gz"

# Archive name -> folder relative to the source root, taken whole; "." puts a folder's contents at the
# archive root. Each bundle is its deploy unit at the root (the job runs `python3 <dir>/<script>.py`, so
# the script's folder is on sys.path) with the runtime layer beside it (`import runtime` works).
RUNTIME_LAYER = "runtime"
PROCESSING_SOURCES: dict[str, str] = {".": "processing", RUNTIME_LAYER: RUNTIME_LAYER}
TRAINING_SOURCES: dict[str, str] = {".": "training", RUNTIME_LAYER: RUNTIME_LAYER}

FILE_MODE = 0o644
DIR_MODE = 0o755


class BundleError(Exception):
    """A source file of a bundle is missing."""


def _is_skipped(path: Path) -> bool:
    return "__pycache__" in path.parts or path.suffix == ".pyc"


def _walk(arcname: str, source: Path) -> Iterator[tuple[str, Path]]:
    """Yield (archive name, source path) for a file or, recursively, a directory's entries."""
    if arcname != ".":
        yield arcname, source
    if source.is_dir():
        for child in source.iterdir():
            if not _is_skipped(child):
                yield from _walk(child.name if arcname == "." else f"{arcname}/{child.name}", child)


Member = tuple[str, Path | None]
"""An archive entry: its name and the source file, or None for a folder."""


def collect_members(sources: dict[str, str], root: Path = REPO_ROOT) -> list[Member]:
    """The sorted archive entries, parent folders included, for a source mapping under `root`."""
    members: dict[str, Path | None] = {}
    for arcname, relative in sources.items():
        source = root / relative
        if not source.exists():
            raise BundleError(
                f"bundle source {relative} not found under {root}; create it or fix the "
                "source list in pipeline/bundles.py"
            )
        for parent in Path(arcname).parents:
            if str(parent) != ".":
                members[str(parent)] = None
        for name, path in _walk(arcname, source):
            members[name] = None if path.is_dir() else path
    return sorted(members.items(), key=lambda member: member[0])


def _tar_info(name: str, is_dir: bool, size: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.mtime = 0
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    if is_dir:
        info.type = tarfile.DIRTYPE
        info.mode = DIR_MODE
    else:
        info.size = size
        info.mode = FILE_MODE
    return info


def bundle_bytes(members: list[Member]) -> bytes:
    """The gzipped tar of `members`, in the given order."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, path in members:
            data = b"" if path is None else path.read_bytes()
            tar.addfile(_tar_info(name, path is None, len(data)), io.BytesIO(data))
    compressed = io.BytesIO()
    # filename="" keeps the output name out of the gzip header; mtime=0 keeps the build time out.
    with gzip.GzipFile(filename="", mode="wb", fileobj=compressed, mtime=0) as gz:
        gz.write(raw.getvalue())
    return compressed.getvalue()


def _write(dest: Path, data: bytes) -> Path:
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_bytes(data)
    return dest


def build_processing_bundle(dest: Path, root: Path = REPO_ROOT) -> Path:
    """Write processing.tar.gz (processing/ at the root, runtime/ beside it) to `dest`."""
    return _write(dest, bundle_bytes(collect_members(PROCESSING_SOURCES, root)))


def build_training_bundle(dest: Path, root: Path = REPO_ROOT) -> Path:
    """Write training.tar.gz (training/ at the root, runtime/ beside it) to `dest`."""
    return _write(dest, bundle_bytes(collect_members(TRAINING_SOURCES, root)))


def build_bundles(out_dir: Path, root: Path = REPO_ROOT) -> dict[str, Path]:
    """Write both bundles into `out_dir`; returns bundle file name -> path."""
    return {
        PROCESSING_BUNDLE: build_processing_bundle(out_dir / PROCESSING_BUNDLE, root),
        TRAINING_BUNDLE: build_training_bundle(out_dir / TRAINING_BUNDLE, root),
    }


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m pipeline.bundles OUTDIR", file=sys.stderr)
        return 2
    try:
        written = build_bundles(Path(argv[0]))
    except BundleError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    for path in written.values():
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
