"""Build the CDK app: config from context -> three stacks -> policy checks. Shared by app.py and tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aws_cdk as cdk

from stacks.config import EnvironmentConfig, load_config
from stacks.data_stack import DataStack
from stacks.pipeline_stack import PipelineStack
from stacks.policy import add_policy_checks
from stacks.serving_stack import ServingStack

CDK_JSON = Path(__file__).resolve().parents[1] / "cdk.json"
CONTEXT_KEYS = ("env", "account", "region", "alarmEmail")


def cdk_json_context() -> dict[str, Any]:
    """The context block of cdk.json (feature flags), as `cdk synth` passes it to the app."""
    return dict(json.loads(CDK_JSON.read_text())["context"])


def build_app(
    *, context: dict[str, Any] | None = None, outdir: str | None = None, policy_checks: bool = True
) -> cdk.App:
    """The app with all stacks; with `policy_checks`, `app.synth()` fails on unacknowledged findings."""
    app = cdk.App(context=context, outdir=outdir, analytics_reporting=False)
    config = load_config({key: app.node.try_get_context(key) for key in CONTEXT_KEYS})
    add_stacks(app, config)
    if policy_checks:
        add_policy_checks(app)
    return app


def add_stacks(app: cdk.App, config: EnvironmentConfig) -> tuple[DataStack, PipelineStack, ServingStack]:
    env = cdk.Environment(account=config.account, region=config.region)
    data = DataStack(
        app,
        config.stack_name("data"),
        config=config,
        env=env,
        description="mlpipe: artifact bucket, access logs, serving image repository",
    )
    pipeline = PipelineStack(
        app,
        config.stack_name("pipeline"),
        config=config,
        env=env,
        bucket_key=data.store.key,
        description="mlpipe: SageMaker pipeline, execution role, model package group",
    )
    serving = ServingStack(
        app,
        config.stack_name("serving"),
        config=config,
        env=env,
        bucket_key=data.store.key,
        description="mlpipe: prediction Lambda, IAM-authorized HTTP API, promoter, alarms",
        # `cdk deploy` pushes this stack's image asset to the data stack's repository.
        synthesizer=cdk.DefaultStackSynthesizer(image_assets_repository_name=config.serving_repository_name),
    )
    serving.add_stack_dependency(data, "the serving image is pushed to the data stack's repository")
    return data, pipeline, serving
