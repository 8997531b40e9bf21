"""`mlpipe run` on the real pipeline: versions 1 and 2, then bad inputs that must register nothing."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import Result

from tests.integration.cli.conftest import TITANIC_TRAIN, Mlpipe

pytestmark = pytest.mark.slow


@dataclass
class TwoRuns:
    mlpipe: Mlpipe
    first: Result
    second: Result


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory: pytest.TempPathFactory) -> TwoRuns:
    mlpipe = Mlpipe(tmp_path_factory.mktemp("cli-run") / "home")
    first = mlpipe("run", "--train", str(TITANIC_TRAIN))
    second = mlpipe("run", "--train", str(TITANIC_TRAIN), "--param", "NumRound=100", "-p", "MaxDepth=3")
    return TwoRuns(mlpipe=mlpipe, first=first, second=second)


def test_the_first_run_registers_version_1_and_prints_its_metrics(two_runs: TwoRuns) -> None:
    assert two_runs.first.exit_code == 0, two_runs.first.output
    assert "registered version 1 of mlpipe-titanic (PendingManualApproval)" in two_runs.first.stdout
    assert "accuracy" in two_runs.first.stdout and "auc" in two_runs.first.stdout


def test_a_second_run_registers_version_2_with_its_parameters(two_runs: TwoRuns) -> None:
    assert two_runs.second.exit_code == 0, two_runs.second.output
    assert "registered version 2" in two_runs.second.stdout
    versions = two_runs.mlpipe.versions()
    assert [v["version"] for v in versions] == [1, 2]
    # The recorded parameters are the ones training used (the same on both backends, issue 11).
    assert (versions[1]["parameters"]["num_round"], versions[1]["parameters"]["max_depth"]) == ("100", "3")
    assert versions[0]["metrics"]["accuracy"] >= 0.75
    shown = json.loads(two_runs.mlpipe("models", "show", "2", "--json").stdout)
    assert shown["artifact_check"] == "ok"


def _write_broken(kind: str, folder: Path) -> Path:
    path = folder / f"{kind}.csv"
    if kind == "empty":
        path.write_text("")
        return path
    with TITANIC_TRAIN.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    if kind == "no_target":
        for row in rows:
            del row["Survived"]
    else:
        rows[3]["Age"] = "abc"
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("no_target", "'Survived' missing from no_target.csv"),
        ("bad_age", "column 'Age' in bad_age.csv: line 5 has 'abc', which is not a number"),
        ("empty", "empty.csv is empty"),
    ],
)
def test_broken_data_fails_with_the_reason_and_registers_nothing(
    two_runs: TwoRuns, tmp_path: Path, kind: str, message: str
) -> None:
    before = two_runs.mlpipe.versions()

    result = two_runs.mlpipe("run", "--train", str(_write_broken(kind, tmp_path)))

    assert result.exit_code == 1
    assert message in result.stderr
    assert "nothing was registered" in result.stderr
    assert two_runs.mlpipe.versions() == before


def test_a_failed_quality_gate_exits_non_zero_and_registers_nothing(two_runs: TwoRuns) -> None:
    before = two_runs.mlpipe.versions()

    result = two_runs.mlpipe("run", "--train", str(TITANIC_TRAIN), "--param", "MinAccuracy=0.99")

    assert result.exit_code == 1
    assert "< MinAccuracy 0.99" in result.stderr
    assert two_runs.mlpipe.versions() == before
