"""`mlpipe models ...` on a registry filled directly (no pipeline run needed)."""

from __future__ import annotations

import hashlib
import json

import pytest

from runtime.registry.base import Registration
from runtime.registry.sqlite import SqliteModelRegistry
from runtime.settings import DEFAULT_GROUP, REGISTRY_FILE
from runtime.store.local import LocalArtifactStore
from tests.integration.cli.conftest import Mlpipe

ARTIFACT = b"model archive bytes"


@pytest.fixture
def two_versions(mlpipe: Mlpipe) -> Mlpipe:
    store = LocalArtifactStore(mlpipe.home)
    registry = SqliteModelRegistry(mlpipe.home / REGISTRY_FILE, DEFAULT_GROUP)
    for number in (1, 2):
        uri = f"s3://mlpipe-local/runs/r{number}/model.tar.gz"
        store.put_bytes(ARTIFACT + bytes([number]), uri)
        registry.register_version(
            Registration(
                artifact_uri=uri,
                sha256=hashlib.sha256(ARTIFACT + bytes([number])).hexdigest(),
                metrics={"accuracy": 0.8 if number == 1 else 0.82},
                parameters={"MaxDepth": str(number)},
                input_schema={"type": "object"},
                output_schema={"type": "object"},
            )
        )
    return mlpipe


def test_list_json_has_the_documented_fields(two_versions: Mlpipe) -> None:
    versions = two_versions.versions()

    assert [v["version"] for v in versions] == [1, 2]
    for key in ("version", "status", "stage", "created", "metrics", "artifact_uri", "sha256"):
        assert key in versions[0]
    assert versions[1]["metrics"] == {"accuracy": 0.82}
    assert versions[0]["status"] == "PendingManualApproval"


def test_list_prints_a_table(two_versions: Mlpipe) -> None:
    table = two_versions("models", "list")
    assert table.exit_code == 0
    assert "PendingManualApproval" in table.stdout and "0.8200" in table.stdout


def test_an_empty_registry_says_how_to_get_a_version(tmp_path_factory: pytest.TempPathFactory) -> None:
    empty = Mlpipe(tmp_path_factory.mktemp("empty"))
    assert "mlpipe run" in empty("models", "list").stdout
    assert empty.versions() == []


def test_approve_and_reject_move_live_and_the_stages_follow(two_versions: Mlpipe) -> None:
    approved = two_versions("models", "approve", "1")
    assert approved.exit_code == 0, approved.output
    assert "stage Production" in approved.stdout
    assert two_versions("models", "reject", "2").exit_code == 0

    by_version = {v["version"]: v for v in two_versions.versions()}
    assert (by_version[1]["status"], by_version[1]["stage"], by_version[1]["live"]) == (
        "Approved",
        "Production",
        True,
    )
    assert (by_version[2]["status"], by_version[2]["live"]) == ("Rejected", False)


def test_stages_are_not_set_by_hand_any_more(two_versions: Mlpipe) -> None:
    # `models stage` is gone: a stage set by hand would say something serving does not do
    result = two_versions("models", "stage", "1", "Production")
    assert result.exit_code == 2
    assert "No such command 'stage'" in result.output


def test_an_unknown_version_names_the_fix(two_versions: Mlpipe) -> None:
    result = two_versions("models", "approve", "9")
    assert result.exit_code == 1
    assert "no version 9" in result.output and "mlpipe models list" in result.output


def test_show_verifies_the_artifact_digest(two_versions: Mlpipe) -> None:
    result = two_versions("models", "show", "2", "--json")

    assert result.exit_code == 0, result.output
    shown = json.loads(result.stdout)
    assert (shown["version"], shown["artifact_check"]) == (2, "ok")
    assert "SHA-256 verified" in two_versions("models", "show", "2").stdout


def test_show_says_clearly_when_the_artifact_was_changed(two_versions: Mlpipe) -> None:
    LocalArtifactStore(two_versions.home).put_bytes(b"tampered", "s3://mlpipe-local/runs/r1/model.tar.gz")

    result = two_versions("models", "show", "1", "--json")

    assert result.exit_code == 1
    assert json.loads(result.stdout)["artifact_check"] == "mismatch"
    assert "was changed after registration" in result.stderr
    assert hashlib.sha256(b"tampered").hexdigest() in result.stderr


def test_show_says_when_the_artifact_is_missing(two_versions: Mlpipe) -> None:
    (two_versions.home / "s3" / "mlpipe-local" / "runs" / "r2" / "model.tar.gz").unlink()

    result = two_versions("models", "show", "2")

    assert result.exit_code == 1
    assert "is missing" in result.stderr
