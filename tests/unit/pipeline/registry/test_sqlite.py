from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from pipeline.registry import Registration, RegistryError, SqliteModelRegistry


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
