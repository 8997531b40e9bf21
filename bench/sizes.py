"""Installed size of a dependency folder, counted like `du -sk` (allocated blocks), and the stripping both
bundles get (scripts/strip_bundle.py, which scripts/lambda_bundle.sh and the Dockerfile's builder run)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

STRIP_SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "strip_bundle.py"


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
    subprocess.run([sys.executable, str(STRIP_SCRIPT), str(folder)], check=True)
