"""A small fake pipeline (tests/fixtures/engine) on a local store and SQLite registry in tmp_path."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from pipeline.bundles import bundle_bytes, collect_members
from pipeline.engine import RunResult, run_definition
from runtime.registry.sqlite import SqliteModelRegistry
from runtime.store.local import LocalArtifactStore

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "engine"
CODE = FIXTURES / "code"


@dataclass
class FakePipeline:
    home: Path
    store: LocalArtifactStore
    registry: SqliteModelRegistry
    definition: dict[str, Any]

    def run(self, overrides: Mapping[str, str] | None = None, execution_id: str = "exec-1") -> RunResult:
        return run_definition(
            self.definition,
            store=self.store,
            registry=self.registry,
            run_dir=self.home / "runs" / execution_id,
            execution_id=execution_id,
            overrides=overrides,
        )


def _bundle(*names: str) -> bytes:
    return bundle_bytes(collect_members({name: name for name in names}, root=CODE))


@pytest.fixture
def fake_pipeline(tmp_path: Path) -> FakePipeline:
    home = tmp_path / "home"
    store = LocalArtifactStore(home)
    store.put_bytes(_bundle("prepare.py", "evaluate.py"), "s3://mlpipe-local/code/processing.tar.gz")
    store.put_bytes(_bundle("train.py"), "s3://mlpipe-local/code/training.tar.gz")
    for name in ("train.csv", "no_target.csv"):
        store.put_file(FIXTURES / name, f"s3://mlpipe-local/data/{name}")
    registry = SqliteModelRegistry(home / "registry.db", "fake-group")
    definition = json.loads((FIXTURES / "definition.json").read_text())
    return FakePipeline(home=home, store=store, registry=registry, definition=definition)
