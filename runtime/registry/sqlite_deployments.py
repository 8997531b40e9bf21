"""Deployment state in the local registry file: the live pointer and the history (issue 15).

The tables are created by the first deployment write, inside its transaction, so files from before
them keep working: read-only opens find no table and report no pointer and no history.
"""

from __future__ import annotations

import sqlite3

from runtime.registry import sqlite_schema as sql
from runtime.registry.base import Deployment, DeploymentChange, LivePointer, check_status


def has_tables(connection: sqlite3.Connection) -> bool:
    (count,) = connection.execute(sql.DEPLOYMENT_TABLES_EXIST).fetchone()
    return bool(count == len(sql.CREATE_DEPLOYMENT_TABLES))


def create_tables(connection: sqlite3.Connection) -> None:
    for statement in sql.CREATE_DEPLOYMENT_TABLES:
        connection.execute(statement)
    if not _has_plan(connection):  # a table from before canaries: add the column, empty
        connection.execute(sql.ADD_PLAN)


def _has_plan(connection: sqlite3.Connection) -> bool:
    (count,) = connection.execute(sql.HAS_PLAN).fetchone()
    return bool(count)


def read_pointer(connection: sqlite3.Connection, group: str) -> LivePointer | None:
    if not has_tables(connection):
        return None
    row = connection.execute(sql.SELECT_LIVE, (group,)).fetchone()
    if row is None:
        return None
    live, candidate, weight, step, since = row
    plan = connection.execute(sql.SELECT_LIVE_PLAN, (group,)).fetchone()[0] if _has_plan(connection) else ""
    return LivePointer(live=live, candidate=candidate, weight=weight, step=step, since=since, plan=plan)


def read_history(connection: sqlite3.Connection, group: str) -> list[Deployment]:
    if not has_tables(connection):
        return []
    rows = connection.execute(sql.SELECT_DEPLOYMENTS, (group,)).fetchall()
    fields = ("group", "at", "actor", "action", "from_version", "to_version", "weight", "step", "outcome")
    return [Deployment(**dict(zip(fields, row[:-1], strict=True)), reason=row[-1]) for row in rows]


def write_change(connection: sqlite3.Connection, group: str, change: DeploymentChange) -> None:
    """Apply `change` on a connection inside BEGIN IMMEDIATE (the caller's transaction)."""
    create_tables(connection)
    for version, status in change.statuses:
        connection.execute(sql.SET_STATUS, (check_status(status), group, version))
    pointer = change.pointer
    if pointer is not None:
        values = (pointer.live, pointer.candidate, pointer.weight, pointer.step, pointer.since, pointer.plan)
        connection.execute(sql.UPSERT_LIVE, (group, *values))
    for record in change.records:
        connection.execute(
            sql.INSERT_DEPLOYMENT,
            (
                group, record.at, record.actor, record.action, record.from_version, record.to_version,
                record.weight, record.step, record.outcome, record.reason,
            ),
        )  # fmt: skip
