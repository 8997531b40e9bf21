"""Content-addressed keys: every input and code bundle is stored under a key derived from its SHA-256.

`sha256/<hex digest>/<file name>` (relative to the data or code prefix): two different files named
train.csv never share a key, so concurrent runs never read each other's data, and a changed file is a
new key, so a cached step (keyed by its arguments, which hold the key) can never serve stale outputs.
The file name stays last: a job downloads the one object of an S3Prefix input as `<file name>`.
"""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath

from runtime.hashing import sha256_file

CONTENT_PREFIX = "sha256"
_CONTENT_KEY = re.compile(rf"^{CONTENT_PREFIX}/[0-9a-f]{{64}}/[^/]+$")


def content_key(file_name: str, sha256: str) -> str:
    """`sha256/<digest>/<file name>`: the key of a file with this name and content."""
    return f"{CONTENT_PREFIX}/{sha256}/{file_name}"


def file_content_key(path: Path) -> tuple[str, str]:
    """(content key, SHA-256) of the file at `path`."""
    digest = sha256_file(path)
    return content_key(path.name, digest), digest


def is_content_key(key: str) -> bool:
    """True for a key `content_key` made (a TrainFile value `mlpipe data upload` printed)."""
    return bool(_CONTENT_KEY.fullmatch(key))


def display_name(key: str) -> str:
    """The user's file name inside a content key (a plain name is returned as it is)."""
    return PurePosixPath(key).name
