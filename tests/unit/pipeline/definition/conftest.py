"""The definition builders import the SageMaker SDK, which needs the offline environment while it loads."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pipeline.definition.offline import offline_environment


@pytest.fixture(autouse=True)
def _offline() -> Iterator[None]:
    with offline_environment():
        yield
