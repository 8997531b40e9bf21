"""`mlpipe.toml` into pipeline parameters, and model names into SageMaker group names."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.cli.project import ConfigError, load_project
from runtime.settings import SettingsError, model_group, model_name

EXAMPLE = Path(__file__).resolve().parents[4] / "examples" / "titanic" / "mlpipe.toml"


def test_the_titanic_example_becomes_parameters_with_json_lists() -> None:
    project = load_project(EXAMPLE)
    assert (project.name, project.id_column) == ("titanic", "PassengerId")
    assert json.loads(project.parameters["FeatureColumns"]) == ["Pclass", "Sex", "Age", "Fare", "Embarked"]
    assert project.parameters["DerivedFeatures"].split(";")[0] == "Title=title(Name)"
    assert (project.parameters["MaxDepth"], project.parameters["MinAccuracy"]) == ("4", "0.75")


def test_commas_and_spaces_in_column_names_survive(tmp_path: Path) -> None:
    (tmp_path / "mlpipe.toml").write_text('target = "y"\nfeature_columns = ["bill length, mm", " x "]\n')
    parameters = load_project(tmp_path / "mlpipe.toml").parameters
    assert json.loads(parameters["FeatureColumns"]) == ["bill length, mm", " x "]


def test_no_file_means_generic_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert load_project(None).parameters == {}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('nmae = "x"', r"unknown key\(s\) nmae"),
        ("feature_columns = 'a,b'", "must be a list of strings"),
        ("target = [", "not a readable TOML file"),
    ],
)
def test_a_bad_config_names_the_key_and_the_fix(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "mlpipe.toml").write_text(text)
    with pytest.raises(ConfigError, match=message):
        load_project(tmp_path / "mlpipe.toml")


def test_model_names_map_to_valid_group_names() -> None:
    assert model_group("breast-cancer2") == "mlpipe-breast-cancer2"
    assert model_name("mlpipe-breast-cancer2") == "breast-cancer2"
    for bad in ("", "-x", "x-", "a b", "x_y", "a" * 57):
        with pytest.raises(SettingsError, match="letters, digits and inner hyphens"):
            model_group(bad)
