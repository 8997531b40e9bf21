"""Shared pieces of the reliability suite: real trained models and the real local backend."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.unit.lambda_inference.fakes import build_archive


@pytest.fixture(scope="session")
def model_archives(tmp_path_factory: pytest.TempPathFactory) -> tuple[bytes, bytes, bytes]:
    """Three different real model.tar.gz files, trained by training/train.py's code on Titanic (fast)."""
    work: Path = tmp_path_factory.mktemp("reliability-archives")
    return (
        build_archive(work, num_round=5),
        build_archive(work, num_round=8, seed=7),
        build_archive(work, num_round=11, seed=3),
    )
