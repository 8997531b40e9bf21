from __future__ import annotations

import sqlite3
import threading
import time
from contextlib import closing
from pathlib import Path

import pytest

from runtime.registry import sqlite
from runtime.registry.base import Registration, RegistryError, VersionNotFound
from runtime.registry.sqlite import SqliteModelRegistry


def registration(**overrides: object) -> Registration:
    fields: dict[str, object] = {
        "artifact_uri": "s3://mlpipe-local/runs/1/model.tar.gz",
        "sha256": "ab" * 32,
        "metrics": {"accuracy": 1},
        "parameters": {"max_depth": 4},
        "input_schema": {"type": "object"},
        "output_schema": {},
    }
    return Registration(**{**fields, **overrides})  # type: ignore[arg-type]


def test_versions_survive_reopening(tmp_path: Path) -> None:
    SqliteModelRegistry(tmp_path / "state" / "registry.db", "g").register_version(registration())

    reopened = SqliteModelRegistry(tmp_path / "state" / "registry.db", "g")

    assert [version.version for version in reopened.list_versions()] == [1]


def test_groups_number_independently(tmp_path: Path) -> None:
    first = SqliteModelRegistry(tmp_path / "registry.db", "first")
    second = SqliteModelRegistry(tmp_path / "registry.db", "second")
    first.register_version(registration())
    first.register_version(registration())

    assert second.register_version(registration()).version == 1
    assert second.latest_approved() is None
    assert [version.group for version in first.list_versions()] == ["first", "first"]


def test_values_are_normalised_to_the_declared_types(tmp_path: Path) -> None:
    version = SqliteModelRegistry(tmp_path / "registry.db", "g").register_version(registration())

    assert version.metrics == {"accuracy": 1.0}
    assert isinstance(version.metrics["accuracy"], float)
    assert version.parameters == {"max_depth": "4"}


def test_file_uses_wal(tmp_path: Path) -> None:
    SqliteModelRegistry(tmp_path / "registry.db", "g")

    with closing(sqlite3.connect(tmp_path / "registry.db")) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_failed_registration_leaves_nothing(tmp_path: Path) -> None:
    registry = SqliteModelRegistry(tmp_path / "registry.db", "g")

    with pytest.raises(TypeError):
        registry.register_version(registration(input_schema={"not json": object()}))

    assert registry.list_versions() == []
    assert registry.register_version(registration()).version == 1


def test_a_file_that_is_not_a_database_is_a_registry_error(tmp_path: Path) -> None:
    (tmp_path / "registry.db").write_text("this is not sqlite " * 100)

    with pytest.raises(RegistryError, match=r"registry\.db failed.*MLPIPE_HOME"):
        SqliteModelRegistry(tmp_path / "registry.db", "g")


def test_a_read_only_open_of_a_file_still_being_set_up_sees_no_versions(tmp_path: Path) -> None:
    """Two `mlpipe run` on a new MLPIPE_HOME: one opened registry.db read-only (the champion lookup)
    after the other created the file and switched it to WAL, before its CREATE TABLE; it failed with
    "no such table: model_versions" in 1 of 6 tries."""
    # given: the file as the other process leaves it between the WAL switch and the table
    with closing(sqlite3.connect(tmp_path / "registry.db")) as other:
        other.execute("PRAGMA journal_mode = WAL")

    registry = SqliteModelRegistry(tmp_path / "registry.db", "g", read_only=True)

    assert registry.list_versions() == []
    assert registry.latest_approved() is None
    assert registry.live_version() is None
    with pytest.raises(VersionNotFound):
        registry.get_version(1)


def test_opening_a_new_file_waits_for_another_writer_instead_of_failing(tmp_path: Path) -> None:
    """The deadlock SQLite breaks by failing one side at once, whatever the busy timeout (issue 18 item 7).

    Switching a new file to WAL upgrades a read lock to a write lock; while another connection holds the
    write lock, SQLite returns SQLITE_BUSY without calling the busy handler, since both waiting could
    deadlock (https://www.sqlite.org/c3ref/busy_handler.html).
    """
    # given: another process's transaction holds the write lock of the new, still rollback-mode file
    other = sqlite3.connect(tmp_path / "registry.db", isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    threading.Timer(0.3, other.close).start()

    # when
    registry = SqliteModelRegistry(tmp_path / "registry.db", "g")

    # then: it waited for the lock and then set the file up
    assert registry.register_version(registration()).version == 1
    with closing(sqlite3.connect(tmp_path / "registry.db")) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_reads_never_wait_for_the_write_lock(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # given: a registry with one version, and a registration in progress elsewhere holding the write lock
    SqliteModelRegistry(tmp_path / "registry.db", "g").register_version(registration())
    monkeypatch.setattr(sqlite, "BUSY_TIMEOUT_MS", 200)
    with closing(sqlite3.connect(tmp_path / "registry.db", isolation_level=None)) as writer:
        writer.execute("BEGIN IMMEDIATE")

        # when: a read-only command opens the registry and reads
        reader = SqliteModelRegistry(tmp_path / "registry.db", "g")

        # then: WAL readers do not wait for writers (https://www.sqlite.org/wal.html)
        assert [version.version for version in reader.list_versions()] == [1]
        assert reader.get_version(1).version == 1
        assert reader.latest_approved() is None


def test_opening_gives_up_after_the_busy_timeout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sqlite, "BUSY_TIMEOUT_MS", 200)
    with closing(sqlite3.connect(tmp_path / "registry.db", isolation_level=None)) as other:
        other.execute("BEGIN IMMEDIATE")
        started = time.monotonic()

        with pytest.raises(RegistryError, match="database is locked"):
            SqliteModelRegistry(tmp_path / "registry.db", "g")

    assert 0.15 < time.monotonic() - started < 5


def test_a_registry_written_before_provenance_gains_it_empty(tmp_path: Path) -> None:
    path = tmp_path / "registry.db"
    old_table = sqlite.sql.CREATE_TABLE.replace("    provenance TEXT NOT NULL DEFAULT '{}',\n", "")
    assert "provenance" not in old_table
    with closing(sqlite3.connect(path)) as connection, connection:
        connection.execute(old_table)
        connection.execute(
            "INSERT INTO model_versions VALUES ('g', 1, 'Approved', 'None', '2025-01-01T00:00:00Z', "
            "'s3://b/m.tar.gz', 'ab', '{}', '{}', '{}', '{}')"
        )

    registry = SqliteModelRegistry(path, "g")
    registry.register_version(registration(training_data_sha256="cd", report_uri="s3://b/r/index.html"))

    old, new = registry.list_versions()
    assert (old.training_data_sha256, old.code_version, old.report_uri) == ("", {}, "")
    assert (new.training_data_sha256, new.report_uri) == ("cd", "s3://b/r/index.html")
