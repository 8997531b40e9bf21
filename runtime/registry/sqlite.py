"""The local model registry: one SQLite file (WAL), safe for several processes at once."""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

from runtime.registry import sqlite_schema as sql
from runtime.registry.base import (
    ModelVersion,
    Registration,
    RegistryError,
    VersionNotFound,
    check_stage,
    check_status,
    iso_utc,
)

BUSY_TIMEOUT_MS = 30_000


class SqliteModelRegistry:
    """Model versions of one group in a SQLite file; each change is one IMMEDIATE transaction.

    Reads are single autocommit statements and never turn into writes: a WAL read transaction upgraded
    to a write fails with SQLITE_BUSY_SNAPSHOT without waiting (https://www.sqlite.org/rescode.html#busy_snapshot).
    """

    def __init__(self, path: Path, group: str) -> None:
        self.path = Path(path)
        self.group = group
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._initialise()

    def register_version(self, registration: Registration) -> ModelVersion:
        check_status(registration.status)
        with self._transaction() as connection:
            # Inside BEGIN IMMEDIATE no other writer can allocate the same number.
            (latest,) = connection.execute(sql.MAX_VERSION, (self.group,)).fetchone()
            version = ModelVersion(
                group=self.group,
                version=latest + 1,
                status=registration.status,
                stage="None",
                created=iso_utc(),
                metrics={name: float(value) for name, value in registration.metrics.items()},
                parameters={name: str(value) for name, value in registration.parameters.items()},
                artifact_uri=registration.artifact_uri,
                sha256=registration.sha256,
                input_schema=registration.input_schema,
                output_schema=registration.output_schema,
            )
            connection.execute(sql.INSERT, _to_row(version))
        return version

    def list_versions(self) -> list[ModelVersion]:
        with self._connection() as connection:
            rows = connection.execute(sql.SELECT_ALL, (self.group,)).fetchall()
        return [_from_row(row) for row in rows]

    def get_version(self, version: int) -> ModelVersion:
        with self._connection() as connection:
            return self._select(connection, version)

    def set_status(self, version: int, status: str) -> ModelVersion:
        return self._update(sql.SET_STATUS, version, check_status(status))

    def set_stage(self, version: int, stage: str) -> ModelVersion:
        return self._update(sql.SET_STAGE, version, check_stage(stage))

    def latest_approved(self) -> ModelVersion | None:
        with self._connection() as connection:
            row = connection.execute(sql.SELECT_LATEST_APPROVED, (self.group,)).fetchone()
        return _from_row(row) if row else None

    def _initialise(self) -> None:
        """Set up a new file; a file already set up is only read, so reads never wait for a writer."""
        with self._connection() as connection:
            # WAL lets readers (the serving loader, `models list`) run while a registration writes. It
            # persists in the file (https://www.sqlite.org/pragma.html#pragma_journal_mode): switch once.
            if connection.execute("PRAGMA journal_mode").fetchone() != ("wal",):
                _switch_to_wal(connection)
            if connection.execute(sql.TABLE_EXISTS).fetchone():
                return
        with self._transaction() as connection:
            connection.execute(sql.CREATE_TABLE)

    def _update(self, statement: str, version: int, value: str) -> ModelVersion:
        with self._transaction() as connection:
            connection.execute(statement, (value, self.group, version))
            return self._select(connection, version)

    def _select(self, connection: sqlite3.Connection, version: int) -> ModelVersion:
        row = connection.execute(sql.SELECT_ONE, (self.group, version)).fetchone()
        if row is None:
            raise VersionNotFound(self.group, version)
        return _from_row(row)

    @contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        try:
            # isolation_level=None: no implicit transactions; writes use explicit BEGIN IMMEDIATE.
            connection = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
            with closing(connection):
                connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
                yield connection
        except sqlite3.Error as error:
            raise RegistryError(
                f"model registry {self.path} failed: {error}; check that the file is a registry database "
                "and that its folder is writable (MLPIPE_HOME)"
            ) from error

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._connection() as connection:
            connection.execute("BEGIN IMMEDIATE")
            try:
                yield connection
            except BaseException:
                connection.execute("ROLLBACK")
                raise
            connection.execute("COMMIT")


def _switch_to_wal(connection: sqlite3.Connection) -> None:
    """`PRAGMA journal_mode=WAL`, retried while another connection holds the write lock, up to the timeout.

    The switch takes a read lock, then upgrades it to the write lock (src/btree.c, sqlite3BtreeSetVersion).
    A connection upgrading a read lock gets SQLITE_BUSY at once, the busy timeout unused, when another one
    holds the write lock: both waiting could deadlock (https://www.sqlite.org/c3ref/busy_handler.html).
    Two processes opening a new registry together lost this race in 63 of 600 tries (issue 18 item 7). The
    failed statement releases its read lock, so the retry either finds `wal` already set or wins the lock.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    pause = 0.001
    while True:
        try:
            connection.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as error:
            if error.sqlite_errorcode & 0xFF != sqlite3.SQLITE_BUSY or time.monotonic() + pause > deadline:
                raise
        time.sleep(pause)
        pause = min(2 * pause, 0.05)


def _to_row(version: ModelVersion) -> tuple[object, ...]:
    documents = (version.metrics, version.parameters, version.input_schema, version.output_schema)
    return (
        version.group, version.version, version.status, version.stage, version.created,
        version.artifact_uri, version.sha256, *(json.dumps(document) for document in documents),
    )  # fmt: skip


def _from_row(row: tuple[object, ...]) -> ModelVersion:
    group, version, status, stage, created, artifact_uri, sha256, *documents = row
    metrics, parameters, input_schema, output_schema = (json.loads(str(text)) for text in documents)
    return ModelVersion(
        group=str(group), version=int(str(version)), status=str(status), stage=str(stage),
        created=str(created), metrics=metrics, parameters=parameters, artifact_uri=str(artifact_uri),
        sha256=str(sha256), input_schema=input_schema, output_schema=output_schema,
    )  # fmt: skip
