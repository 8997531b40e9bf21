"""Environment selection and validation of account/region context."""

from __future__ import annotations

import dataclasses

import pytest

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
    assert config.model_package_group == config.model_package_group.lower()
    assert config.stack_name("data") == f"mlpipe-{config.name}-data"  # docs/architecture.md: prefix


def test_configs_are_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        ENVIRONMENTS["dev"].name = "other"  # type: ignore[misc]
