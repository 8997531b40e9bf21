"""The deployed stacks' CloudFormation outputs, from CloudFormation or a `cdk deploy --outputs-file`."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.aws.errors import CloudError
from runtime.aws import aws_client
from runtime.names import (
    API_URL,
    ARTIFACT_BUCKET_NAME,
    CLIENT_POLICY_ARN,
    DATA_URI,
    FUNCTION_NAME,
    MODEL_PACKAGE_GROUP_NAME,
    OUTPUTS_FILE_ENV,
    PIPELINE_NAME,
    STACK_PREFIX_ENV,
)
from runtime.settings import model_name

# Stacks are named <prefix>-<environment>-<unit> (stacks/config.py); dev is the default environment.
DEFAULT_STACK_PREFIX = "mlpipe-dev-"
# The CfnOutput ids the stacks declare (runtime/names.py, shared with stacks/).
OUTPUT_KEYS = (
    ARTIFACT_BUCKET_NAME,
    DATA_URI,
    PIPELINE_NAME,
    MODEL_PACKAGE_GROUP_NAME,
    API_URL,
    FUNCTION_NAME,
    CLIENT_POLICY_ARN,
)


@dataclass(frozen=True, kw_only=True)
class DeployedStack:
    """The outputs of every deployed stack of this app, merged (keys are unique across the stacks)."""

    stack_names: tuple[str, ...]
    outputs: Mapping[str, str]
    source: str

    def require(self, key: str) -> str:
        """The output `key`, or an error naming where it was looked for and how to get it."""
        value = self.outputs.get(key)
        if not value:
            raise CloudError(
                f"output {key!r} not found in {self.source} (found: {sorted(self.outputs) or 'none'}); "
                "deploy the stack that declares it with `npx cdk deploy --all`, or point "
                f"--outputs-file / {OUTPUTS_FILE_ENV} at the file `cdk deploy --outputs-file` wrote"
            )
        return value

    @property
    def artifact_bucket(self) -> str:
        return self.require(ARTIFACT_BUCKET_NAME)

    @property
    def data_uri(self) -> str:
        return self.require(DATA_URI)

    @property
    def pipeline_name(self) -> str:
        return self.require(PIPELINE_NAME)

    @property
    def model_package_group(self) -> str:
        return self.require(MODEL_PACKAGE_GROUP_NAME)

    @property
    def api_url(self) -> str:
        return self.require(API_URL)

    @property
    def function_name(self) -> str:
        return self.require(FUNCTION_NAME)

    @property
    def client_policy_arn(self) -> str:
        return self.require(CLIENT_POLICY_ARN)


def check_serves(deployed: DeployedStack, group: str) -> None:
    """Refuse a model the deployed stacks do not serve: they run one model package group's pipeline and
    promoter, so registering or approving another group's versions would change nothing that serves."""
    if deployed.model_package_group == group:
        return
    served, asked = deployed.model_package_group, group
    raise CloudError(
        f"model {model_name(asked)!r} (model package group {asked}) is not deployed: {deployed.source} "
        f"serve {model_name(served)!r} ({served}). Use --name {model_name(served)}, or deploy the other "
        "model as its own environment and point --stack-prefix / --outputs-file at it (docs/deploy.md, "
        '"A second model on AWS")'
    )


def _merge(per_stack: Mapping[str, Mapping[str, str]], source: str) -> DeployedStack:
    merged: dict[str, str] = {}
    owner: dict[str, str] = {}
    for stack in sorted(per_stack):
        for key, value in per_stack[stack].items():
            if key in merged and merged[key] != value:
                raise CloudError(
                    f"output {key!r} differs between stacks {owner[key]} and {stack} in {source}; "
                    f"narrow the stack name prefix (--stack-prefix / {STACK_PREFIX_ENV}) to one deployment"
                )
            merged[key], owner[key] = value, stack
    return DeployedStack(stack_names=tuple(sorted(per_stack)), outputs=merged, source=source)


def from_outputs_file(path: Path) -> DeployedStack:
    """Read the JSON `cdk deploy --outputs-file PATH` writes: {stack name: {output key: value}}."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CloudError(
            f"outputs file {path} not found; write it with `npx cdk deploy --all --outputs-file {path}`"
        ) from None
    except json.JSONDecodeError as error:
        raise CloudError(f"outputs file {path} is not JSON ({error}); rewrite it with `cdk deploy`") from None
    if not isinstance(document, dict) or not all(isinstance(v, dict) for v in document.values()):
        raise CloudError(f"outputs file {path} is not {{stack: {{key: value}}}} as `cdk deploy` writes it")
    per_stack = {stack: {k: str(v) for k, v in outs.items()} for stack, outs in document.items()}
    return _merge(per_stack, f"outputs file {path}")


def from_cloudformation(cloudformation: Any, prefix: str) -> DeployedStack:
    """Outputs of the live stacks whose name starts with `prefix` (one `describe_stacks` listing)."""
    per_stack: dict[str, dict[str, str]] = {}
    for page in cloudformation.get_paginator("describe_stacks").paginate():
        for stack in page["Stacks"]:
            if stack["StackName"].startswith(prefix):
                per_stack[stack["StackName"]] = {
                    o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])
                }
    if not per_stack:
        raise CloudError(
            f"no CloudFormation stack named {prefix}* in this account and region; deploy with "
            f"`npx cdk deploy --all`, check AWS_PROFILE / AWS_REGION, "
            f"or set --stack-prefix / {STACK_PREFIX_ENV}"
        )
    return _merge(per_stack, f"CloudFormation stacks {', '.join(sorted(per_stack))}")


def load_deployed_stack(
    *, outputs_file: Path | None = None, stack_prefix: str | None = None, cloudformation: Any = None
) -> DeployedStack:
    """The outputs file when given (argument or env), else the live stacks named prefix* (argument or env)."""
    path_text = str(outputs_file) if outputs_file else os.environ.get(OUTPUTS_FILE_ENV, "")
    if path_text:
        return from_outputs_file(Path(path_text))
    if cloudformation is None:
        cloudformation = aws_client("cloudformation")
    prefix = stack_prefix or os.environ.get(STACK_PREFIX_ENV, "") or DEFAULT_STACK_PREFIX
    return from_cloudformation(cloudformation, prefix)
