"""baseline.json is an optional, capped member of the model archive (runtime/features/archive.py)."""

from __future__ import annotations

import json
import tarfile
from pathlib import Path

import pytest

from runtime.features import archive
from runtime.features.archive import (
    ARCHIVE_MEMBERS,
    BASELINE_FILE,
    ArchiveError,
    read_model_archive,
    write_model_archive,
)


def _model_dir(tmp_path: Path, baseline: bytes | None) -> Path:
    folder = tmp_path / "model"
    folder.mkdir()
    for name in ARCHIVE_MEMBERS:
        (folder / name).write_bytes(b"{}" if name.endswith(".json") else b"booster")
    if baseline is not None:
        (folder / BASELINE_FILE).write_bytes(baseline)
    return folder


def test_the_baseline_is_packed_and_read_back(tmp_path: Path) -> None:
    write_model_archive(_model_dir(tmp_path, b'{"format": "mlpipe.baseline/1"}'), tmp_path / "m.tar.gz")
    with tarfile.open(tmp_path / "m.tar.gz") as tar:
        assert tar.getnames() == [*ARCHIVE_MEMBERS, BASELINE_FILE]
    assert read_model_archive(tmp_path / "m.tar.gz").baseline == {"format": "mlpipe.baseline/1"}


def test_an_archive_without_a_baseline_still_serves(tmp_path: Path) -> None:
    write_model_archive(_model_dir(tmp_path, None), tmp_path / "m.tar.gz")
    assert read_model_archive(tmp_path / "m.tar.gz").baseline is None


def test_the_baseline_is_capped_and_must_be_json(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_model_archive(_model_dir(tmp_path, json.dumps({"x": "y" * 100}).encode()), tmp_path / "m.tar.gz")
    monkeypatch.setitem(archive.MEMBER_CAPS, BASELINE_FILE, 10)
    with pytest.raises(ArchiveError, match="cap"):
        read_model_archive(tmp_path / "m.tar.gz")
    monkeypatch.undo()
    (tmp_path / "bad").mkdir()
    write_model_archive(_model_dir(tmp_path / "bad", b"not json"), tmp_path / "bad.tar.gz")
    with pytest.raises(ArchiveError, match=r"baseline\.json"):
        read_model_archive(tmp_path / "bad.tar.gz")
