"""Suite-wide options: `--run-long` enables the full-count checks that `make test-long` runs."""

from __future__ import annotations

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--run-long", action="store_true", help="run tests marked long (full-count fuzzing)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--run-long"):
        return
    deselected = [item for item in items if "long" in item.keywords]
    if deselected:
        # Deselected, not skipped: `make test` reports them as not run, `make test-long` runs them.
        config.hook.pytest_deselected(items=deselected)
        items[:] = [item for item in items if "long" not in item.keywords]
