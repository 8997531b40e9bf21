"""Several processes opening and writing one SQLite registry at once: no error, distinct gap-free versions."""

from __future__ import annotations

import multiprocessing
import sqlite3
import time
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from runtime.registry.base import Registration, RegistryError
from runtime.registry.sqlite import SqliteModelRegistry

PER_PROCESS = 20


def registration(worker: str, index: int) -> Registration:
    return Registration(
        artifact_uri=f"s3://mlpipe-local/{worker}/{index}/model.tar.gz",
        sha256=f"{index:064x}",
        metrics={"accuracy": 0.8},
        parameters={"worker": worker},
        input_schema={},
        output_schema={},
    )


def register_many(path: str, worker: str, start: Any, results: Any) -> None:
    """Child process: open the registry (schema creation races too), then register PER_PROCESS versions."""
    start.wait(timeout=30)
    registry = SqliteModelRegistry(Path(path), "concurrent")
    versions = [
        registry.register_version(registration(worker, index)).version for index in range(PER_PROCESS)
    ]
    results.put((worker, versions))


def open_fresh_registries(folder: str, worker: int, rounds: int, barrier: Any, results: Any) -> None:
    """Child process: each round all workers open one new file at once; even ones register, odd ones read."""
    errors = []
    for round_number in range(rounds):
        barrier.wait(timeout=60)
        try:
            registry = SqliteModelRegistry(Path(folder) / f"{round_number}.db", "fresh")
            if worker % 2 == 0:
                registry.register_version(registration(str(worker), round_number))
            registry.list_versions()
        except RegistryError as error:
            errors.append(f"round {round_number}, worker {worker}: {error}")
    results.put(errors)


def stress_fresh_registries(
    folder: Path, *, workers: int, rounds: int, writer_holds: float = 0.0
) -> list[str]:
    """`workers` processes open `rounds` new registry files together; the errors they met, in order.

    With `writer_holds`, this process holds each new file's write lock for that long as the workers start,
    as another process setting the file up would: the race made certain rather than left to the scheduler.
    """
    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(workers + 1), context.Queue()
    processes = [
        context.Process(target=open_fresh_registries, args=(str(folder), worker, rounds, barrier, results))
        for worker in range(workers)
    ]
    for process in processes:
        process.start()
    for round_number in range(rounds):
        with closing(sqlite3.connect(folder / f"{round_number}.db", isolation_level=None)) as writer:
            if writer_holds:
                writer.execute("BEGIN IMMEDIATE")
            barrier.wait(timeout=60)
            time.sleep(writer_holds)
    errors = [error for _ in processes for error in results.get(timeout=300)]
    for process in processes:
        process.join(timeout=30)
    assert [process.exitcode for process in processes] == [0] * workers
    return errors


def registered_by(path: Path) -> list[str]:
    """The workers that registered into a stress-test file, after checking that it is a WAL registry."""
    with closing(sqlite3.connect(path)) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    return sorted(
        version.parameters["worker"] for version in SqliteModelRegistry(path, "fresh").list_versions()
    )


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


def test_processes_opening_a_new_registry_together_never_see_database_is_locked(tmp_path: Path) -> None:
    """Issue 18 item 7: before the fix every worker that met the held lock failed at once, timeout unused."""
    errors = stress_fresh_registries(tmp_path, workers=4, rounds=10, writer_holds=0.1)

    assert errors == []
    assert [registered_by(tmp_path / f"{round_number}.db") for round_number in range(10)] == [["0", "2"]] * 10
