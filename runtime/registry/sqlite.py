"""The local model registry: one SQLite file (WAL), safe for several processes at once."""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path

from runtime.registry import sqlite_deployments as deployments
from runtime.registry import sqlite_schema as sql
from runtime.registry.base import (
    Deployment,
    DeploymentChange,
    LivePointer,
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

    def __init__(self, path: Path, group: str, *, read_only: bool = False) -> None:
        """`read_only`: for read commands, which must work and write nothing on a full disk (no file
        or folder created, no schema set up); writes then fail with SQLite's "readonly database"."""
        self.path = Path(path)
        self.group = group
        self.read_only = read_only
        if not read_only:
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
                training_data_sha256=registration.training_data_sha256,
                code_version=dict(registration.code_version),
                report_uri=registration.report_uri,
            )
            connection.execute(sql.INSERT, _to_row(version))
        return version

    def list_versions(self) -> list[ModelVersion]:
        with self._connection() as connection:
            if self._not_set_up(connection):
                return []
            rows = connection.execute(sql.SELECT_ALL, (self.group,)).fetchall()
        return [_from_row(row) for row in rows]

    def get_version(self, version: int) -> ModelVersion:
        with self._connection() as connection:
            if self._not_set_up(connection):
                raise VersionNotFound(self.group, version)
            return self._select(connection, version)

    def set_status(self, version: int, status: str) -> ModelVersion:
        return self._update(sql.SET_STATUS, version, check_status(status))

    def set_stage(self, version: int, stage: str) -> ModelVersion:
        return self._update(sql.SET_STAGE, version, check_stage(stage))

    def latest_approved(self) -> ModelVersion | None:
        with self._connection() as connection:
            if self._not_set_up(connection):
                return None
            row = connection.execute(sql.SELECT_LATEST_APPROVED, (self.group,)).fetchone()
        return _from_row(row) if row else None

    def live_pointer(self) -> LivePointer | None:
        """The explicit live pointer; None for a file no deployment has written to yet."""
        with self._connection() as connection:
            return deployments.read_pointer(connection, self.group)

    def live_version(self) -> ModelVersion | None:
        """What serving answers with: the pointer's live version, else (older files) the latest Approved."""
        with self._connection() as connection:
            pointer = deployments.read_pointer(connection, self.group)
            if pointer is None:
                if self._not_set_up(connection):
                    return None
                row = connection.execute(sql.SELECT_LATEST_APPROVED, (self.group,)).fetchone()
                return _from_row(row) if row else None
            return None if pointer.live is None else self._select(connection, pointer.live)

    def deployment_history(self) -> list[Deployment]:
        """Every change of what is live, oldest first."""
        with self._connection() as connection:
            return deployments.read_history(connection, self.group)

    def change_deployment(
        self, decide: Callable[[LivePointer | None, list[ModelVersion]], DeploymentChange]
    ) -> DeploymentChange:
        """Read the pointer and versions, let `decide` compute the change, write it: one transaction,
        so two approvals cannot both move the pointer from the same state."""
        with self._transaction() as connection:
            pointer = deployments.read_pointer(connection, self.group)
            versions = [_from_row(row) for row in connection.execute(sql.SELECT_ALL, (self.group,))]
            change = decide(pointer, versions)
            deployments.write_change(connection, self.group, change)
        return change

    def _initialise(self) -> None:
        """Set up a new file; a file already set up is only read, so reads never wait for a writer."""
        with self._connection() as connection:
            # WAL lets readers (the serving loader, `models list`) run while a registration writes. It
            # persists in the file (https://www.sqlite.org/pragma.html#pragma_journal_mode): switch once.
            if connection.execute("PRAGMA journal_mode").fetchone() != ("wal",):
                _switch_to_wal(connection)
            if connection.execute(sql.TABLE_EXISTS).fetchone():
                if connection.execute(sql.HAS_PROVENANCE).fetchone():
                    return
                with self._transaction() as writer:
                    if not writer.execute(sql.HAS_PROVENANCE).fetchone():  # another process may have won
                        writer.execute(sql.ADD_PROVENANCE)
                return
        with self._transaction() as connection:
            connection.execute(sql.CREATE_TABLE)

    def _not_set_up(self, connection: sqlite3.Connection) -> bool:
        """A read-only open of a file another process has created but not yet given its table (two
        `mlpipe run` on a new MLPIPE_HOME: one looks up the champion while the other sets the file up)
        sees no versions, not "no such table". Writable opens created the table in __init__."""
        return self.read_only and connection.execute(sql.TABLE_EXISTS).fetchone() is None

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
            target, uri = (read_only_uri(self.path), True) if self.read_only else (str(self.path), False)
            connection = sqlite3.connect(
                target, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, uri=uri
            )
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


def read_only_uri(path: Path) -> str:
    """A read that creates no file. A WAL database read with `mode=ro` still needs its -shm index,
    created (32 KiB) if absent; with no -wal content there is nothing to index, so `immutable=1` reads
    the main file without -shm or locks (https://www.sqlite.org/wal.html#readonly,
    https://www.sqlite.org/uri.html#uriimmutable). The last connection to close checkpoints and removes
    -wal and -shm, so between commands that is the usual case; while a writer is active, `mode=ro`."""
    wal = path.with_name(path.name + "-wal")
    pending = wal.exists() and wal.stat().st_size > 0
    if not path.exists():  # `mode=ro` refuses it: "unable to open database file", no file created
        pending = True
    return f"{path.resolve().as_uri()}?{'mode=ro' if pending else 'immutable=1'}"


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
        json.dumps(_provenance(version)),
    )  # fmt: skip


def _provenance(version: ModelVersion) -> dict[str, object]:
    return {
        "training_data_sha256": version.training_data_sha256,
        "code_version": version.code_version,
        "report_uri": version.report_uri,
    }


def _from_row(row: tuple[object, ...]) -> ModelVersion:
    group, version, status, stage, created, artifact_uri, sha256, *documents = row
    metrics, parameters, input_schema, output_schema, provenance = (json.loads(str(doc)) for doc in documents)
    return ModelVersion(
        group=str(group), version=int(str(version)), status=str(status), stage=str(stage),
        created=str(created), metrics=metrics, parameters=parameters, artifact_uri=str(artifact_uri),
        sha256=str(sha256), input_schema=input_schema, output_schema=output_schema, **provenance,
    )  # fmt: skip
