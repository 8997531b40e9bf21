"""`mlpipe models history` / `models rollback` locally, and the live pointer that serving answers with."""

from __future__ import annotations

import getpass
import json
import sqlite3

import pytest

from lambda_inference.model_loader import ModelLoader
from pipeline.ui.pages import version_events
from runtime.registry.sqlite import SqliteModelRegistry
from runtime.settings import DEFAULT_GROUP, REGISTRY_FILE
from runtime.store.local import LocalArtifactStore
from tests.integration.cli.conftest import Mlpipe
from tests.integration.cli.test_models import ARTIFACT, two_versions  # noqa: F401 (fixture)


def history(mlpipe: Mlpipe) -> list[dict[str, object]]:
    result = mlpipe("models", "history", "--json")
    assert result.exit_code == 0, result.output
    return list(json.loads(result.stdout))


def live(mlpipe: Mlpipe) -> list[int]:
    return [v["version"] for v in mlpipe.versions() if v["live"]]


def registry_of(mlpipe: Mlpipe) -> SqliteModelRegistry:
    return SqliteModelRegistry(mlpipe.home / REGISTRY_FILE, DEFAULT_GROUP)


def test_every_approval_is_recorded_with_who_and_from_which_version(two_versions: Mlpipe) -> None:  # noqa: F811
    assert two_versions("models", "approve", "1").exit_code == 0
    assert two_versions("models", "approve", "2").exit_code == 0

    entries = history(two_versions)
    assert [(e["from_version"], e["to_version"], e["outcome"]) for e in entries] == [
        (None, 1, "live"),
        (1, 2, "live"),
    ]
    assert {e["actor"] for e in entries} == {getpass.getuser()}
    assert all(e["weight"] == 100 and e["at"] for e in entries)
    assert live(two_versions) == [2]


def test_a_duplicate_approval_records_nothing(two_versions: Mlpipe) -> None:  # noqa: F811
    for _ in range(2):
        assert two_versions("models", "approve", "1").exit_code == 0
    assert len(history(two_versions)) == 1


def test_rollback_serves_the_previous_version_rejects_the_live_one_and_records_why(
    two_versions: Mlpipe,  # noqa: F811
) -> None:
    two_versions("models", "approve", "1")
    two_versions("models", "approve", "2")

    result = two_versions("models", "rollback", "--reason", "bad predictions")

    assert result.exit_code == 0, result.output
    assert live(two_versions) == [1]
    assert [v["status"] for v in two_versions.versions()] == ["Approved", "Rejected"]
    last = history(two_versions)[-1]
    assert (last["action"], last["from_version"], last["to_version"]) == ("rollback", 2, 1)
    assert last["reason"] == "bad predictions"
    assert registry_of(two_versions).live_version().version == 1  # type: ignore[union-attr]


def test_rollback_refuses_a_target_that_is_not_approved(two_versions: Mlpipe) -> None:  # noqa: F811
    two_versions("models", "approve", "2")

    result = two_versions("models", "rollback", "--to", "1")

    assert result.exit_code != 0
    assert "approve it first" in result.output
    assert live(two_versions) == [2]


def test_rejecting_the_live_version_falls_back_and_is_recorded(two_versions: Mlpipe) -> None:  # noqa: F811
    two_versions("models", "approve", "1")
    two_versions("models", "approve", "2")
    two_versions("models", "reject", "2")

    assert live(two_versions) == [1]
    assert history(two_versions)[-1]["reason"] == "v2 rejected"


def test_a_file_from_before_the_history_reads_without_writing_and_upgrades_on_the_first_write(
    two_versions: Mlpipe,  # noqa: F811
) -> None:
    path = two_versions.home / REGISTRY_FILE
    registry_of(two_versions).set_status(1, "Approved")  # as the registry did before issue 15

    assert history(two_versions) == []
    assert live(two_versions) == [1]  # no pointer: the latest Approved version, as before
    with sqlite3.connect(path) as connection:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert "deployments" not in tables

    assert two_versions("models", "approve", "2").exit_code == 0
    assert [(e["from_version"], e["to_version"]) for e in history(two_versions)] == [(1, 2)]


def test_serving_answers_with_the_live_pointer_not_the_latest_approved(two_versions: Mlpipe) -> None:  # noqa: F811
    two_versions("models", "approve", "1")
    two_versions("models", "approve", "2")
    two_versions("models", "rollback")
    two_versions("models", "approve", "2")  # re-approved: roll forward
    two_versions("models", "rollback", "--to", "1")
    registry = registry_of(two_versions)
    registry.set_status(2, "Approved")  # approved behind the pointer's back: the pointer still decides

    loader = ModelLoader(
        registry,
        LocalArtifactStore(two_versions.home),
        predictor_factory=lambda artifact, version: artifact,  # type: ignore[arg-type,return-value]
        background=False,
    )

    assert loader.current().version == 1
    assert loader.current().predictor == ARTIFACT + bytes([1])


def test_history_is_empty_before_any_registry_exists(tmp_path_factory: pytest.TempPathFactory) -> None:
    empty = Mlpipe(tmp_path_factory.mktemp("empty"))
    assert history(empty) == []
    assert "no deployments yet" in empty("models", "history").stdout


def test_decisions_that_leave_traffic_alone_are_still_recorded(two_versions: Mlpipe) -> None:  # noqa: F811
    """Issue 14: the version page shows every approval decision, not only changes of what is live."""
    assert two_versions("models", "approve", "2").exit_code == 0
    assert two_versions("models", "reject", "1").exit_code == 0  # pending, never live
    assert two_versions("models", "approve", "1").exit_code == 0  # older than live: stays not live
    assert two_versions("models", "approve", "1").exit_code == 0  # a duplicate records nothing

    entries = history(two_versions)
    assert [(e["action"], e["from_version"], e["to_version"], e["outcome"]) for e in entries] == [
        ("promote", None, 2, "live"),
        ("reject", 2, 1, "not live"),
        ("approve", 2, 1, "not live"),
    ]
    assert entries[1]["actor"] == getpass.getuser()
    assert entries[1]["reason"] == "v1 rejected"
    assert live(two_versions) == [2]


class _CliHistory:
    """The one UiSource method version_events reads: the history `mlpipe models history` prints."""

    def __init__(self, mlpipe: Mlpipe) -> None:
        self.mlpipe = mlpipe

    def history(self, name: str) -> list[dict[str, object]]:
        return history(self.mlpipe)


def test_the_version_page_lists_a_rejection_of_a_version_never_live(two_versions: Mlpipe) -> None:  # noqa: F811
    """`mlpipe ui`'s version page used to say "No deployment has involved version 1 yet" here."""
    two_versions("models", "approve", "2")
    two_versions("models", "reject", "1")

    events, problem = version_events(_CliHistory(two_versions), DEFAULT_GROUP, 1)  # type: ignore[arg-type]

    assert problem == ""
    assert [(e["action"], e["from_version"], e["outcome"]) for e in events] == [("reject", 2, "not live")]
