"""The model archive (model.tar.gz): a deterministic writer and a defensive, in-memory reader.

The archive holds the booster twice, from the same training: `xgboost-model.ubj` for XGBoost (evaluation,
explanations) and `xgboost-model.json`, its JSON dump, which serving scores in NumPy
(`runtime.features.trees`) without loading XGBoost. The Evaluate step proves on the evaluation set
that both give the same probabilities (`runtime.features.parity`) before the archive is registered.

The reader walks the tarball member by member and never extracts: only the allow-listed names,
regular files only, no absolute or `..` paths, size and member-count caps. Nothing touches the disk.
"""

from __future__ import annotations

import gzip
import io
import json
import tarfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Any

from runtime.hashing import sha256_file

MODEL_FILE = "xgboost-model.ubj"
SERVING_MODEL_FILE = "xgboost-model.json"
SPEC_FILE = "feature_spec.json"
METADATA_FILE = "metadata.json"
ARCHIVE_MEMBERS = (MODEL_FILE, SERVING_MODEL_FILE, SPEC_FILE, METADATA_FILE)
# The training baseline of the drift check (runtime/monitoring/profile.py); absent before issue 16.
BASELINE_FILE = "baseline.json"
OPTIONAL_MEMBERS = (BASELINE_FILE,)
MEMBER_CAPS = {
    MODEL_FILE: 128 * 2**20,
    # runtime.features.trees.MAX_NODES nodes take 40-80 MB of JSON (XGBoost writes 40-80 bytes a node).
    SERVING_MODEL_FILE: 96 * 2**20,
    SPEC_FILE: 4 * 2**20,
    METADATA_FILE: 4 * 2**20,
    BASELINE_FILE: 4 * 2**20,
}
MAX_MEMBERS = 16
MAX_TOTAL_BYTES = 300 * 2**20
# gzip adds a few bytes per 64 KiB block to incompressible data: 1 MiB covers that and the tar headers.
MAX_ARCHIVE_BYTES = MAX_TOTAL_BYTES + 2**20
_REGULAR = (tarfile.REGTYPE, tarfile.AREGTYPE)


class ArchiveError(ValueError):
    """The model archive is unreadable, incomplete or unsafe; the message says which member and why."""


@dataclass(frozen=True)
class ModelFiles:
    """The contents of a model archive, in memory."""

    booster_bytes: bytes
    feature_spec: dict[str, Any]
    metadata: dict[str, Any]
    serving_model: bytes = b""  # the JSON dump; empty only where a test builds ModelFiles by hand
    baseline: dict[str, Any] | None = None  # None: the archive has no baseline.json


def write_model_archive(model_dir: Path, dest: Path) -> str:
    """Pack the four model files into `dest` byte-for-byte reproducibly; return its SHA-256."""
    missing = [name for name in ARCHIVE_MEMBERS if not (Path(model_dir) / name).is_file()]
    if missing:
        raise ArchiveError(f"{model_dir} lacks {', '.join(missing)}; run the training step first")
    # No file name and mtime 0 in the gzip header, fixed owner and mtime in the tar headers.
    with (
        Path(dest).open("wb") as raw,
        gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as zipped,
        tarfile.open(fileobj=zipped, mode="w", format=tarfile.USTAR_FORMAT) as tar,
    ):
        optional = [name for name in OPTIONAL_MEMBERS if (Path(model_dir) / name).is_file()]
        for name in (*ARCHIVE_MEMBERS, *optional):
            data = (Path(model_dir) / name).read_bytes()
            info = tarfile.TarInfo(name)
            info.size, info.mtime, info.mode = len(data), 0, 0o644
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            tar.addfile(info, io.BytesIO(data))
    return sha256_file(dest)


def read_model_archive(source: bytes | Path) -> ModelFiles:
    """Read a model.tar.gz (bytes or a path) into memory, refusing anything outside the allow-list."""
    if isinstance(source, (bytes, bytearray)):
        contents = _read_stream(io.BytesIO(source))
    else:
        with Path(source).open("rb") as handle:
            contents = _read_stream(handle)
    missing = [name for name in ARCHIVE_MEMBERS if name not in contents]
    if missing == [SERVING_MODEL_FILE]:
        raise ArchiveError(
            f"model archive lacks {SERVING_MODEL_FILE}, the JSON model that serving scores: it was written "
            "before serving stopped loading XGBoost; retrain (mlpipe run) and approve the new version"
        )
    if missing:
        raise ArchiveError(f"model archive lacks {', '.join(missing)}; expected {', '.join(ARCHIVE_MEMBERS)}")
    return ModelFiles(
        booster_bytes=contents[MODEL_FILE],
        feature_spec=_json_object(contents[SPEC_FILE], SPEC_FILE),
        metadata=_json_object(contents[METADATA_FILE], METADATA_FILE),
        serving_model=contents[SERVING_MODEL_FILE],
        baseline=_json_object(contents[BASELINE_FILE], BASELINE_FILE) if BASELINE_FILE in contents else None,
    )


def _read_stream(handle: IO[bytes]) -> dict[str, bytes]:
    try:
        tar_bytes = _gunzip_bounded(handle)
        with tarfile.open(fileobj=io.BytesIO(tar_bytes), mode="r|") as tar:
            return _read_members(tar)
    except (tarfile.TarError, EOFError, OSError, zlib.error) as error:
        raise ArchiveError(f"not a readable model.tar.gz ({error}); re-run training to rebuild it") from error


def _gunzip_bounded(handle: IO[bytes]) -> bytes:
    """The whole gzip stream, decompressed by the gzip module so that its CRC-32 and length are checked.

    tarfile's stream mode stops at the end-of-archive blocks and never reads the gzip trailer, so a
    corrupted byte could otherwise change a member's content without an error.
    """
    limit = MAX_TOTAL_BYTES + (MAX_MEMBERS + 2) * 2 * tarfile.BLOCKSIZE + tarfile.RECORDSIZE
    with gzip.GzipFile(fileobj=handle, mode="rb") as stream:
        data = stream.read(limit + 1)
    if len(data) > limit:
        raise ArchiveError(f"model archive decompresses to over {limit} bytes")
    return data


def _read_members(tar: tarfile.TarFile) -> dict[str, bytes]:
    contents: dict[str, bytes] = {}
    total = 0
    for count in range(1, MAX_MEMBERS + 2):
        member = tar.next()
        if member is None:
            return contents
        if count > MAX_MEMBERS:
            raise ArchiveError(f"model archive has more than {MAX_MEMBERS} members")
        name = _allowed_name(member)
        if name is None:
            continue
        if name in contents:
            raise ArchiveError(f"member {name!r} appears twice in the model archive")
        if member.size > MEMBER_CAPS[name]:
            raise ArchiveError(
                f"member {name!r} is {member.size} bytes, over the {MEMBER_CAPS[name]}-byte cap"
            )
        total += member.size
        if total > MAX_TOTAL_BYTES:
            raise ArchiveError(f"model archive holds over {MAX_TOTAL_BYTES} bytes")
        stream = tar.extractfile(member)
        data = stream.read(member.size) if stream is not None else b""
        if len(data) != member.size:
            raise ArchiveError(f"member {name!r} is truncated")
        contents[name] = data
    raise ArchiveError(f"model archive has more than {MAX_MEMBERS} members")


def _allowed_name(member: tarfile.TarInfo) -> str | None:
    """The member's allow-listed name, None for the root directory entry; ArchiveError otherwise."""
    path = PurePosixPath(member.name)
    if path.is_absolute() or member.name.startswith("/") or ".." in path.parts:
        raise ArchiveError(f"member {member.name!r} has an unsafe path (absolute or with '..')")
    normalised = str(path)
    if normalised == "." and member.isdir():
        return None
    if member.type not in _REGULAR:
        raise ArchiveError(
            f"member {member.name!r} is not a regular file (links, devices and folders are refused)"
        )
    if normalised not in MEMBER_CAPS:
        raise ArchiveError(
            f"unexpected member {member.name!r}; a model archive holds only {', '.join(MEMBER_CAPS)}"
        )
    return normalised


def _json_object(data: bytes, name: str) -> dict[str, Any]:
    try:
        value = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ArchiveError(f"member {name!r} is not valid JSON ({error})") from error
    except RecursionError:
        # Deterministic for this file: refuse it (an uncaught RecursionError was refetched every refresh).
        raise ArchiveError(f"member {name!r} nests JSON deeper than the parser's limit") from None
    if not isinstance(value, dict):
        raise ArchiveError(f"member {name!r} must hold a JSON object")
    return value
