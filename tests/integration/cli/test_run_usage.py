"""`mlpipe run` usage errors: caught before anything is stored or run."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.cli.conftest import TITANIC_TRAIN, Mlpipe


def test_a_missing_file_says_which_and_how_to_fix_it(mlpipe: Mlpipe, tmp_path: Path) -> None:
    result = mlpipe("run", "--train", str(tmp_path / "nope.csv"))

    assert result.exit_code == 2
    assert "nope.csv: no such file" in result.stderr
    assert not mlpipe.home.exists()


def test_an_unknown_parameter_lists_the_valid_names(mlpipe: Mlpipe) -> None:
    result = mlpipe("run", "--train", str(TITANIC_TRAIN), "--param", "MaxDeep=3")

    assert result.exit_code == 2
    assert "unknown parameter(s) MaxDeep; valid names:" in result.stderr
    assert "MaxDepth" in result.stderr
    assert not mlpipe.home.exists()


def test_a_parameter_of_the_wrong_type_is_refused(mlpipe: Mlpipe) -> None:
    result = mlpipe("run", "--train", str(TITANIC_TRAIN), "-p", "NumRound=many")

    assert result.exit_code == 2
    assert "parameter NumRound is Integer; got 'many'" in result.stderr


def test_train_file_is_set_with_train_not_param(mlpipe: Mlpipe) -> None:
    result = mlpipe("run", "--train", str(TITANIC_TRAIN), "-p", "TrainFile=x.csv")

    assert result.exit_code == 2
    assert "use --train and --test" in result.stderr


def test_an_aws_run_with_an_unknown_parameter_stops_before_any_aws_call(
    mlpipe: Mlpipe, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given no AWS at all: creating any client fails the test
    import boto3

    def no_aws(*args: object, **kwargs: object) -> None:
        raise AssertionError("an AWS client was created")

    monkeypatch.setattr(boto3, "client", no_aws)
    monkeypatch.setattr(boto3.Session, "client", no_aws)

    # when a run on AWS names a parameter the pipeline does not have
    result = mlpipe("run", "--backend", "aws", "--param", "MaxDeep=5")

    # then it stops with the valid names, as a local run would
    assert result.exit_code == 2
    assert "MaxDeep" in result.stderr and "MaxDepth" in result.stderr


def test_every_command_has_help(mlpipe: Mlpipe) -> None:
    for command in (["run"], ["models", "list"], ["models", "show"], ["models", "approve"]):
        result = mlpipe(*command, "--help")
        assert result.exit_code == 0
        assert "--backend" in result.stdout
