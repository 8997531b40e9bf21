"""Bundles: byte-identical rebuilds, the documented contents, and runnable scripts once unpacked."""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
import tarfile
from pathlib import Path
from typing import Any

import pytest

from pipeline import bundles

SOURCES = {
    "processing/preprocess.py": "print('preprocess')\n",
    "processing/evaluate.py": "print('evaluate')\n",
    "training/train.py": "print('train')\n",
    "runtime/__init__.py": "",
    "runtime/features/spec.py": "SPEC = 1\n",
    "runtime/features/__pycache__/spec.cpython-311.pyc": "junk",
    "runtime/features/stale.pyc": "junk",
    "lambda_inference/handler.py": "import boto3\n",
}


@pytest.fixture
def source_root(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    for relative, text in SOURCES.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def _members(archive: Path) -> dict[str, tarfile.TarInfo]:
    with tarfile.open(archive) as tar:
        return {info.name: info for info in tar.getmembers()}


def test_rebuild_is_byte_identical_despite_new_mtimes(source_root: Path, tmp_path: Path) -> None:
    first = bundles.build_processing_bundle(tmp_path / "a" / "processing.tar.gz", source_root)
    for path in source_root.rglob("*"):
        os.utime(path, (1_700_000_000, 1_700_000_000))
    second = bundles.build_processing_bundle(tmp_path / "b" / "processing.tar.gz", source_root)
    assert first.read_bytes() == second.read_bytes()


def test_processing_bundle_holds_the_documented_files_only(source_root: Path, tmp_path: Path) -> None:
    archive = bundles.build_processing_bundle(tmp_path / "processing.tar.gz", source_root)
    names = list(_members(archive))
    assert names == sorted(names)
    assert names == [
        "evaluate.py",
        "preprocess.py",
        "runtime",
        "runtime/__init__.py",
        "runtime/features",
        "runtime/features/spec.py",
    ]


def test_training_bundle_holds_train_and_the_runtime_layer(source_root: Path, tmp_path: Path) -> None:
    archive = bundles.build_training_bundle(tmp_path / "training.tar.gz", source_root)
    assert list(_members(archive)) == [
        "runtime",
        "runtime/__init__.py",
        "runtime/features",
        "runtime/features/spec.py",
        "train.py",
    ]


def test_entries_carry_no_owner_time_or_odd_mode(source_root: Path, tmp_path: Path) -> None:
    archive = bundles.build_training_bundle(tmp_path / "training.tar.gz", source_root)
    for info in _members(archive).values():
        assert (info.mtime, info.uid, info.gid, info.uname, info.gname) == (0, 0, 0, "", "")
        assert info.mode == (0o755 if info.isdir() else 0o644)
    header = archive.read_bytes()[:10]
    assert header[4:8] == b"\0\0\0\0", "gzip header carries an mtime"
    assert header[3] & 0x08 == 0, "gzip header carries a file name"
    assert gzip.decompress(archive.read_bytes())


def test_missing_source_names_the_file_and_the_fix(source_root: Path, tmp_path: Path) -> None:
    for path in (source_root / "training").iterdir():
        path.unlink()
    (source_root / "training").rmdir()
    with pytest.raises(bundles.BundleError, match=r"training not found.*pipeline/bundles\.py"):
        bundles.build_training_bundle(tmp_path / "training.tar.gz", source_root)


def test_cli_writes_both_bundles(tmp_path: Path) -> None:
    assert bundles.main([str(tmp_path)]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["processing.tar.gz", "training.tar.gz"]
    assert bundles.main([]) == 2


@pytest.mark.slow
@pytest.mark.parametrize("script", ["preprocess.py", "evaluate.py"])
def test_unpacked_processing_scripts_run_outside_the_repo(script: str, tmp_path: Path) -> None:
    # given the real processing bundle unpacked into a folder outside the repository
    archive = bundles.build_processing_bundle(tmp_path / "processing.tar.gz")
    code_dir = tmp_path / "code"
    code_dir.mkdir()
    with tarfile.open(archive) as tar:
        tar.extractall(code_dir, filter="data")
    # when the script runs from an unrelated working directory, as in the container
    result = subprocess.run(
        [sys.executable, str(code_dir / script), "--help"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    # then it starts: its imports resolve (the bundle folder comes first on sys.path)
    assert result.returncode == 0, result.stderr
    assert "usage" in result.stdout.lower()


ORIGIN_CHECK = """
import sys
code_dir = sys.argv[1]
sys.path.insert(0, code_dir)
for script in sys.argv[2:]:
    __import__(script)
ours = ("runtime", "pipeline", "lambda_inference", "preprocess", "evaluate", "train")
origins = [m.__file__ for n, m in sys.modules.items() if n.split(".")[0] in ours]
print([origin for origin in origins if not origin.startswith(code_dir)])
"""


@pytest.mark.slow
@pytest.mark.parametrize(
    ("build", "scripts"),
    [
        (bundles.build_processing_bundle, ["preprocess", "evaluate"]),
        (bundles.build_training_bundle, ["train"]),
    ],
)
def test_bundles_are_self_contained(build: Any, scripts: list[str], tmp_path: Path) -> None:
    # given a bundle unpacked outside the repository (whose installed copy is also importable)
    code_dir = tmp_path / "code"
    code_dir.mkdir()
    with tarfile.open(build(tmp_path / "bundle.tar.gz")) as tar:
        tar.extractall(code_dir, filter="data")
    # when its scripts' imports are resolved
    result = subprocess.run(
        [sys.executable, "-c", ORIGIN_CHECK, str(code_dir), *scripts],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    # then every project module came from the bundle, none from the repository
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
