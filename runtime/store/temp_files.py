"""Temp files of atomic writes (`.<name>.<pid>.<random>.mlpipe-tmp`); removing those killed processes left.

A write goes to a temp file renamed over the target when complete; a process killed mid-write (kill -9,
power loss) leaves the temp file behind for ever. The writer's pid in the name tells a partial file of a
dead process from one a concurrent run is still writing.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

TEMP_SUFFIX = ".mlpipe-tmp"
# Temp files named before the pid was part of the name: removed once no write can still be going on.
UNOWNED_STALE_SECONDS = 3600.0


def temp_prefix(target_name: str) -> str:
    """The prefix of a temp file for `target_name` written by this process."""
    return f".{target_name}.{os.getpid()}."


def writer_pid(temp_name: str) -> int | None:
    """The pid in a temp file's name, None when the name carries none."""
    parts = temp_name.removesuffix(TEMP_SUFFIX).rsplit(".", 2)
    if len(parts) == 3 and parts[1].isdigit() and int(parts[1]) > 0:
        return int(parts[1])
    return None


def process_alive(pid: int | None) -> bool:
    """Whether `pid` is a live process on this machine (signal 0 checks without sending anything)."""
    if not pid or pid < 1:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by another user
        return True
    return True


def is_stale(path: Path, now: float) -> bool:
    pid = writer_pid(path.name)
    if pid is not None:
        return not process_alive(pid)
    try:
        return now - path.stat().st_mtime > UNOWNED_STALE_SECONDS
    except FileNotFoundError:  # its writer finished meanwhile
        return False


def remove_stale_temp_files(root: Path) -> list[Path]:
    """Delete the temp files under `root` whose writer is gone; returns what was removed."""
    now = time.time()
    removed = []
    for folder, _, names in os.walk(root):
        for path in (Path(folder) / name for name in names if name.endswith(TEMP_SUFFIX)):
            if is_stale(path, now):
                path.unlink(missing_ok=True)
                removed.append(path)
    return removed
