from __future__ import annotations

from pathlib import Path

import pytest

from bench.sizes import folder_size_mb, strip_bundle


def make_bundle(root: Path) -> Path:
    (root / "pkg" / "tests").mkdir(parents=True)
    (root / "pkg" / "__pycache__").mkdir()
    (root / "pkg" / "__init__.py").write_text("x = 1\n")
    (root / "pkg" / "__init__.pyi").write_text("x: int\n")
    (root / "pkg" / "tests" / "test_x.py").write_text("")
    (root / "pkg" / "__pycache__" / "a.cpython-311.pyc").write_bytes(b"\0")
    (root / "pkg-1.0.dist-info").mkdir()
    (root / "pkg-1.0.dist-info" / "RECORD").write_text("")
    (root / "pkg-1.0.dist-info" / "METADATA").write_text("Name: pkg\n")
    (root / "bin").mkdir()
    (root / "bin" / "tool").write_text("#!/bin/sh\n")
    return root


def test_strip_bundle_removes_what_the_serving_image_strips(tmp_path: Path) -> None:
    bundle = make_bundle(tmp_path / "bundle")
    strip_bundle(bundle)
    left = sorted(p.relative_to(bundle).as_posix() for p in bundle.rglob("*") if p.is_file())
    assert left == ["pkg-1.0.dist-info/METADATA", "pkg/__init__.py"]


def test_folder_size_counts_allocated_blocks(tmp_path: Path) -> None:
    (tmp_path / "big").write_bytes(b"x" * 3 * 1024 * 1024)
    assert 3.0 <= folder_size_mb(tmp_path) < 3.2


def test_folder_size_of_a_missing_folder_says_how_to_build_it(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="make lambda-bundle"):
        folder_size_mb(tmp_path / "absent")
