"""Per-environment deployment settings: one frozen dataclass instance per environment, chosen by context."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace

from runtime.settings import model_name
from stacks.model_stacks import MODELS_CONTEXT, ModelStacks, with_models

DEFAULT_ENVIRONMENT = "dev"


@dataclass(frozen=True, kw_only=True)
class EnvironmentConfig:
    """Everything that differs between environments; stacks read nothing else."""

    name: str
    account: str | None  # None: environment-agnostic, resolved from the deploying credentials
    region: str | None
    prefix: str
    # The model package group of each deployed model, the environment's first model first. More come from
    # context `models` (load_config); each gets its own pipeline and serving stacks (docs/deploy.md).
    model_package_groups: tuple[str, ...]
    # Thresholds and sizes.
    lambda_memory_mb: int
    lambda_timeout_seconds: int
    # Reserved concurrency per function, or None for none. Lambda refuses a reservation that leaves the
    # account less than 100 unreserved executions, and new accounts often have a limit of 10 in all
    # (docs/deploy.md, "Concurrency"): reserve only where the account's quota is known to allow it, and
    # check with `mlpipe doctor` before deploying.
    reserved_concurrency: int | None
    promoter_reserved_concurrency: int | None
    api_rate_limit: float
    api_burst_limit: int
    log_retention_days: int
    pipeline_output_archive_days: int
    noncurrent_version_expiry_days: int
    p99_duration_alarm_ms: int
    # The promoter's canary (promoter/rollout.py parse_plan): "10:5" = 10% for 5 minutes, then 100%;
    # "" = all at once (docs/deploy.md, "Canary on AWS").
    canary_plan: str = ""
    alarm_email: str | None = None
    retain_data: bool = False

    @property
    def models(self) -> tuple[ModelStacks, ...]:
        """The deployed models; the first keeps the environment's unqualified names."""
        base = f"{self.prefix}-{self.name}"
        return tuple(
            ModelStacks(
                group=group, base=base if index == 0 else f"{base}-{model_name(group)}", first=index == 0
            )
            for index, group in enumerate(self.model_package_groups)
        )

    @property
    def artifact_bucket_name(self) -> str:
        """An Fn::Sub template: unique per account and region, known to every stack without an export."""
        return f"{self.prefix}-{self.name}-artifacts-${{AWS::AccountId}}-${{AWS::Region}}"

    @property
    def serving_repository_name(self) -> str:
        return f"{self.prefix}-{self.name}-serving"

    def stack_name(self, unit: str) -> str:
        """CloudFormation stack name, e.g. mlpipe-dev-serving; the cloud commands find them by the prefix."""
        return f"{self.prefix}-{self.name}-{unit}"


ENVIRONMENTS: dict[str, EnvironmentConfig] = {
    "dev": EnvironmentConfig(
        name="dev",
        account=None,
        region=None,
        prefix="mlpipe",
        model_package_groups=("mlpipe-titanic-dev",),
        lambda_memory_mb=1024,
        lambda_timeout_seconds=10,
        reserved_concurrency=None,
        promoter_reserved_concurrency=None,
        api_rate_limit=20,
        api_burst_limit=40,
        log_retention_days=365,
        pipeline_output_archive_days=30,
        noncurrent_version_expiry_days=30,
        p99_duration_alarm_ms=2000,
        canary_plan="",  # all at once
    ),
    "prod": EnvironmentConfig(
        name="prod",
        account=None,
        region=None,
        prefix="mlpipe",
        model_package_groups=("mlpipe-titanic",),
        lambda_memory_mb=2048,
        lambda_timeout_seconds=10,
        reserved_concurrency=50,
        promoter_reserved_concurrency=1,  # one at a time: two approvals must not race on the alias
        api_rate_limit=200,
        api_burst_limit=400,
        log_retention_days=365,
        pipeline_output_archive_days=180,
        noncurrent_version_expiry_days=90,
        p99_duration_alarm_ms=1000,
        canary_plan="10:5",
        retain_data=True,
    ),
}

_ACCOUNT = re.compile(r"^\d{12}$")
_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d$")


def load_config(context: Mapping[str, object]) -> EnvironmentConfig:
    """The environment named by context `env` (default dev), with optional `account`/`region`/`alarmEmail`
    and `models` (more named models, e.g. -c models=penguins,wine)."""
    name = str(context.get("env") or DEFAULT_ENVIRONMENT)
    if name not in ENVIRONMENTS:
        raise ValueError(f"unknown environment {name!r}; pass -c env=<one of {sorted(ENVIRONMENTS)}>")
    config = ENVIRONMENTS[name]
    account, region = _text(context.get("account")), _text(context.get("region"))
    if account and not _ACCOUNT.match(account):
        raise ValueError(f"context account={account!r} is not a 12-digit AWS account id")
    if region and not _REGION.match(region):
        raise ValueError(f"context region={region!r} is not an AWS region name such as eu-west-1")
    return replace(
        config,
        account=account or config.account,
        region=region or config.region,
        alarm_email=_text(context.get("alarmEmail")) or config.alarm_email,
        model_package_groups=with_models(config.model_package_groups, context.get(MODELS_CONTEXT)),
    )


def _text(value: object) -> str | None:
    return None if value is None else str(value)
