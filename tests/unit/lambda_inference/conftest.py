from __future__ import annotations

from pathlib import Path

import pytest

from tests.unit.lambda_inference.fakes import build_archive


@pytest.fixture(scope="session")
def archives(tmp_path_factory: pytest.TempPathFactory) -> tuple[bytes, bytes]:
    """Two different real model archives (a few boosting rounds each: fast)."""
    work: Path = tmp_path_factory.mktemp("archives")
    return build_archive(work, num_round=5), build_archive(work, num_round=8, seed=7)
