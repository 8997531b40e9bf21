"""The deployed stacks' CloudFormation outputs, from CloudFormation or a `cdk deploy --outputs-file`.

An environment deploys one data stack and, per named model, a pipeline and a serving stack
(stacks/config.py: `<base>-pipeline`, `<base>-serving`, where `<base>` is `<prefix>-<env>` for the first
model and `<prefix>-<env>-<name>` for others). The pipeline stack's ModelPackageGroupName output names the
model; the serving stack of the same base belongs to it. A command sees the data stack's outputs and those
of one model's stacks: the one `--name` selects, or the only one deployed.
"""

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
# The units of a model's own stacks (stacks/config.py STACK_UNITS without the shared "data").
MODEL_STACK_SUFFIXES = ("-pipeline", "-serving")
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
# Outputs of a model's own stacks: which model is meant must be known to read them.
MODEL_OUTPUT_KEYS = (PIPELINE_NAME, MODEL_PACKAGE_GROUP_NAME, API_URL, FUNCTION_NAME, CLIENT_POLICY_ARN)
DOCS = 'docs/deploy.md, "A second model on AWS"'


@dataclass(frozen=True, kw_only=True)
class DeployedStack:
    """The shared stacks' outputs merged with one model's (keys are unique across these stacks).

    `models`: every model package group deployed at the source; without a selected model (several
    deployed, no --name), reading a model's output is an error that lists them.
    """

    stack_names: tuple[str, ...]
    outputs: Mapping[str, str]
    source: str
    models: tuple[str, ...] = ()

    def require(self, key: str) -> str:
        """The output `key`, or an error naming where it was looked for and how to get it."""
        value = self.outputs.get(key)
        if not value and key in MODEL_OUTPUT_KEYS and len(self.models) > 1:
            names = ", ".join(model_name(group) for group in self.models)
            raise CloudError(
                f"which model? {self.source} deploy {len(self.models)}: {names}; pass --name NAME "
                "(or set MODEL_PACKAGE_GROUP to its model package group)"
            )
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


def check_serves(models: tuple[str, ...], group: str, source: str) -> None:
    """Refuse a model the deployed stacks do not serve: registering or approving versions of a group with
    no pipeline and promoter deployed would change nothing that serves."""
    if group in models:
        return
    deployed = ", ".join(repr(model_name(g)) for g in models) or "none"
    use = f"--name {model_name(models[0])}" if len(models) == 1 else "--name with one of those"
    raise CloudError(
        f"model {model_name(group)!r} (model package group {group}) is not deployed: {source} serve "
        f"{deployed}. Use {use}, or deploy it: add its name to the CDK context, "
        f"`npx cdk deploy --all -c models=<every other model>,{model_name(group)}` ({DOCS})"
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


def _model_base(stack: str) -> str | None:
    """`mlpipe-dev-penguins` for mlpipe-dev-penguins-pipeline / -serving; None for a shared stack."""
    return next((stack.removesuffix(s) for s in MODEL_STACK_SUFFIXES if stack.endswith(s)), None)


def _stacks_by_model(per_stack: Mapping[str, Mapping[str, str]]) -> dict[str, list[str]]:
    """Model package group -> its stacks: the pipeline stack names the group, its serving stack shares the
    base. A model stack whose pipeline stack is not at the source belongs to no model."""
    groups = {
        base: outputs[MODEL_PACKAGE_GROUP_NAME]
        for stack, outputs in per_stack.items()
        if (base := _model_base(stack)) is not None and MODEL_PACKAGE_GROUP_NAME in outputs
    }
    models: dict[str, list[str]] = {}
    for stack in sorted(per_stack):
        base = _model_base(stack)
        if base in groups:
            models.setdefault(groups[base], []).append(stack)
    return models


def select_model(
    per_stack: Mapping[str, Mapping[str, str]], source: str, group: str | None = None
) -> DeployedStack:
    """The shared stacks plus the stacks of model `group` (None: the only model deployed, if only one)."""
    models = _stacks_by_model(per_stack)
    if not models:  # no stack named as ours at the source (an outputs file of one stack...): all of it
        merged = _merge(per_stack, source)
        deployed_group = merged.outputs.get(MODEL_PACKAGE_GROUP_NAME)
        if group is not None and deployed_group:
            check_serves((deployed_group,), group, source)
        return merged
    if group is not None:
        check_serves(tuple(sorted(models)), group, source)
    chosen = group or (next(iter(models)) if len(models) == 1 else None)
    stacks = [stack for stack in per_stack if _model_base(stack) is None]
    stacks += models[chosen] if chosen else []
    merged = _merge({stack: per_stack[stack] for stack in stacks}, source)
    return DeployedStack(
        stack_names=merged.stack_names, outputs=merged.outputs, source=source, models=tuple(sorted(models))
    )


def from_outputs_file(path: Path, group: str | None = None) -> DeployedStack:
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
    return select_model(per_stack, f"outputs file {path}", group)


def from_cloudformation(cloudformation: Any, prefix: str, group: str | None = None) -> DeployedStack:
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
    return select_model(per_stack, f"CloudFormation stacks {', '.join(sorted(per_stack))}", group)


def load_deployed_stack(
    *,
    outputs_file: Path | None = None,
    stack_prefix: str | None = None,
    cloudformation: Any = None,
    group: str | None = None,
) -> DeployedStack:
    """The outputs file when given (argument or env), else the live stacks named prefix* (argument or env),
    narrowed to the shared stacks and model `group`'s (None: the only model; error if it is not deployed)."""
    path_text = str(outputs_file) if outputs_file else os.environ.get(OUTPUTS_FILE_ENV, "")
    if path_text:
        return from_outputs_file(Path(path_text), group)
    if cloudformation is None:
        cloudformation = aws_client("cloudformation")
    prefix = stack_prefix or os.environ.get(STACK_PREFIX_ENV, "") or DEFAULT_STACK_PREFIX
    return from_cloudformation(cloudformation, prefix, group)
