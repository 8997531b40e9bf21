"""Issue 12 end to end: any CSV with only --train, --target and --name; named models side by side; the
serving contract in `mlpipe predict`; safe promotion; live and stages; `mlpipe status`; read-only commands.

The three datasets are not in the repository: scikit-learn ships two, the third is built here.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_breast_cancer, load_wine
from typer.testing import Result

from lambda_inference.handler import handle_event
from lambda_inference.model_loader import ModelLoader
from runtime.settings import REGISTRY_FILE, Settings, open_registry, open_store
from tests.integration.cli.conftest import Mlpipe

pytestmark = pytest.mark.slow
FAST = ("--param", "NumRound=40")


def breast_cancer(folder: Path) -> Path:
    """30 feature names with spaces; target `target`."""
    path = folder / "cancer.csv"
    load_breast_cancer(as_frame=True).frame.to_csv(path, index=False)
    return path


def binary_wine(folder: Path) -> Path:
    """Odd names (`od280/od315_of_diluted_wines`), the target made binary: class 0 or not."""
    frame = load_wine(as_frame=True).frame
    frame["is class 0"] = (frame.pop("target") == 0).astype(int)
    path = folder / "wine.csv"
    frame.to_csv(path, index=False)
    return path


def penguins(folder: Path) -> Path:
    """Penguin-like: string categories, missing values, a comma in a column name."""
    rng = np.random.default_rng(7)
    n = 300
    species = rng.choice(["Adelie", "Gentoo", "Chinstrap"], n)
    bill = np.where(species == "Gentoo", 47.5, 39.0) + rng.normal(0, 2.5, n)
    frame = pd.DataFrame(
        {
            "species": species,
            "island": pd.Series(rng.choice(["Biscoe", "Dream", "Torgersen", ""], n)).replace("", None),
            "bill length, mm": np.where(rng.random(n) < 0.1, np.nan, bill.round(1)),
            "body mass g": (4200 + (species == "Gentoo") * 800 + rng.normal(0, 300, n)).round(),
        }
    )
    frame["male"] = ((frame["body mass g"] + rng.normal(0, 50, n)) > 4500).astype(int)
    path = folder / "penguins.csv"
    frame.to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> tuple[Mlpipe, Path]:
    """Three models trained and approved in one state folder, with no config file at all."""
    data = tmp_path_factory.mktemp("datasets")
    mlpipe = Mlpipe(tmp_path_factory.mktemp("named") / "home", config=None)
    for name, path, target in (
        ("cancer", breast_cancer(data), "target"),
        ("wine", binary_wine(data), "is class 0"),
        ("penguins", penguins(data), "male"),
    ):
        run = mlpipe("run", "--train", str(path), "--target", target, "--name", name, *FAST)
        assert run.exit_code == 0, run.output
        assert f"registered version 1 of mlpipe-{name}" in run.stdout
        approved = mlpipe("models", "approve", "1", "--name", name)
        assert approved.exit_code == 0, approved.output
    return mlpipe, data


def predict(mlpipe: Mlpipe, *args: str) -> Result:
    return mlpipe("predict", *args)


@pytest.mark.parametrize(
    ("name", "file"), [("cancer", "cancer.csv"), ("wine", "wine.csv"), ("penguins", "penguins.csv")]
)
def test_any_csv_trains_approves_and_predicts_with_no_other_option(
    home: tuple[Mlpipe, Path], name: str, file: str, tmp_path: Path
) -> None:
    mlpipe, data = home
    out = tmp_path / "out.csv"
    result = predict(mlpipe, "--name", name, "--input", str(data / file), "--output", str(out))
    assert result.exit_code == 0, result.output
    predictions = pd.read_csv(out)
    assert len(predictions) == len(pd.read_csv(data / file))
    assert set(predictions["prediction"]) <= {0, 1}


def test_without_a_name_several_models_are_listed_not_guessed(home: tuple[Mlpipe, Path]) -> None:
    mlpipe, _ = home
    result = mlpipe("models", "list")
    assert result.exit_code == 2
    assert "3 are registered" in result.stderr and "cancer, penguins, wine" in result.stderr


def test_list_marks_the_live_version_and_its_stage_is_production(home: tuple[Mlpipe, Path]) -> None:
    mlpipe, _ = home
    versions = json.loads(mlpipe("models", "list", "--name", "wine", "--json").stdout)
    assert [(v["version"], v["live"], v["stage"]) for v in versions] == [(1, True, "Production")]


def test_predict_refuses_a_csv_without_a_required_column_naming_it(
    home: tuple[Mlpipe, Path], tmp_path: Path
) -> None:
    mlpipe, data = home
    frame = pd.read_csv(data / "penguins.csv").drop(columns=["species"])
    frame.to_csv(tmp_path / "in.csv", index=False)
    result = predict(
        mlpipe, "--name", "penguins", "--input", str(tmp_path / "in.csv"), "--output", str(tmp_path / "o.csv")
    )
    assert result.exit_code == 2
    assert "missing_feature" in result.stderr and "'species'" in result.stderr
    assert not (tmp_path / "o.csv").exists()


def test_predict_refuses_renamed_columns_with_the_closest_name(
    home: tuple[Mlpipe, Path], tmp_path: Path
) -> None:
    mlpipe, data = home
    frame = pd.read_csv(data / "penguins.csv").rename(columns={"bill length, mm": "Bill_Length, MM"})
    frame.to_csv(tmp_path / "in.csv", index=False)
    args = ("--name", "penguins", "--input", str(tmp_path / "in.csv"), "--output", str(tmp_path / "o.csv"))
    refused = predict(mlpipe, *args)
    assert refused.exit_code == 2
    assert "unknown_field" in refused.stderr and "did you mean 'bill length, mm'?" in refused.stderr
    assert predict(mlpipe, *args, "--allow-unknown-columns").exit_code == 0


def test_predict_one_instance_with_a_typo_and_an_unseen_category(home: tuple[Mlpipe, Path]) -> None:
    mlpipe, _ = home
    typo = predict(
        mlpipe,
        "--name",
        "penguins",
        "--instance",
        "species=Adelie",
        "--instance",
        "body mass g=4000",
        "--instance",
        "isl and=Dream",
    )
    assert typo.exit_code == 2 and "did you mean 'island'?" in typo.stderr
    unseen = predict(
        mlpipe, "--name", "penguins", "--instance", "species=Emperor", "--instance", "body mass g=4000"
    )
    assert unseen.exit_code == 0, unseen.output
    warning = json.loads(unseen.stdout)["warnings"][0]
    assert (warning["field"], warning["value"]) == ("species", "Emperor")


def test_predict_on_a_non_utf8_file_is_an_error_not_a_traceback(
    home: tuple[Mlpipe, Path], tmp_path: Path
) -> None:
    mlpipe, _ = home
    (tmp_path / "latin1.csv").write_bytes("species,island\nAd\xe9lie,Dream\n".encode("latin-1"))
    result = predict(
        mlpipe,
        "--name",
        "penguins",
        "--input",
        str(tmp_path / "latin1.csv"),
        "--output",
        str(tmp_path / "o.csv"),
    )
    assert result.exit_code == 2
    assert "is not UTF-8" in result.stderr and "Traceback" not in result.output


def test_two_named_models_serve_side_by_side(home: tuple[Mlpipe, Path]) -> None:
    mlpipe, data = home
    loaders = {
        name: ModelLoader(open_registry(settings), open_store(settings), background=False)
        for name, settings in (
            (name, Settings(home=mlpipe.home, model_package_group=f"mlpipe-{name}"))
            for name in ("cancer", "wine")
        )
    }
    cancer_row = pd.read_csv(data / "cancer.csv").drop(columns=["target"]).iloc[0].to_dict()
    event = {"instances": [cancer_row]}
    assert json.loads(handle_event(event, loaders["cancer"], "r1")["body"])["model_version"] == "1"
    wrong_model = json.loads(handle_event(event, loaders["wine"], "r2")["body"])
    assert wrong_model["error"]["code"] == "unknown_field"  # the wine model never guesses on cancer data


def test_approving_a_version_with_other_inputs_needs_force(home: tuple[Mlpipe, Path], tmp_path: Path) -> None:
    mlpipe, data = home
    frame = pd.read_csv(data / "wine.csv").drop(columns=["proline"])
    frame.to_csv(tmp_path / "wine2.csv", index=False)
    run = mlpipe(
        "run", "--train", str(tmp_path / "wine2.csv"), "--target", "is class 0", "--name", "wine", *FAST
    )
    assert run.exit_code == 0, run.output
    refused = mlpipe("models", "approve", "2", "--name", "wine")
    assert refused.exit_code == 1 and "removed: proline" in refused.stderr
    forced = mlpipe("models", "approve", "2", "--name", "wine", "--force")
    assert forced.exit_code == 0, forced.output
    versions = json.loads(mlpipe("models", "list", "--name", "wine", "--json").stdout)
    assert [(v["version"], v["live"], v["stage"]) for v in versions] == [
        (1, False, "Archived"),
        (2, True, "Production"),
    ]


def test_status_shows_the_state_folder_models_and_runs(home: tuple[Mlpipe, Path]) -> None:
    mlpipe, _ = home
    status = json.loads(mlpipe("status", "--json").stdout)
    assert status["state_folder"] == str(mlpipe.home)
    assert {m["name"]: m["live"] is not None for m in status["models"]}.keys() >= {"cancer", "penguins"}
    assert status["runs"] and status["runs"][0]["status"] == "registered"


def test_read_only_commands_never_create_state(tmp_path: Path) -> None:
    mlpipe = Mlpipe(tmp_path / "absent", config=None)
    for args in (
        ("status",),
        ("models", "list"),
        ("models", "list", "--name", "x"),
        ("predict", "--instance", "a=1"),
    ):
        result = mlpipe(*args)
        assert "Traceback" not in result.output
        assert str(tmp_path / "absent") in result.output
    assert not (tmp_path / "absent").exists()
    assert not (tmp_path / "absent" / REGISTRY_FILE).exists()
