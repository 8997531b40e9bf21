"""Installed size of a dependency folder, counted like `du -sk` (allocated blocks), and the stripping both
bundles get (the same as scripts/lambda_bundle.sh and the Dockerfile's builder stage)."""

from __future__ import annotations

import shutil
from pathlib import Path

STRIPPED_DIRS = ("tests", "__pycache__")
STRIPPED_SUFFIXES = (".pyi", ".pyc")


def folder_size_mb(folder: Path) -> float:
    """Disk usage in MiB (blocks actually allocated, as du reports; hard links counted once)."""
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder} does not exist; build it first (make lambda-bundle / make bench)")
    seen: set[tuple[int, int]] = set()
    total_bytes = 0
    for path in [folder, *folder.rglob("*")]:
        info = path.lstat()
        if (info.st_dev, info.st_ino) in seen:
            continue
        seen.add((info.st_dev, info.st_ino))
        total_bytes += info.st_blocks * 512
    return round(total_bytes / (1024 * 1024), 1)


def strip_bundle(folder: Path) -> None:
    """Remove test suites, caches, stubs, RECORD files and console scripts, as the serving image does."""
    for directory in sorted(folder.rglob("*"), key=lambda p: len(p.parts), reverse=True):
        if directory.is_dir() and not directory.is_symlink() and directory.name in STRIPPED_DIRS:
            shutil.rmtree(directory)
    for path in folder.rglob("*"):
        if path.is_file() and path.suffix in STRIPPED_SUFFIXES:
            path.unlink()
    for record in folder.glob("*.dist-info/RECORD"):
        record.unlink()
    shutil.rmtree(folder / "bin", ignore_errors=True)
