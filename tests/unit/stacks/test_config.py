"""Environment selection and validation of account/region context."""

from __future__ import annotations

import dataclasses

import pytest

from pipeline.aws.outputs import select_model
from runtime.names import MODEL_PACKAGE_GROUP_NAME
from stacks.config import ENVIRONMENTS, EnvironmentConfig, load_config


def test_default_is_dev_and_environment_agnostic() -> None:
    config = load_config({})

    assert config.name == "dev"
    assert (config.account, config.region) == (None, None)


def test_context_sets_account_region_and_alarm_email() -> None:
    config = load_config(
        {"env": "prod", "account": "123456789012", "region": "eu-west-1", "alarmEmail": "ops@example.com"}
    )

    assert (config.name, config.account, config.region) == ("prod", "123456789012", "eu-west-1")
    assert config.alarm_email == "ops@example.com"


@pytest.mark.parametrize(
    ("context", "message"),
    [
        ({"env": "staging"}, "unknown environment 'staging'"),
        ({"account": "12345"}, "12-digit"),
        ({"region": "Europe"}, "region name"),
    ],
)
def test_bad_context_names_the_fix(context: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        load_config(context)


@pytest.mark.parametrize("config", ENVIRONMENTS.values(), ids=list(ENVIRONMENTS))
def test_every_environment_fits_the_api_and_naming_limits(config: EnvironmentConfig) -> None:
    assert config.lambda_timeout_seconds < 29  # API Gateway's integration limit
    assert all(group == group.lower() for group in config.model_package_groups)
    assert config.stack_name("data") == f"mlpipe-{config.name}-data"  # docs/architecture.md: prefix


def test_configs_are_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        ENVIRONMENTS["dev"].name = "other"  # type: ignore[misc]


def test_the_first_model_keeps_the_environments_names() -> None:
    (first,) = load_config({}).models

    assert (first.group, first.name, first.first) == ("mlpipe-titanic-dev", "titanic-dev", True)
    assert (first.stack_name("pipeline"), first.stack_name("serving")) == (
        "mlpipe-dev-pipeline",
        "mlpipe-dev-serving",
    )
    assert (first.pipeline_name, first.api_name) == ("mlpipe-dev-training", None)


@pytest.mark.parametrize("models", ["penguins,wine", " penguins , wine ", ["penguins", "wine"]])
def test_more_models_come_from_context_each_with_its_name_in_every_name(models: object) -> None:
    config = load_config({"env": "prod", "models": models})

    first, penguins, wine = config.models
    assert first.group == "mlpipe-titanic" and first.stack_name("serving") == "mlpipe-prod-serving"
    assert (penguins.group, penguins.name) == ("mlpipe-penguins", "penguins")
    assert penguins.stack_name("pipeline") == "mlpipe-prod-penguins-pipeline"
    assert penguins.stack_name("serving") == "mlpipe-prod-penguins-serving"
    assert (penguins.pipeline_name, penguins.api_name) == (
        "mlpipe-prod-penguins-training",
        "mlpipe-prod-penguins-api",
    )
    assert wine.stack_name("serving") == "mlpipe-prod-wine-serving"


@pytest.mark.parametrize(
    ("models", "message"),
    [
        ("penguins,penguins", r"model 'penguins' is listed twice \(deployed: titanic-dev, penguins\)"),
        ("titanic-dev", "model 'titanic-dev' is listed twice"),
        ("pen guins", r"context models: model name 'pen guins' is not usable: letters, digits"),
        ("penguins,,wine", "context models: model name '' is not usable"),
        ("x" * 57, "at most 56 characters"),
        ("my-serving-model", "has the word 'serving', which ends stack names"),
        ("Data", "has the word 'data'"),
        ({"a": 1}, 'context models must be "a,b" or a list of names'),
    ],
)
def test_a_bad_or_repeated_model_name_is_refused_with_the_fix(models: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        load_config({"models": models})


def test_the_cli_finds_each_models_stacks_by_the_names_the_config_gives_them() -> None:
    """pipeline/aws/outputs.py pairs a model's stacks by these names: the two sides must agree."""
    config = load_config({"models": "penguins,wine"})
    outputs: dict[str, dict[str, str]] = {config.stack_name("data"): {"ArtifactBucketName": "b"}}
    for model in config.models:
        outputs[model.stack_name("pipeline")] = {MODEL_PACKAGE_GROUP_NAME: model.group}
        outputs[model.stack_name("serving")] = {"FunctionName": f"fn-{model.name}"}

    for model in config.models:
        deployed = select_model(outputs, "test", model.group)
        assert deployed.function_name == f"fn-{model.name}"
        assert deployed.stack_names == tuple(
            sorted((config.stack_name("data"), model.stack_name("pipeline"), model.stack_name("serving")))
        )
