from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from processing import preprocess

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "titanic_tiny.csv"
TITANIC = Path(__file__).resolve().parents[3] / "data" / "titanic" / "train.csv"
DERIVED = "Title=title(Name);FamilySize=sum(SibSp,Parch);HasCabin=present(Cabin)"


def run(input_dir: Path, output_dir: Path, *extra: str, train_file: str = "train.csv") -> int:
    return preprocess.main(
        [
            "--input-dir",
            str(input_dir),
            "--output-dir",
            str(output_dir),
            "--train-file",
            train_file,
            "--target",
            "Survived",
            "--feature-columns",
            "Pclass,Sex,Age,SibSp,Parch,Fare,Embarked",
            "--categorical-columns",
            "Sex,Embarked",
            "--derived-features",
            DERIVED,
            "--seed",
            "7",
            *extra,
        ]
    )


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "train.csv").write_text(FIXTURE.read_text())
    return folder


def test_writes_a_stratified_split_of_every_column(data_dir: Path, tmp_path: Path) -> None:
    assert run(data_dir, tmp_path / "out") == 0
    train = pd.read_csv(tmp_path / "out" / "train" / "train.csv")
    validation = pd.read_csv(tmp_path / "out" / "validation" / "validation.csv")
    evaluation = pd.read_csv(tmp_path / "out" / "evaluation" / "evaluation.csv")
    assert (len(train), len(validation)) == (32, 8)
    assert validation.equals(evaluation)
    # Every column stays: training decides the same default columns on the same header and records the
    # unused ones as known fields of the serving contract.
    header = pd.read_csv(data_dir / "train.csv", nrows=0).columns.tolist()
    assert list(train.columns) == header
    assert validation["Survived"].sum() in (3, 4)  # 19 of 40 survived: stratified share of 8 rows


def test_split_is_seeded(data_dir: Path, tmp_path: Path) -> None:
    run(data_dir, tmp_path / "a")
    run(data_dir, tmp_path / "b")
    for name in ("train", "validation"):
        first = (tmp_path / "a" / name / f"{name}.csv").read_bytes()
        assert first == (tmp_path / "b" / name / f"{name}.csv").read_bytes()


def test_true_false_target_and_labelled_test_file(data_dir: Path, tmp_path: Path) -> None:
    frame = pd.read_csv(FIXTURE, dtype=str)
    frame["Survived"] = frame["Survived"].map({"0": "False", "1": "true"})
    frame.to_csv(data_dir / "train.csv", index=False)
    frame.head(5).to_csv(data_dir / "holdout.csv", index=False)
    assert run(data_dir, tmp_path / "out", "--test-file", "holdout.csv") == 0
    evaluation = pd.read_csv(tmp_path / "out" / "evaluation" / "evaluation.csv")
    assert evaluation["Survived"].tolist() == [0, 1, 1, 1, 0]


def test_test_file_needs_both_classes(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    frame = pd.read_csv(FIXTURE, dtype=str)
    frame[frame["Survived"] == "1"].to_csv(data_dir / "survivors.csv", index=False)
    assert run(data_dir, tmp_path / "out", "--test-file", "survivors.csv") == 2
    assert "survivors.csv: target 'Survived' has 0 row(s) of class 0" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_full_titanic_train_file(tmp_path: Path) -> None:
    assert run(TITANIC.parent, tmp_path / "out") == 0
    assert len(pd.read_csv(tmp_path / "out" / "train" / "train.csv")) == 712


def _rewrite(data_dir: Path, change: str) -> None:
    frame = pd.read_csv(FIXTURE, dtype=str)
    if change == "no target":
        frame = frame.drop(columns="Survived")
    elif change == "text age":
        frame.loc[4, "Age"] = "abc"
    elif change == "one class":
        frame["Survived"] = "1"
    elif change == "non-binary target":
        frame.loc[2, "Survived"] = "2"
    elif change == "few rows":
        frame = frame.head(10)
    elif change == "rare class":
        frame["Survived"] = ["1"] + ["0"] * (len(frame) - 1)
    elif change == "no fare":
        frame = frame.drop(columns="Fare")
    frame.to_csv(data_dir / "train.csv", index=False)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("no target", "target column 'Survived' missing from train.csv"),
        ("text age", "column 'Age' in train.csv: line 6 has 'abc', which is not a number"),
        ("one class", "has 0 row(s) of class 0"),
        ("rare class", "has 1 row(s) of class 1"),
        ("non-binary target", "line 4 has '2'; the target must be 0/1 or true/false"),
        ("few rows", "has 10 rows; at least 20"),
        ("no fare", "column(s) 'Fare' missing from train.csv"),
    ],
)
def test_bad_data_exits_2_names_the_problem_and_writes_nothing(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], change: str, message: str
) -> None:
    _rewrite(data_dir, change)
    assert run(data_dir, tmp_path / "out") == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "train.csv not found"),
        ("", "train.csv is empty"),
        ("Survived,Age\n", "has a header but no data rows"),
    ],
)
def test_missing_or_empty_file(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str | None, message: str
) -> None:
    (data_dir / "train.csv").unlink()
    if content is not None:
        (data_dir / "train.csv").write_text(content)
    assert run(data_dir, tmp_path / "out") == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            ["--categorical-columns", "Sex,Cabin"],
            "'Cabin': is in CategoricalColumns but not in FeatureColumns",
        ),
        (["--derived-features", "Title=title Name"], "cannot parse derived feature"),
        (["--validation-fraction", "1.5"], "must be between 0 and 1"),
        (["--test-file", "nope.csv"], "nope.csv not found"),
        (["--target", "Pclass"], "'Pclass': is the target; remove it from the feature"),
    ],
)
def test_bad_parameters_exit_2(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: list[str], message: str
) -> None:
    assert run(data_dir, tmp_path / "out", *extra) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
