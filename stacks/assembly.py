"""Build the CDK app: config from context -> the data stack and two stacks per model -> policy checks.

Shared by app.py and tests.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aws_cdk as cdk

from stacks.config import EnvironmentConfig, load_config
from stacks.data_stack import DataStack
from stacks.model_stacks import MODELS_CONTEXT, ModelStacks
from stacks.pipeline_stack import PipelineStack
from stacks.policy import add_policy_checks
from stacks.serving_stack import ServingStack

CDK_JSON = Path(__file__).resolve().parents[1] / "cdk.json"
CONTEXT_KEYS = ("env", "account", "region", "alarmEmail", MODELS_CONTEXT)


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


def add_stacks(
    app: cdk.App, config: EnvironmentConfig
) -> tuple[DataStack, list[tuple[PipelineStack, ServingStack]]]:
    """The environment's data stack, shared, and a pipeline and a serving stack per model."""
    env = cdk.Environment(account=config.account, region=config.region)
    data = DataStack(
        app,
        config.stack_name("data"),
        config=config,
        env=env,
        description="mlpipe: artifact bucket, access logs, serving image repository",
    )
    return data, [_add_model_stacks(app, config, model, data, env) for model in config.models]


def _add_model_stacks(
    app: cdk.App, config: EnvironmentConfig, model: ModelStacks, data: DataStack, env: cdk.Environment
) -> tuple[PipelineStack, ServingStack]:
    # The first model keeps the descriptions it had, so its templates do not change.
    of_model = "" if model.first else f" of model {model.name}"
    pipeline = PipelineStack(
        app,
        model.stack_name("pipeline"),
        config=config,
        model=model,
        env=env,
        bucket_key=data.store.key,
        description=f"mlpipe: SageMaker pipeline, execution role, model package group{of_model}",
    )
    serving = ServingStack(
        app,
        model.stack_name("serving"),
        config=config,
        model=model,
        env=env,
        bucket_key=data.store.key,
        description=f"mlpipe: prediction Lambda, IAM-authorized HTTP API, promoter, alarms{of_model}",
        # `cdk deploy` pushes this stack's image asset to the data stack's repository. Every model's serving
        # stack builds the same Dockerfile: one hash, one tag; cdk-assets finds the tag already pushed
        # (ECR DescribeImages) and skips it, so the immutable tag is never pushed twice.
        synthesizer=cdk.DefaultStackSynthesizer(image_assets_repository_name=config.serving_repository_name),
    )
    serving.add_stack_dependency(data, "the serving image is pushed to the data stack's repository")
    return pipeline, serving
