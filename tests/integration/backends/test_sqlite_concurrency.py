"""Two processes registering into one SQLite registry at once get distinct, gap-free versions."""

from __future__ import annotations

import multiprocessing
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from pipeline.registry import Registration, SqliteModelRegistry

PER_PROCESS = 20


def register_many(path: str, worker: str, start: Any, results: Any) -> None:
    """Child process: open the registry (schema creation races too), then register PER_PROCESS versions."""
    start.wait(timeout=30)
    registry = SqliteModelRegistry(Path(path), "concurrent")
    versions = [
        registry.register_version(
            Registration(
                artifact_uri=f"s3://mlpipe-local/{worker}/{index}/model.tar.gz",
                sha256=f"{index:064x}",
                metrics={"accuracy": 0.8},
                parameters={"worker": worker},
                input_schema={},
                output_schema={},
            )
        ).version
        for index in range(PER_PROCESS)
    ]
    results.put((worker, versions))


@pytest.mark.slow
def test_two_processes_get_distinct_versions(tmp_path: Path) -> None:
    # given: two fresh processes released at the same moment onto a file that does not exist yet
    context = multiprocessing.get_context("spawn")
    path = tmp_path / "registry.db"
    start, results = context.Event(), context.Queue()
    workers = [context.Process(target=register_many, args=(str(path), name, start, results)) for name in "ab"]
    for worker in workers:
        worker.start()

    # when
    start.set()
    outcome = dict(results.get(timeout=120) for _ in workers)
    for worker in workers:
        worker.join(timeout=30)

    # then
    assert [worker.exitcode for worker in workers] == [0, 0]
    assert sorted(outcome["a"] + outcome["b"]) == list(range(1, 2 * PER_PROCESS + 1))
    assert all(versions == sorted(versions) for versions in outcome.values())
    listed = SqliteModelRegistry(path, "concurrent").list_versions()
    assert [version.version for version in listed] == list(range(1, 2 * PER_PROCESS + 1))
    with closing(sqlite3.connect(path)) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)
